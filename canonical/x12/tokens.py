"""The lexical layer of X12: delimiters from the ISA, then raw segments.

An interchange names its own delimiters. The element separator is the character right
after `ISA`; the component separator is ISA16; the segment terminator is what follows
ISA16. ISA16 is found by counting sixteen element separators, never by fixed offsets,
because real ISAs are not always 106 characters wide (U+00A0 padding, trimmed ids).

Tolerated, because real partners send it:

* a UTF-8 byte order mark, and bytes that are not UTF-8 (read as Latin-1);
* spaces, tabs and line breaks before a segment (pretty-printed files);
* a newline as the segment terminator (with or without a carriage return);
* when the terminator is not a newline, line breaks anywhere are noise: after each
  terminator (`~` plus newline) and inside segments of files hard-wrapped at 80
  columns, even inside the ISA itself or between ISA16 and the terminator;
* multi-byte terminators such as U+2026 once decoded.

Detected, because guessing would be wrong:

* ISA16 lost (`...*P*~`): the character after the sixteenth separator is then the
  segment terminator, not a component separator. It is reported (TA1 027) and
  reading carries on with no component separator so the rest can be checked too;
* the ISA's own terminator lost in a `~`-plus-newline file (TA1 004), read on with
  the terminator the GS uses;
* a segment terminator left out in a file that otherwise puts one segment per line:
  the line break there starts a new segment, and the earlier one is flagged.
"""

import itertools
import re
from collections.abc import Iterator
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

_NEWLINES = "\r\n"
_NEWLINE_SPLIT = re.compile(r"\r\n|\r|\n")
# The 16 separators of a sane ISA fit well within this, wrapped or not; beyond it we
# would be counting separators of the GS and later segments.
_MAX_ISA_LENGTH = 250
# A file is one-segment-per-line when this share of its terminators ends a line.
_LINE_STYLE_SHARE = 0.8
_GS_AHEAD = re.compile(r"\s*GS")

_LOST_ISA16 = (
    "ISA16 (component separator) is missing: {!r} after the 16th element separator"
    " is the segment terminator"
)
# (element position, TA1 note code, message) for an ISA that is readable but wrong.
Defect = tuple[int, str, str]


class Delimiters(BaseModel):
    """The characters that structure an interchange.

    Attributes:
        segment: `\\n` when segments are terminated by line breaks.
        component: Empty when the ISA lost ISA16 (composites are then not split).
        repetition: ISA11 from version 00402 on, when it is a delimiter; we record it
            but do not split repeats, since none of the documents we read use them.
    """

    model_config = ConfigDict(frozen=True)

    element: str = "*"
    component: str = ">"
    segment: str = "~"
    repetition: str = ""


