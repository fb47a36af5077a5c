"""Reading an X12 file into interchanges, functional groups and transaction sets.

`read_x12` is tolerant: it reads everything it can and attaches each problem to the
level it spoils (see `canonical.x12.problems`). `parse_interchanges` is the strict
front door: it raises `X12Refusal` when any interchange must be refused as a whole,
and otherwise returns interchanges whose sets may still carry set-level problems for
the 997 to report.

Tolerated (see also `canonical.x12.tokens` for the lexical tolerances: BOM, U+00A0 in
the ISA, indentation, newline or `~`-plus-newline terminators, 80-column wraps,
non-fixed-width ISAs): several interchanges per file, several groups per interchange,
several sets per group, and control numbers that differ only by leading zeros
(`GE*1*000001868` against `GS06` `1868`).

Checked, each with its own code: SE01 against the segments counted from ST to SE,
SE02/GE02/IEA02 against ST02/GS06/ISA13, GE01 against the sets, IEA01 against the
groups, a missing SE/GE/IEA, ST02 unique within its group, segments outside the
structure, a cut-off end, and the ISA's own fields.
"""

import re

from canonical.x12.checks import problem
from canonical.x12.problems import ProblemCode, ProblemLevel, X12Problem, X12Refusal
from canonical.x12.structure import Interchange, Segment, X12File
from canonical.x12.tokens import IsaError, IsaScan, RawSegment, decode, raw_segments, scan_isa
from canonical.x12.validation import InterchangeDraft

_SEGMENT_ID = re.compile(r"^[A-Z0-9]{2,3}$")
# (element position, pattern, TA1 note code, what it should be)
_ISA_RULES = [
    (5, r"[0-9A-Z]{1,2}", "005", "an interchange id qualifier"),
    (6, r".+", "006", "the sender id"),
    (7, r"[0-9A-Z]{1,2}", "007", "an interchange id qualifier"),
    (8, r".+", "008", "the receiver id"),
    (9, r"[0-9]{6}", "014", "a YYMMDD date"),
    (10, r"[0-9]{4}", "015", "an HHMM time"),
    (12, r"[0-9]{5}", "017", "a 5-digit version"),
    (13, r"[0-9]{1,9}", "018", "a control number of up to 9 digits"),
    (14, r"[01]", "019", "0 or 1"),
    (15, r"[TP]", "020", "T or P"),
]


def read_x12(data: bytes | str) -> X12File:
    """Everything in the file, problems attached; never raises for bad content."""
    return _Reader(decode(data)).run()


