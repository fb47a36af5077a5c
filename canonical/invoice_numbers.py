"""Finding our invoice numbers in what payers and their banks wrote.

Invoice numbers are SAP billing documents: digits, usually ten (`0090000012`). Text is
read as maximal runs of digits, so letters and punctuation around a number
(`INV0090000012`, `RE:0090000012/2025`) do not matter, while a number that is only part
of a longer run never matches (`0090000012` is not in `00900000123`: the `INV-1` versus
`INV-10` problem). A run identifies:

* the invoice it equals;
* else the invoice whose number it equals once leading zeros are dropped on both sides,
  provided at least six significant digits remain (payers drop zeros, but `12` must not
  stand for `0000000012`);
* else each of several invoices whose numbers, glued together, it is exactly (a bank
  that cut a note at the space between two numbers).

Banks cut remittance notes at 35 or 70 characters wherever the cut falls, so the lines
are searched both glued (mends a number cut in two) and joined by a space (separates a
number from digits that begin the next line). When a glued run across a cut identifies
an invoice, the pieces of it seen in the spaced text are not read on their own: they
are fragments of that number, not numbers of their own.

Billing documents that are not all digits are never found in text; they are left to
the payer-and-amount rule or to a person.
"""

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_DIGIT_RUN = re.compile(r"\d+")
# ISO 11649 creditor reference: `RF`, two check digits, then the reference itself.
_RF_PREFIX = re.compile(r"\s*RF\d\d", re.IGNORECASE)
# Fewer significant digits than this and a zero-stripped match is likely chance.
_MIN_SIGNIFICANT_DIGITS = 6


@dataclass(frozen=True)
class _Hit:
    """A digit run that identified invoices; start/end are positions in the glued text."""

    start: int
    end: int
    documents: tuple[str, ...]


class InvoiceNumberIndex:
    """The invoice numbers we know, ready to be looked for in text."""

    def __init__(self, documents: Iterable[str]) -> None:
        self._exact = {document for document in documents if document.isdigit()}
        self._significant: dict[str, list[str]] = {}
        for document in sorted(self._exact):
            stripped = document.lstrip("0")
            if len(stripped) >= _MIN_SIGNIFICANT_DIGITS:
                self._significant.setdefault(stripped, []).append(document)
        self._lengths = sorted({len(document) for document in self._exact})

    def identify_run(self, run: str) -> tuple[str, ...]:
        """The invoices one maximal digit run stands for (empty when none)."""
        if run in self._exact:
            return (run,)
        by_value = self._significant.get(run.lstrip("0"))
        if by_value:
            return tuple(by_value)
        glued = self._split(run)
        return tuple(glued) if len(glued) >= 2 else ()

    def in_reference(self, reference: str) -> list[str]:
        """Invoices named in a structured reference, in the order they appear.

        Spaces in a reference only group digits for the eye (`RF18 0090 0000 12`), so
        its pieces are searched the way cut remittance lines are.
        """
        prefix = _RF_PREFIX.match(reference)
        if prefix:
            # The check digits would otherwise glue onto the number that follows them.
            reference = reference[prefix.end() :]
        return self.in_lines(reference.split())

    def in_lines(self, lines: Sequence[str]) -> list[str]:
        """Invoices named in remittance lines as the bank cut them, in order of appearance."""
        glued_hits = self._hits("".join(lines), None)
        spaced_starts = [0]
        for line in lines[:-1]:
            spaced_starts.append(spaced_starts[-1] + len(line) + 1)
        # A spaced run lies within one line; moving it back by that line's index puts it
        # in glued coordinates, so the two readings can be compared.
        spaced_hits = self._hits(" ".join(lines), spaced_starts)
        hits = glued_hits + [
            hit
            for hit in spaced_hits
            if not any(_is_fragment_of(hit, glued) for glued in glued_hits)
        ]
        found: list[str] = []
        for hit in sorted(hits, key=lambda hit: (hit.start, -hit.end)):
            found.extend(document for document in hit.documents if document not in found)
        return found

    def _hits(self, text: str, line_starts: list[int] | None) -> list[_Hit]:
        """Identifying runs of `text`; with `line_starts`, text joined by single spaces."""
        hits: list[_Hit] = []
        for match in _DIGIT_RUN.finditer(text):
            documents = self.identify_run(match.group())
            if documents:
                # The index of the run's line is the number of spaces put before it.
                shift = bisect_right(line_starts, match.start()) - 1 if line_starts else 0
                hits.append(_Hit(match.start() - shift, match.end() - shift, documents))
        return hits

    def _split(self, run: str) -> list[str]:
        """`run` as known numbers glued end to end, or [] when it is not that."""
        # ways[i]: a split of run[:i] into known numbers, None when there is none.
        ways: list[list[str] | None] = [[]] + [None] * len(run)
        for end in range(1, len(run) + 1):
            for length in self._lengths:
                before = ways[end - length] if length <= end else None
                if before is not None and run[end - length : end] in self._exact:
                    ways[end] = [*before, run[end - length : end]]
                    break
        return ways[len(run)] or []


def _is_fragment_of(hit: _Hit, glued: _Hit) -> bool:
    """Whether `hit` is a strict piece of a longer glued run that already identified."""
    inside = glued.start <= hit.start and hit.end <= glued.end
    return inside and (hit.start, hit.end) != (glued.start, glued.end)
