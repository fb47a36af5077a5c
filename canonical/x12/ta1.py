"""TA1 interchange acknowledgments: the only answer to an envelope we refuse.

When the ISA/IEA is broken nothing inside can be trusted to belong together, so no
997 is sent; a TA1 quotes the ISA13, ISA09 and ISA10 it answers, says `A` accepted,
`E` accepted with errors or `R` rejected (TA104), and gives a TA105 note code: 001
control numbers differ, 004 bad segment terminator, 005-008 bad sender/receiver
qualifier or id, 014/015 bad date/time, 017 bad version, 018 bad control number,
020 bad test indicator, 021 wrong group count, 022 invalid control structure, 023
premature end of file, 024 invalid content, 026/027 bad element/component separator.
"""

from pydantic import BaseModel, ConfigDict

from canonical.x12.structure import Interchange


class InterchangeAck(BaseModel):
    """TA1: TA101 control number, TA102 date, TA103 time, TA104 A/E/R, TA105 note."""

    model_config = ConfigDict(frozen=True)

    control_number: str
    date: str
    time: str
    status: str
    note_code: str


def ta1_for(interchange: Interchange) -> InterchangeAck:
    """The TA1 for an interchange: `R` with the first problem's note, else `A`/000."""
    first = next((p for p in interchange.problems if p.ta1_code), None)
    return InterchangeAck(
        control_number=interchange.control_number,
        date=interchange.date,
        time=interchange.time,
        status="R" if first else "A",
        note_code=first.ta1_code if first and first.ta1_code else "000",
    )


def read_ta1(interchange: Interchange) -> list[InterchangeAck]:
    """The TA1s an interchange carries (a partner's answer to our envelope)."""
    return [
        InterchangeAck(
            control_number=ta1.element(1),
            date=ta1.element(2),
            time=ta1.element(3),
            status=ta1.element(4),
            note_code=ta1.element(5),
        )
        for ta1 in interchange.acknowledgments
    ]
