"""What can be wrong with an X12 file, said precisely enough to answer it.

Every defect the envelope reader finds becomes an `X12Problem`: a typed `code`, the
level it spoils, the segment it was found at (by id and by position, both within the
file and within its transaction set), the element when one is at fault, and a
sentence a person can act on ("SE01 says 28 segments, the set has 27").

The level decides what can be answered:

* `interchange`: the ISA/IEA envelope itself is broken. Nothing inside can be trusted
  to belong together, so no 997 is sent; at most a TA1 with `ta1_code`.
* `group`: a GS/GE defect. The 997 for that group says so in AK9.
* `set`: one transaction set is bad. The 997 rejects that set (AK5) and the other
  sets of the group are still accepted.

`X12Refusal` is the exception `parse_interchanges` raises when an interchange must be
refused; it carries every interchange-level problem and whatever could be read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from canonical.x12.structure import Interchange


class ProblemCode(StrEnum):
    NO_ISA = "no_isa"
    BAD_ISA = "bad_isa"
    TRUNCATED = "truncated"
    TRAILING_DATA = "trailing_data"
    MISSING_TRAILER = "missing_trailer"
    CONTROL_MISMATCH = "control_mismatch"
    GROUP_COUNT = "group_count"
    SET_COUNT = "set_count"
    SEGMENT_COUNT = "segment_count"
    DUPLICATE_SET_CONTROL = "duplicate_set_control"
    BAD_SET_HEADER = "bad_set_header"
    UNEXPECTED_SEGMENT = "unexpected_segment"
    MISSING_TERMINATOR = "missing_terminator"
    BAD_SEGMENT_ID = "bad_segment_id"
    # For callers that validate content and want it in the 997 (AK3/AK4).
    SEGMENT_ERROR = "segment_error"


class ProblemLevel(StrEnum):
    INTERCHANGE = "interchange"
    GROUP = "group"
    SET = "set"


class X12Problem(BaseModel):
    """One defect, located.

    Attributes:
        segment_id: The segment it was found at (`SE`, `IEA`, `DTM`...).
        file_position: 1-based ordinal of that segment in the file (ISA = 1).
        set_position: 1-based ordinal within its transaction set (ST = 1), when
            the segment is inside one; this is what AK302 reports.
        element_position: 1-based element (SE01 is 1) when one element is at fault.
        value: The offending value as received, when there is one.
        ta1_code: TA105 note code for interchange-level problems.
        segment_code: AK304 syntax error code when the 997 should name the segment.
        element_code: AK403 error code when the 997 should name the element.
        element_ref: AK402 data element reference number, when known.
        rejects: False for a defect that is noted but does not reject the set
            (AK5 `E`, accepted with errors).
    """

    model_config = ConfigDict(frozen=True)

    code: ProblemCode
    level: ProblemLevel
    message: str
    segment_id: str = ""
    file_position: int | None = None
    set_position: int | None = None
    element_position: int | None = None
    value: str | None = None
    ta1_code: str | None = None
    segment_code: str | None = None
    element_code: str | None = None
    element_ref: str | None = None
    rejects: bool = True

    def __str__(self) -> str:
        where = self.segment_id
        if self.element_position is not None:
            where = f"{self.segment_id}{self.element_position:02d}"
        at = f" (segment {self.file_position} of the file)" if self.file_position else ""
        return f"{self.code}: {where}{at}: {self.message}"


class X12Refusal(Exception):
    """An interchange that must be refused as a whole.

    Attributes:
        problems: Every interchange-level problem found; the first is the reason.
        interchanges: What could be read anyway (possibly empty), for logging and
            for showing a partner everything that is wrong at once.
    """

    def __init__(
        self, problems: list[X12Problem], interchanges: list[Interchange] | None = None
    ) -> None:
        if not problems:
            raise ValueError("a refusal needs at least one problem")
        super().__init__(str(problems[0]))
        self.problems = problems
        self.interchanges = interchanges or []

    @property
    def problem(self) -> X12Problem:
        return self.problems[0]

    @property
    def code(self) -> ProblemCode:
        return self.problems[0].code

    @property
    def segment_id(self) -> str:
        return self.problems[0].segment_id

    @property
    def file_position(self) -> int | None:
        return self.problems[0].file_position

    @property
    def element_position(self) -> int | None:
        return self.problems[0].element_position

    @property
    def message(self) -> str:
        return self.problems[0].message
