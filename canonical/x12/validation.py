"""Assembling segments into sets, groups and interchanges, checking each envelope.

The drafts here are mutable while segments arrive and become the frozen models of
`canonical.x12.structure` when their trailer (or the lack of one) closes them; the
checks themselves are in `canonical.x12.checks`.
"""

from dataclasses import dataclass, field

from canonical.x12.checks import (
    GE_CHECK,
    GROUP,
    IEA_CHECK,
    INTERCHANGE,
    SE_CHECK,
    SET,
    problem,
    set_header_problems,
    trailer_problems,
)
from canonical.x12.problems import ProblemCode, X12Problem
from canonical.x12.structure import FunctionalGroup, Interchange, Segment, TransactionSet
from canonical.x12.tokens import Delimiters
from canonical.x12.values import parse_int


@dataclass
class SetDraft:
    header: Segment
    segments: list[Segment] = field(default_factory=list)
    problems: list[X12Problem] = field(default_factory=list)

    def build(self) -> TransactionSet:
        return TransactionSet(
            set_id=self.header.element(1),
            control_number=self.header.element(2),
            implementation_ref=self.header.element(3),
            segments=self.segments,
            problems=self.problems,
        )


@dataclass
class GroupDraft:
    header: Segment
    sets: list[TransactionSet] = field(default_factory=list)
    open_set: SetDraft | None = None
    problems: list[X12Problem] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)


@dataclass
class InterchangeDraft:
    header: Segment
    delimiters: Delimiters
    groups: list[FunctionalGroup] = field(default_factory=list)
    open_group: GroupDraft | None = None
    problems: list[X12Problem] = field(default_factory=list)
    trailer: Segment | None = None
    acknowledgments: list[Segment] = field(default_factory=list)

    @property
    def open_set(self) -> SetDraft | None:
        return self.open_group.open_set if self.open_group else None

    def add(self, segment: Segment) -> None:
        """Place one segment (ST, SE, GS, GE, IEA or data) in the structure."""
        group, open_set = self.open_group, self.open_set
        if segment.id == "GS":
            self._end_group(None, segment)
            self.open_group = GroupDraft(segment)
        elif segment.id == "ST":
            if group is None:
                self.note(segment, ProblemCode.UNEXPECTED_SEGMENT, "ST outside a functional group")
                return
            self._end_set(None, segment)
            group.open_set = self._start_set(group, segment)
        elif segment.id in ("GE", "IEA"):
            self._end_set(None, segment)
            if segment.id == "GE" and group is None:
                self.note(segment, ProblemCode.UNEXPECTED_SEGMENT, "GE without a GS")
            elif segment.id == "GE":
                self._end_group(segment, segment)
            else:
                self._end_group(None, segment)
                self._end_interchange(segment)
        elif open_set is not None:
            open_set.segments.append(segment)
            if segment.id == "SE":
                self._end_set(segment, segment)
        elif segment.id == "TA1" and group is None:
            self.acknowledgments.append(segment)
        elif group is not None:
            what = "SE without an ST" if segment.id == "SE" else f"{segment.id} between sets"
            self.note(segment, ProblemCode.UNEXPECTED_SEGMENT, what)
        else:
            self.note(segment, ProblemCode.UNEXPECTED_SEGMENT, f"{segment.id} outside a group")

    def note(
        self,
        segment: Segment,
        code: ProblemCode,
        message: str,
        *,
        element: int | None = None,
        value: str | None = None,
        segment_code: str | None = None,
        element_code: str | None = None,
    ) -> None:
        """A problem at the innermost open level (set, else group, else interchange)."""
        target = self.open_set or self.open_group
        level = SET if self.open_set else GROUP if self.open_group else INTERCHANGE
        found = problem(
            code,
            level,
            message,
            segment,
            element=element,
            value=value,
            ta1_code="024" if level is INTERCHANGE else None,
            segment_code=segment_code if level is SET else None,
            element_code=element_code if level is SET else None,
        )
        (target.problems if target else self.problems).append(found)

    def missing_iea(self, next_isa_position: int) -> None:
        self._end_group(None, self.header)
        self.problems.append(
            X12Problem(
                code=ProblemCode.MISSING_TRAILER,
                level=INTERCHANGE,
                message=f"interchange {self.header.element(13)} has no IEA before the next ISA",
                segment_id="IEA",
                file_position=next_isa_position,
                ta1_code="023",
            )
        )

    def truncated(self, last: Segment, cut_inside: bool) -> None:
        self._end_group(None, last)
        how = "in the middle of" if cut_inside else "after"
        self.problems.append(
            problem(
                ProblemCode.TRUNCATED,
                INTERCHANGE,
                f"the file ends {how} segment {last.file_position} ({last.id}) without an IEA",
                last,
                ta1_code="023",
            )
        )

    def build(self) -> Interchange:
        isa = self.header
        return Interchange(
            sender_qualifier=isa.element(5),
            sender_id=isa.element(6),
            receiver_qualifier=isa.element(7),
            receiver_id=isa.element(8),
            date=isa.element(9),
            time=isa.element(10),
            version=isa.element(12),
            control_number=isa.element(13),
            ack_requested=isa.element(14),
            usage=isa.element(15),
            delimiters=self.delimiters,
            header=isa,
            trailer=self.trailer,
            declared_groups=parse_int(self.trailer.element(1)) if self.trailer else None,
            groups=self.groups,
            acknowledgments=self.acknowledgments,
            problems=self.problems,
        )

    def _start_set(self, group: GroupDraft, st: Segment) -> SetDraft:
        return SetDraft(st, [st], set_header_problems(st, group.seen))

    def _end_set(self, se: Segment | None, at: Segment) -> None:
        group = self.open_group
        draft = group.open_set if group else None
        if group is None or draft is None:
            return
        st = draft.header
        if se is None:
            message = f"set {st.element(2)} ({st.element(1)}) has no SE: {at.id} came first"
            missing = at.model_copy(update={"id": "SE"})
            draft.problems.append(problem(ProblemCode.MISSING_TRAILER, SET, message, missing))
        else:
            draft.problems.extend(trailer_problems(SE_CHECK, st, se, len(draft.segments)))
        group.sets.append(draft.build())
        group.open_set = None

    def _end_group(self, ge: Segment | None, at: Segment) -> None:
        draft = self.open_group
        if draft is None:
            return
        self._end_set(None, at)
        gs = draft.header
        if ge is None:
            message = f"group {gs.element(6)} ({gs.element(1)}) has no GE: {at.id} came first"
            missing = at.model_copy(update={"id": "GE", "set_position": None})
            draft.problems.append(problem(ProblemCode.MISSING_TRAILER, GROUP, message, missing))
        else:
            draft.problems.extend(trailer_problems(GE_CHECK, gs, ge, len(draft.sets)))
        self.groups.append(
            FunctionalGroup(
                functional_id=gs.element(1),
                app_sender=gs.element(2),
                app_receiver=gs.element(3),
                date=gs.element(4),
                time=gs.element(5),
                control_number=gs.element(6),
                agency=gs.element(7),
                version=gs.element(8),
                header=gs,
                trailer=ge,
                declared_sets=parse_int(ge.element(1)) if ge else None,
                sets=draft.sets,
                problems=draft.problems,
            )
        )
        self.open_group = None

    def _end_interchange(self, iea: Segment) -> None:
        self.trailer = iea
        self.problems.extend(trailer_problems(IEA_CHECK, self.header, iea, len(self.groups)))