def parse_interchanges(data: bytes | str) -> list[Interchange]:
    """The interchanges of a file, or a refusal.

    Raises:
        X12Refusal: When the file has no readable ISA or any interchange has an
            interchange-level problem; it carries all of them and what was read.
            A file of several interchanges is refused as a whole here; use
            `read_x12` to answer each interchange on its own.
    """
    result = read_x12(data)
    if result.refusals:
        raise X12Refusal(result.refusals, result.interchanges)
    return result.interchanges


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.ordinal = 0
        self.problems: list[X12Problem] = []
        self.interchanges: list[Interchange] = []

    def run(self) -> X12File:
        offset = _skip_space(self.text, 0)
        if not self.text.startswith("ISA", offset):
            found = "an empty file" if offset >= len(self.text) else repr(self.text[offset:][:20])
            self._file_problem(ProblemCode.NO_ISA, f"an interchange starts with ISA, found {found}")
        while offset < len(self.text) and self.text.startswith("ISA", offset):
            next_offset = self._interchange(offset)
            if next_offset is None:
                break
            offset = _skip_space(self.text, next_offset)
            if offset < len(self.text) and not self.text.startswith("ISA", offset):
                tail = self.text[offset:][:20]
                self._file_problem(
                    ProblemCode.TRAILING_DATA, f"data after the last IEA: {tail!r}", "IEA"
                )
        return X12File(interchanges=self.interchanges, problems=self.problems)

    def _file_problem(self, code: ProblemCode, message: str, segment_id: str = "") -> None:
        self.problems.append(
            X12Problem(
                code=code,
                level=ProblemLevel.INTERCHANGE,
                message=message,
                segment_id=segment_id,
                file_position=self.ordinal or None,
                ta1_code="022",
            )
        )

    def _interchange(self, start: int) -> int | None:
        """Read one interchange from `start`; the offset after it, None to stop."""
        self.ordinal += 1
        try:
            scan = scan_isa(self.text, start)
        except IsaError as error:
            self.problems.append(
                X12Problem(
                    code=ProblemCode(error.code),
                    level=ProblemLevel.INTERCHANGE,
                    message=error.message,
                    segment_id="ISA",
                    file_position=self.ordinal,
                    element_position=error.element,
                    ta1_code=error.ta1_code,
                )
            )
            return None
        header = Segment(
            id="ISA",
            elements=scan.elements,
            file_position=self.ordinal,
            component_separator=scan.delimiters.component,
        )
        draft = InterchangeDraft(header, scan.delimiters)
        draft.problems.extend(_isa_problems(header, scan))
        last: tuple[RawSegment, Segment] | None = None
        for raw, chunk_start, after in raw_segments(self.text, scan.end, scan):
            if raw.text.startswith("ISA") and len(raw.text) > 3 and not raw.text[3].isalnum():
                # The next interchange, maybe with other delimiters: this one had no IEA.
                draft.missing_iea(self.ordinal + 1)
                self.interchanges.append(draft.build())
                return self.text.find("ISA", chunk_start)
            segment = self._segment(raw, draft)
            last = (raw, segment)
            if segment.id == "IEA":
                self.interchanges.append(draft.build())
                return after
        draft.truncated(last[1] if last else header, last is not None and not last[0].terminated)
        self.interchanges.append(draft.build())
        return None

    def _segment(self, raw: RawSegment, draft: InterchangeDraft) -> Segment:
        self.ordinal += 1
        parts = raw.text.split(draft.delimiters.element)
        segment_id = parts[0].strip()
        open_set = draft.open_set
        in_set = open_set is not None and segment_id not in ("GS", "GE", "IEA", "ST")
        segment = Segment(
            id=segment_id,
            elements=parts[1:],
            file_position=self.ordinal,
            set_position=(len(open_set.segments) + 1) if in_set and open_set else None,
            component_separator=draft.delimiters.component,
        )
        if segment_id == "ST":
            segment = segment.model_copy(update={"set_position": 1})
        draft.add(segment)
        if not _SEGMENT_ID.match(segment_id):
            draft.note(
                segment,
                ProblemCode.BAD_SEGMENT_ID,
                f"{segment_id!r} is not a segment id",
                segment_code="1",
            )
        if raw.run_on:
            last = len(segment.elements)
            draft.note(
                segment,
                ProblemCode.MISSING_TERMINATOR,
                f"{segment_id} has no segment terminator: the line break after "
                f"{segment_id}{last:02d} {segment.element(last)!r} starts the next segment",
                element=last,
                value=segment.element(last),
                segment_code="8",
                element_code="6",
            )
        return segment


def _isa_problems(header: Segment, scan: IsaScan) -> list[X12Problem]:
    found = [
        problem(
            ProblemCode.BAD_ISA,
            ProblemLevel.INTERCHANGE,
            message,
            header,
            element=position,
            ta1_code=ta1,
        )
        for position, ta1, message in scan.defects
    ]
    for position, pattern, ta1, wanted in _ISA_RULES:
        value = header.element(position)
        if not re.fullmatch(pattern, value):
            found.append(
                problem(
                    ProblemCode.BAD_ISA,
                    ProblemLevel.INTERCHANGE,
                    f"ISA{position:02d} should be {wanted}, found {value!r}",
                    header,
                    element=position,
                    value=value,
                    ta1_code=ta1,
                )
            )
    return found


def _skip_space(text: str, offset: int) -> int:
    while offset < len(text) and text[offset].isspace():
        offset += 1
    return offset
