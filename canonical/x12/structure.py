"""The shape of a parsed X12 file: interchanges, functional groups, transaction sets.

Values are kept as received (element text is not trimmed except for the padding
of the fixed-width ISA), so what we echo back to a partner is what they sent.
Problems found while reading stay attached to the level they spoil; see
`canonical.x12.problems`.
"""

from pydantic import BaseModel, ConfigDict

from canonical.x12.problems import X12Problem
from canonical.x12.tokens import Delimiters


class Segment(BaseModel):
    """One segment: its id and its elements.

    Attributes:
        elements: The elements after the id; `elements[0]` is XX01.
        file_position: 1-based ordinal in the file (the first ISA is 1).
        set_position: 1-based ordinal within its transaction set (ST = 1), or None
            outside one.
        component_separator: ISA16 of its interchange, for `composite`.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    elements: list[str]
    file_position: int
    set_position: int | None = None
    component_separator: str = ""

    def element(self, position: int) -> str:
        """XXnn by its 1-based position, stripped; empty when absent."""
        if 1 <= position <= len(self.elements):
            return self.elements[position - 1].strip()
        return ""

    def composite(self, position: int) -> list[str]:
        """XXnn split into its components (on demand: most elements are simple)."""
        value = self.element(position)
        if not self.component_separator:
            return [value]
        return value.split(self.component_separator)


class TransactionSet(BaseModel):
    """ST ... SE.

    Attributes:
        segments: Every segment from ST to SE inclusive (SE is missing when the set
            had no trailer).
        problems: Set-level problems; any rejecting one makes the 997 reject the set.
    """

    model_config = ConfigDict(frozen=True)

    set_id: str
    control_number: str
    implementation_ref: str = ""
    segments: list[Segment]
    problems: list[X12Problem] = []

    @property
    def body(self) -> list[Segment]:
        """The segments between ST and SE."""
        end = -1 if self.segments and self.segments[-1].id == "SE" else len(self.segments)
        return self.segments[1:end]

    @property
    def accepted(self) -> bool:
        return not any(problem.rejects for problem in self.problems)

    def find(self, segment_id: str) -> Segment | None:
        return next((s for s in self.segments if s.id == segment_id), None)

    def find_all(self, segment_id: str) -> list[Segment]:
        return [s for s in self.segments if s.id == segment_id]


class FunctionalGroup(BaseModel):
    """GS ... GE.

    Attributes:
        functional_id: GS01 (`PO`, `IN`, `SH`, `PR`, `FA`, ...).
        app_sender / app_receiver: GS02 / GS03.
        date / time: GS04 / GS05 as received.
        control_number: GS06, which the 997's AK102 quotes.
        version: GS08 (`004010`, `004010VICS`, `003010`...).
        declared_sets: GE01 as sent (None when GE is missing or unreadable).
    """

    model_config = ConfigDict(frozen=True)

    functional_id: str
    app_sender: str
    app_receiver: str
    date: str
    time: str
    control_number: str
    agency: str
    version: str
    header: Segment
    trailer: Segment | None = None
    declared_sets: int | None = None
    sets: list[TransactionSet] = []
    problems: list[X12Problem] = []


class Interchange(BaseModel):
    """ISA ... IEA.

    Attributes:
        sender_qualifier / sender_id: ISA05 / ISA06, trimmed.
        receiver_qualifier / receiver_id: ISA07 / ISA08, trimmed.
        control_number: ISA13, which IEA02 and a TA1 quote.
        version: ISA12 (`00401`, `00501`, `00200`...).
        usage: ISA15, `T` test or `P` production.
        acknowledgments: TA1 segments, which sit between ISA and IEA outside any group.
        problems: Interchange-level problems; any of them refuses the interchange.
    """

    model_config = ConfigDict(frozen=True)

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: str
    time: str
    version: str
    control_number: str
    ack_requested: str
    usage: str
    delimiters: Delimiters
    header: Segment
    trailer: Segment | None = None
    declared_groups: int | None = None
    groups: list[FunctionalGroup] = []
    acknowledgments: list[Segment] = []
    problems: list[X12Problem] = []

    @property
    def is_test(self) -> bool:
        return self.usage == "T"

    @property
    def transaction_sets(self) -> list[TransactionSet]:
        return [ts for group in self.groups for ts in group.sets]


class X12File(BaseModel):
    """Everything read from one file, tolerant: nothing is thrown away.

    Attributes:
        problems: File-level problems (no ISA, data after the last IEA).
    """

    model_config = ConfigDict(frozen=True)

    interchanges: list[Interchange] = []
    problems: list[X12Problem] = []

    @property
    def refusals(self) -> list[X12Problem]:
        """The problems that refuse an interchange: file- and interchange-level."""
        return [*self.problems, *(p for i in self.interchanges for p in i.problems)]

    @property
    def transaction_sets(self) -> list[TransactionSet]:
        return [ts for interchange in self.interchanges for ts in interchange.transaction_sets]
