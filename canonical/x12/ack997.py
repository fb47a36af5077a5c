"""Functional acknowledgments: building the 997 we owe, reading the 997 we get.

A 997 (004010) answers one functional group: AK1 names it (GS01, GS06); per set an
AK2 (ST01, ST02), AK3/AK4 for the segments and elements in error, and AK5 with the
verdict (`A` accepted, `E` accepted with errors, `R` rejected) and its codes; AK9
closes with the group's verdict (`A`, `E`, `P` partially accepted, `R`) and the
counts of sets included (GE01), received and accepted.

The codes are the standard ones: AK304 (720) 1 unrecognized segment id, 2
unexpected segment, 8 segment has data element errors; AK403 (723) 1 mandatory
element missing, 6 invalid character, 7 invalid code value, 8 invalid date; AK502
(718) 2 trailer missing, 3 control numbers differ, 4 segment count wrong, 5 segments
in error, 6/7 missing set id/control number, 23 control number not unique in the
group; AK905 (716) 3 GE missing, 4 GE02 differs from GS06, 5 set count wrong.

An interchange whose envelope is broken gets no 997: see `canonical.x12.ta1`.
"""

from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from canonical.x12.body import Body, Element
from canonical.x12.problems import ProblemCode, X12Problem
from canonical.x12.structure import FunctionalGroup, TransactionSet
from canonical.x12.tokens import Delimiters
from canonical.x12.values import parse_int

_SET_CODES = {
    ProblemCode.MISSING_TRAILER: "2",
    ProblemCode.CONTROL_MISMATCH: "3",
    ProblemCode.SEGMENT_COUNT: "4",
    ProblemCode.DUPLICATE_SET_CONTROL: "23",
}
_GROUP_CODES = {
    ProblemCode.MISSING_TRAILER: "3",
    ProblemCode.CONTROL_MISMATCH: "4",
    ProblemCode.SET_COUNT: "5",
}
_MAX_CODES = 5  # AK502-AK506, AK905-AK909
_MAX_BAD_VALUE = 99  # AK404


class ElementNote(BaseModel):
    """AK4: AK401 position (and component), AK402 reference, AK403 code, AK404 value."""

    model_config = ConfigDict(frozen=True)

    position: int
    component: int | None = None
    element_ref: str = ""
    code: str
    bad_value: str = ""


class SegmentNote(BaseModel):
    """AK3: AK301 segment id, AK302 position in the set, AK303 loop, AK304 code."""

    model_config = ConfigDict(frozen=True)

    segment_id: str
    position: int
    loop_id: str = ""
    code: str
    elements: list[ElementNote] = []


class SetAck(BaseModel):
    """AK2 ... AK5 for one transaction set."""

    model_config = ConfigDict(frozen=True)

    set_id: str
    control_number: str
    status: str
    codes: list[str] = []
    segments: list[SegmentNote] = []

    @property
    def accepted(self) -> bool:
        return self.status in ("A", "E")


class Ack997(BaseModel):
    """A 997 for one functional group.

    Attributes:
        status: AK901; `A`, `E`, `P`, `R` (and `M`, `W`, `X` from some partners).
        included / received / accepted: AK902 / AK903 / AK904.
        sets: Sets answered one by one; a partner may send none and let AK9 speak
            for every set of the group.
    """

    model_config = ConfigDict(frozen=True)

    functional_id: str
    group_control: str
    status: str
    included: int
    received: int
    accepted: int
    codes: list[str] = []
    sets: list[SetAck] = []

    def for_set(self, control_number: str) -> SetAck | None:
        return next((s for s in self.sets if s.control_number == control_number), None)

    def set_accepted(self, control_number: str) -> bool:
        """Whether our set was accepted; AK9 decides when the set has no AK2 loop."""
        found = self.for_set(control_number)
        return found.accepted if found else self.status in ("A", "E")


def build_997(
    group: FunctionalGroup,
    *,
    extra_problems: Mapping[int, Sequence[X12Problem]] | None = None,
) -> Ack997:
    """The 997 for a group we received.

    Args:
        extra_problems: Problems the caller found in the content (an invalid date,
            an unknown code), by the set's index in `group.sets`.
    """
    extra = extra_problems or {}
    acks = [_set_ack(ts, [*ts.problems, *extra.get(i, [])]) for i, ts in enumerate(group.sets)]
    accepted = sum(1 for ack in acks if ack.accepted)
    codes = _unique(_GROUP_CODES[p.code] for p in group.problems if p.code in _GROUP_CODES)
    if codes or (acks and accepted == 0):
        status = "R"
    elif accepted < len(acks):
        status = "P"
    elif group.problems or any(ack.status == "E" for ack in acks):
        status = "E"
    else:
        status = "A"
    return Ack997(
        functional_id=group.functional_id,
        group_control=group.control_number,
        status=status,
        included=group.declared_sets if group.declared_sets is not None else len(acks),
        received=len(acks),
        accepted=accepted,
        codes=codes,
        sets=acks,
    )


