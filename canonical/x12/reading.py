"""Helpers the document readers share: loops by trigger segment, id pairs, findings."""

import itertools
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from canonical.x12.structure import Segment
from canonical.x12.values import Finding, ProductId, Reference, parse_date, parse_decimal


class Loops:
    """A set body cut at a repeating trigger (PO1, IT1...): header, loops, summary."""

    def __init__(self, body: Sequence[Segment], trigger: str, summary: Sequence[str]) -> None:
        cuts = [i for i, s in enumerate(body) if s.id == trigger]
        end = next(
            (i for i, s in enumerate(body) if s.id in summary and (not cuts or i > cuts[0])),
            len(body),
        )
        # A trigger after the summary has begun (a stray PO1 after CTT) is summary.
        cuts = [i for i in cuts if i < end]
        first = cuts[0] if cuts else end
        self.header = list(body[:first])
        self.loops = [list(body[a:b]) for a, b in itertools.pairwise([*cuts, end])]
        self.summary = list(body[end:])


def product_ids(segment: Segment, start: int) -> list[ProductId]:
    """Qualifier/id pairs from element `start` on (PO106/PO107, LIN02/LIN03, ...)."""
    return [
        ProductId(qualifier=segment.element(i), id=segment.element(i + 1))
        for i in range(start, len(segment.elements) + 1, 2)
        if segment.element(i) or segment.element(i + 1)
    ]


def reference(segment: Segment) -> Reference:
    return Reference(
        qualifier=segment.element(1), value=segment.element(2), description=segment.element(3)
    )


def finding(code: str, segment: Segment, message: str) -> Finding:
    return Finding(code=code, segment_id=segment.id, position=segment.set_position, message=message)


def date_at(segment: Segment, position: int, findings: list[Finding]) -> date | None:
    """The date in element `position`; a value that is not one becomes a finding."""
    value = segment.element(position)
    parsed = parse_date(value)
    if value and parsed is None:
        what = f"{segment.id}{position:02d} {value!r} is not a CCYYMMDD or YYMMDD date"
        findings.append(finding("bad_date", segment, what))
    return parsed


def decimal_at(segment: Segment, position: int, findings: list[Finding]) -> Decimal | None:
    """The number in element `position`; a value that is not one becomes a finding."""
    value = segment.element(position)
    parsed = parse_decimal(value)
    if value and parsed is None:
        what = f"{segment.id}{position:02d} {value!r} is not a number"
        findings.append(finding("bad_number", segment, what))
    return parsed


def descriptions(segments: Sequence[Segment]) -> str:
    """Free-form PID05 texts of a loop, joined (long ones come as several PIDs)."""
    texts = [s.element(5) for s in segments if s.id == "PID" and s.element(1) in ("F", "")]
    return " ".join(text for text in texts if text)
