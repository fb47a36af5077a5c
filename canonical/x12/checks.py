"""The envelope checks: trailer counts and control numbers, set headers.

Each check returns `X12Problem`s naming the segment, the element, the positions and
both numbers, so a partner can fix the file from the message alone.
"""

from dataclasses import dataclass

from canonical.x12.problems import ProblemCode, ProblemLevel, X12Problem
from canonical.x12.structure import Segment
from canonical.x12.values import is_digits, parse_int

SET = ProblemLevel.SET
GROUP = ProblemLevel.GROUP
INTERCHANGE = ProblemLevel.INTERCHANGE


def problem(
    code: ProblemCode,
    level: ProblemLevel,
    message: str,
    segment: Segment,
    *,
    element: int | None = None,
    value: str | None = None,
    ta1_code: str | None = None,
    segment_code: str | None = None,
    element_code: str | None = None,
) -> X12Problem:
    """A problem located at `segment`."""
    return X12Problem(
        code=code,
        level=level,
        message=message,
        segment_id=segment.id,
        file_position=segment.file_position,
        set_position=segment.set_position,
        element_position=element,
        value=value,
        ta1_code=ta1_code,
        segment_code=segment_code,
        element_code=element_code,
    )


def same_control(first: str, second: str) -> bool:
    """Control numbers agree; leading zeros are a sloppiness, not a mismatch."""
    first, second = first.strip(), second.strip()
    if first == second:
        return True
    return is_digits(first) and is_digits(second) and int(first) == int(second)


def set_header_problems(st: Segment, seen: dict[str, int]) -> list[X12Problem]:
    """ST01/ST02 present, and ST02 not already used in the group (`seen`)."""
    found: list[X12Problem] = []
    for position, what in ((1, "transaction set id"), (2, "control number")):
        if not st.element(position):
            message = f"ST{position:02d} ({what}) is missing"
            found.append(problem(ProblemCode.BAD_SET_HEADER, SET, message, st, element=position))
    control = st.element(2)
    if control in seen:
        message = (
            f"ST02 {control!r} is already used in this group by the set that starts"
            f" at segment {seen[control]} of the file"
        )
        found.append(
            problem(ProblemCode.DUPLICATE_SET_CONTROL, SET, message, st, element=2, value=control)
        )
    seen.setdefault(control, st.file_position)
    return found


@dataclass(frozen=True)
class Trailer:
    """How a trailer is checked: XX01 counts `what`, XX02 repeats a header element."""

    level: ProblemLevel
    count_code: ProblemCode
    what: str
    container: str
    control_at: int
    ta1_count: str | None = None
    ta1_control: str | None = None


SE_CHECK = Trailer(SET, ProblemCode.SEGMENT_COUNT, "segments", "set", 2)
GE_CHECK = Trailer(GROUP, ProblemCode.SET_COUNT, "transaction sets", "group", 6)
IEA_CHECK = Trailer(
    INTERCHANGE,
    ProblemCode.GROUP_COUNT,
    "functional groups",
    "interchange",
    13,
    ta1_count="021",
    ta1_control="001",
)


def trailer_problems(
    kind: Trailer, header: Segment, trailer: Segment, counted: int
) -> list[X12Problem]:
    """SE/GE/IEA against what was counted and against the header's control number."""
    found: list[X12Problem] = []
    declared = trailer.element(1)
    if parse_int(declared) != counted:
        message = f"{trailer.id}01 says {declared} {kind.what}, the {kind.container} has {counted}"
        found.append(
            problem(
                kind.count_code,
                kind.level,
                message,
                trailer,
                element=1,
                value=declared,
                ta1_code=kind.ta1_count,
            )
        )
    control, expected = trailer.element(2), header.element(kind.control_at)
    if not same_control(control, expected):
        message = (
            f"{trailer.id}02 {control!r} does not match"
            f" {header.id}{kind.control_at:02d} {expected!r}"
        )
        found.append(
            problem(
                ProblemCode.CONTROL_MISMATCH,
                kind.level,
                message,
                trailer,
                element=2,
                value=control,
                ta1_code=kind.ta1_control,
            )
        )
    return found