def ack997_segments(ack: Ack997, delimiters: Delimiters | None = None) -> Body:
    """AK1 ... AK9; bad values are cleaned of our delimiters so they cannot break it."""
    reserved = delimiters or Delimiters()
    body: Body = [["AK1", ack.functional_id, ack.group_control]]
    for item in ack.sets:
        body.append(["AK2", item.set_id, item.control_number])
        for note in item.segments:
            body.append(["AK3", note.segment_id, str(note.position), note.loop_id, note.code])
            for element in note.elements:
                position: Element = str(element.position)
                if element.component is not None:
                    position = (str(element.position), str(element.component))
                bad = _clean(element.bad_value, reserved)
                body.append(["AK4", position, element.element_ref, element.code, bad])
        body.append(["AK5", item.status, *item.codes[:_MAX_CODES]])
    counts = [str(ack.included), str(ack.received), str(ack.accepted)]
    body.append(["AK9", ack.status, *counts, *ack.codes[:_MAX_CODES]])
    return body


def read_997(ts: TransactionSet) -> Ack997:
    """A 997 we received, read into the same model we build."""
    head = ts.find("AK1")
    sets: list[SetAck] = []
    current: SetAck | None = None
    notes: list[SegmentNote] = []
    for segment in ts.body:
        if segment.id == "AK2":
            current = SetAck(
                set_id=segment.element(1), control_number=segment.element(2), status=""
            )
            notes = []
        elif segment.id == "AK3":
            code = segment.element(4)
            position = parse_int(segment.element(2)) or 0
            notes.append(
                SegmentNote(
                    segment_id=segment.element(1),
                    position=position,
                    loop_id=segment.element(3),
                    code=code,
                )
            )
        elif segment.id == "AK4" and notes:
            parts = segment.composite(1)
            element = ElementNote(
                position=parse_int(parts[0]) or 0,
                component=parse_int(parts[1]) if len(parts) > 1 else None,
                element_ref=segment.element(2),
                code=segment.element(3),
                bad_value=segment.element(4),
            )
            notes[-1] = notes[-1].model_copy(update={"elements": [*notes[-1].elements, element]})
        elif segment.id == "AK5" and current is not None:
            codes = [v.strip() for v in segment.elements[1:] if v.strip()]
            update = {"status": segment.element(1), "codes": codes, "segments": notes}
            sets.append(current.model_copy(update=update))
            current = None
    ak9 = ts.find("AK9")

    def count(position: int) -> int:
        return (parse_int(ak9.element(position)) or 0) if ak9 else 0

    return Ack997(
        functional_id=head.element(1) if head else "",
        group_control=head.element(2) if head else "",
        status=ak9.element(1) if ak9 else "",
        included=count(2),
        received=count(3),
        accepted=count(4),
        codes=[v.strip() for v in ak9.elements[4:] if v.strip()] if ak9 else [],
        sets=sets,
    )


def _set_ack(ts: TransactionSet, problems: list[X12Problem]) -> SetAck:
    codes: list[str] = []
    notes: dict[tuple[str, int], SegmentNote] = {}
    for found in problems:
        if found.code in _SET_CODES:
            codes.append(_SET_CODES[found.code])
        elif found.code is ProblemCode.BAD_SET_HEADER:
            codes.append("6" if found.element_position == 1 else "7")
        elif found.segment_code and found.set_position:
            codes.append("5")
            key = (found.segment_id, found.set_position)
            note = notes.get(key) or SegmentNote(
                segment_id=found.segment_id, position=found.set_position, code=found.segment_code
            )
            if found.element_code and found.element_position:
                element = ElementNote(
                    position=found.element_position,
                    element_ref=found.element_ref or "",
                    code=found.element_code,
                    bad_value=(found.value or "")[:_MAX_BAD_VALUE],
                )
                note = note.model_copy(update={"elements": [*note.elements, element]})
            notes[key] = note
    rejected = any(p.rejects for p in problems)
    status = "R" if rejected else "E" if problems else "A"
    return SetAck(
        set_id=ts.set_id,
        control_number=ts.control_number,
        status=status,
        codes=_unique(codes),
        segments=list(notes.values()),
    )


def _unique(codes: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for code in codes:
        if code not in seen:
            seen.append(code)
    return seen


def _clean(value: str, delimiters: Delimiters) -> str:
    d = delimiters
    for char in (d.element, d.component, d.segment, d.repetition):
        value = value.replace(char, " ") if char else value
    return value.replace("\n", " ").replace("\r", " ")[:_MAX_BAD_VALUE]