class IsaError(Exception):
    """The ISA cannot be read at all: no delimiters, so nothing after it either."""

    def __init__(self, code: str, message: str, ta1_code: str, element: int | None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ta1_code = ta1_code
        self.element = element


class IsaScan(NamedTuple):
    """What the ISA says about the rest of its interchange.

    Attributes:
        elements: ISA01..ISA16 as received, line breaks removed.
        end: Offset just past the ISA's terminator.
        newline_noise: Line breaks are not terminators and must be dropped.
        defects: (element position, TA1 code, message) for a readable but wrong ISA.
    """

    delimiters: Delimiters
    elements: list[str]
    end: int
    newline_noise: bool
    defects: list[Defect]


class RawSegment(NamedTuple):
    """One segment's text, with what we know about how it ended.

    Attributes:
        terminated: A terminator followed it (false only at a cut-off end).
        run_on: It ran into the next segment without a terminator.
    """

    text: str
    terminated: bool
    run_on: bool


def decode(data: bytes | str) -> str:
    """Bytes as text: UTF-8 (BOM dropped) when it is, else Latin-1, which never fails."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    else:
        text = data
    return text.removeprefix("\ufeff")


def scan_isa(text: str, start: int) -> IsaScan:
    """Read the ISA at `start` (where `ISA` begins) and derive the delimiters.

    Raises:
        IsaError: `truncated` when the text ends inside the ISA, `bad_isa` when the
            separators cannot be found.
    """
    if len(text) <= start + 3:
        raise IsaError("truncated", "the file ends inside the ISA", "023", None)
    element = text[start + 3]
    if element.isalnum() or element.isspace():
        raise IsaError(
            "bad_isa",
            f"the character after ISA must be the element separator, found {element!r}",
            "026",
            None,
        )
    separators = [start + 3]
    while len(separators) < 16:
        found = text.find(element, separators[-1] + 1)
        if found < 0 or found - start > _MAX_ISA_LENGTH:
            if found < 0 and len(text) - start < _MAX_ISA_LENGTH:
                raise IsaError("truncated", "the file ends inside the ISA", "023", None)
            raise IsaError(
                "bad_isa",
                f"the ISA has {len(separators) - 1} elements before ISA16, not 15",
                "022",
                len(separators),
            )
        separators.append(found)
    fields = [text[a + 1 : b] for a, b in itertools.pairwise(separators)]
    fields = [_drop_newlines(field) for field in fields]
    delimiters, after_isa16, noise, defects = _after_isa16(text, separators[-1] + 1, element)
    isa11, version = fields[10], fields[11]
    if version >= "00402" and _is_delimiter(isa11) and isa11 != element:
        # From 00402 on ISA11 is the repetition separator, not `U`.
        delimiters = delimiters.model_copy(update={"repetition": isa11})
    return IsaScan(delimiters, [*fields, delimiters.component], after_isa16, noise, defects)


def _after_isa16(text: str, at: int, element: str) -> tuple[Delimiters, int, bool, list[Defect]]:
    """ISA16 and the segment terminator, from the character after the 16th separator."""
    if at >= len(text):
        raise IsaError("truncated", "the file ends before ISA16", "023", 16)
    candidate = text[at]
    following = text[at + 1] if at + 1 < len(text) else ""
    if candidate in _NEWLINES:
        defect = (16, "027", "ISA16 (component separator) is missing: a line break follows the ISA")
        return Delimiters(element=element, component="", segment="\n"), at, False, [defect]
    if candidate.isalnum() or candidate.isspace() or candidate == element:
        raise IsaError(
            "bad_isa", f"ISA16 must be a delimiter character, found {candidate!r}", "027", 16
        )
    if not following:
        raise IsaError("truncated", "the file ends after ISA16", "023", 16)
    if following.isalnum():
        ends_iea = re.search(re.escape(candidate) + r"\s*IEA" + re.escape(element), text)
        if ends_iea is None:
            raise IsaError("bad_isa", "no segment terminator follows ISA16", "004", 16)
        # `...*P*~GS*...` and the IEA ends with `~` too: what looked like ISA16 is
        # the terminator.
        defect = (16, "027", _LOST_ISA16.format(candidate))
        return Delimiters(element=element, component="", segment=candidate), at + 1, True, [defect]
    if following not in _NEWLINES:
        return Delimiters(element=element, component=candidate, segment=following), at + 2, True, []
    rest = at + 1
    while rest < len(text) and text[rest] in _NEWLINES:
        rest += 1
    after_break = text[rest] if rest < len(text) else ""
    if _is_delimiter(after_break) and _GS_AHEAD.match(text, rest + 1):
        # An 80-column wrap fell between ISA16 and the terminator.
        return (
            Delimiters(element=element, component=candidate, segment=after_break),
            rest + 1,
            True,
            [],
        )
    line_end = text.find("\n", rest)
    next_line = text[rest : line_end if line_end >= 0 else len(text)].rstrip()
    if next_line.startswith("GS") and next_line.endswith(candidate):
        # The GS line ends with the same character: it is the terminator, one segment
        # per line, and ISA16 was lost.
        defect = (16, "027", _LOST_ISA16.format(candidate))
        return Delimiters(element=element, component="", segment=candidate), at + 1, True, [defect]
    last = next_line[-1:]
    if next_line.startswith("GS") and _is_delimiter(last) and last != element:
        # `~` plus newline everywhere but after the ISA: its terminator was lost.
        defect = (16, "004", f"the ISA has no segment terminator; the GS ends with {last!r}")
        return (
            Delimiters(element=element, component=candidate, segment=last),
            at + 1,
            True,
            [defect],
        )
    return Delimiters(element=element, component=candidate, segment="\n"), at + 1, False, []


def raw_segments(text: str, start: int, scan: IsaScan) -> Iterator[tuple[RawSegment, int, int]]:
    """The segments after the ISA, each with the offsets where its text starts and
    just past its terminator.

    The caller stops at IEA and looks for the next ISA from that offset, so each
    interchange of a file is read with its own delimiters.
    """
    if not scan.newline_noise:
        yield from _newline_segments(text, start)
        return
    terminator = scan.delimiters.segment
    line_style = _one_per_line(text, start, terminator)
    starts_segment = re.compile(r"[ \t]*[A-Z][A-Z0-9]{1,2}" + re.escape(scan.delimiters.element))
    position = start
    while position < len(text):
        found = text.find(terminator, position)
        end = found if found >= 0 else len(text)
        after = found + len(terminator) if found >= 0 else len(text)
        pieces = _split_run_ons(text[position:end], starts_segment if line_style else None)
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            yield RawSegment(piece, found >= 0 or not last, not last), position, after
        position = after


def _newline_segments(text: str, start: int) -> Iterator[tuple[RawSegment, int, int]]:
    position = start
    for match in _NEWLINE_SPLIT.finditer(text, start):
        line = text[position : match.start()].strip()
        line_start, position = position, match.end()
        if line:
            yield RawSegment(line, True, False), line_start, position
    line = text[position:].strip()
    if line:
        # A newline-terminated file often ends without one: the end of the text
        # terminates the last segment.
        yield RawSegment(line, True, False), position, len(text)


def _split_run_ons(chunk: str, starts_segment: re.Pattern[str] | None) -> list[str]:
    """The segment text between two terminators, newlines removed.

    In a one-segment-per-line file a line break followed by something shaped like a
    segment start (`PO1*`) is a terminator someone forgot; anywhere else a line
    break is a wrap and the continuation is glued back on as it is (`FSC` + ` FUEL`).
    """
    lines = _NEWLINE_SPLIT.split(chunk.strip())
    pieces = [lines[0]]
    for line in lines[1:]:
        if starts_segment is not None and starts_segment.match(line):
            pieces.append(line.strip())
        else:
            pieces[-1] += line
    return [piece.strip() for piece in pieces if piece.strip()]


def _one_per_line(text: str, start: int, terminator: str) -> bool:
    total = text.count(terminator, start)
    if total == 0:
        return False
    ending_lines = len(re.findall(re.escape(terminator) + r"[ \t]*\r?\n", text[start:]))
    return ending_lines / total >= _LINE_STYLE_SHARE


def _is_delimiter(char: str) -> bool:
    return bool(char) and not char.isalnum() and not char.isspace()


def _drop_newlines(value: str) -> str:
    return value.replace("\r", "").replace("\n", "")
