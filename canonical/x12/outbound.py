"""Writing our documents in the partner's terms: envelope, delimiters, counts.

The document modules (`ack855`, `asn856`, `invoice810`, `ack997`) turn pydantic
inputs into segment bodies; this module wraps bodies in ST/SE, GS/GE and ISA/IEA
with the right counts. Control numbers are parameters: numbering belongs to the
caller, who must persist it (a partner drops a reused ISA13 as a duplicate).

The ISA is written fixed-width (106 characters with its terminator), because many
translators still read it by offset even though we do not.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from canonical.x12.ack855 import PoAck855, ack855_segments
from canonical.x12.ack997 import Ack997, ack997_segments
from canonical.x12.asn856 import ShipNotice856, asn856_segments
from canonical.x12.body import Body, Element
from canonical.x12.invoice810 import Invoice810, invoice810_segments
from canonical.x12.ta1 import InterchangeAck
from canonical.x12.tokens import Delimiters
from canonical.x12.values import format_date, format_short_date

Qualifier = Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{1,2}$")]
PartyId = Annotated[str, StringConstraints(min_length=1, max_length=15)]
AppId = Annotated[str, StringConstraints(max_length=15)]
ControlNumber = Annotated[int, Field(ge=1, le=999_999_999)]

# GS01 for each set we write.
FUNCTIONAL_IDS = {"850": "PO", "855": "PR", "856": "SH", "810": "IN", "997": "FA"}


class EnvelopeParams(BaseModel):
    """Who sends to whom, with which numbers and delimiters.

    Attributes:
        app_sender / app_receiver: GS02 / GS03; the ISA ids when empty.
        first_set_control: ST02 of the first set; the next sets count up from it.
        created: ISA09/10 and GS04/05; given, not read from a clock, so the same
            document is written the same way twice.
        line_breaks: A newline after each terminator, for people reading the file;
            partners that count bytes do not want it, hence off by default.
    """

    model_config = ConfigDict(frozen=True)

    sender_qualifier: Qualifier = "ZZ"
    sender_id: PartyId
    receiver_qualifier: Qualifier = "ZZ"
    receiver_id: PartyId
    app_sender: AppId = ""
    app_receiver: AppId = ""
    interchange_control: ControlNumber
    group_control: ControlNumber
    first_set_control: ControlNumber = 1
    created: datetime
    usage: Literal["T", "P"] = "T"
    ack_requested: bool = False
    isa_version: Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")] = "00401"
    gs_version: Annotated[str, StringConstraints(min_length=1, max_length=12)] = "004010"
    delimiters: Delimiters = Delimiters()
    line_breaks: bool = False


class OutboundSet(BaseModel):
    """One transaction set to write: its id and its body (ST and SE are added)."""

    set_id: str
    body: Body


def encode_segment(elements: Sequence[Element], delimiters: Delimiters) -> str:
    """One segment's text without its terminator; trailing empty elements dropped.

    Raises:
        ValueError: When a value holds a delimiter: written as is it would silently
            shift every element after it, so it is refused instead.
    """
    reserved = {delimiters.element, delimiters.component, delimiters.segment}
    reserved |= {delimiters.repetition} if delimiters.repetition else set()
    texts: list[str] = []
    for position, element in enumerate(elements):
        parts = (element,) if isinstance(element, str) else element
        for part in parts:
            bad = next((char for char in reserved if char and char in part), None)
            if bad is not None:
                raise ValueError(
                    f"{elements[0]}{position:02d} {part!r} contains the delimiter {bad!r}"
                )
        texts.append(delimiters.component.join(parts).rstrip(delimiters.component))
    while len(texts) > 1 and texts[-1] == "":
        texts.pop()
    return delimiters.element.join(texts)


def write_interchange(envelope: EnvelopeParams, sets: Sequence[OutboundSet]) -> str:
    """ISA, one GS, the sets with ST/SE, GE and IEA.

    Raises:
        ValueError: When the sets need different functional groups or none is given.
    """
    ids = {FUNCTIONAL_IDS.get(item.set_id, "") for item in sets}
    if len(ids) != 1 or "" in ids:
        raise ValueError(f"one interchange holds one functional group, not {sorted(ids)}")
    functional_id = ids.pop()
    segments: Body = [_gs(envelope, functional_id)]
    for index, item in enumerate(sets):
        control = f"{envelope.first_set_control + index:04d}"
        segments.append(["ST", item.set_id, control])
        segments.extend(item.body)
        segments.append(["SE", str(len(item.body) + 2), control])
    segments.append(["GE", str(len(sets)), str(envelope.group_control)])
    return _wrap(envelope, segments, groups=1)


def write_ta1(envelope: EnvelopeParams, ack: InterchangeAck) -> str:
    """An interchange holding only a TA1: the answer to an envelope we refuse."""
    body: Body = [["TA1", ack.control_number, ack.date, ack.time, ack.status, ack.note_code]]
    return _wrap(envelope, body, groups=0)


def write_997(envelope: EnvelopeParams, acks: Sequence[Ack997]) -> str:
    body = [ack997_segments(ack, _delimiters(envelope)) for ack in acks]
    return write_interchange(envelope, [OutboundSet(set_id="997", body=b) for b in body])


def write_855(envelope: EnvelopeParams, acks: Sequence[PoAck855]) -> str:
    body = [ack855_segments(ack) for ack in acks]
    return write_interchange(envelope, [OutboundSet(set_id="855", body=b) for b in body])


def write_856(envelope: EnvelopeParams, notices: Sequence[ShipNotice856]) -> str:
    body = [asn856_segments(notice) for notice in notices]
    return write_interchange(envelope, [OutboundSet(set_id="856", body=b) for b in body])


def write_810(envelope: EnvelopeParams, invoices: Sequence[Invoice810]) -> str:
    body = [invoice810_segments(invoice) for invoice in invoices]
    return write_interchange(envelope, [OutboundSet(set_id="810", body=b) for b in body])


def _gs(envelope: EnvelopeParams, functional_id: str) -> list[Element]:
    created = envelope.created
    return [
        "GS",
        functional_id,
        envelope.app_sender or envelope.sender_id,
        envelope.app_receiver or envelope.receiver_id,
        format_date(created.date()),
        created.strftime("%H%M"),
        str(envelope.group_control),
        "X",
        envelope.gs_version,
    ]


def _delimiters(envelope: EnvelopeParams) -> Delimiters:
    """The delimiters as written: from 00402 on ISA11 is a repetition separator,
    `^` unless one is given, and data must then not hold it either."""
    d = envelope.delimiters
    if envelope.isa_version >= "00402" and not d.repetition:
        return d.model_copy(update={"repetition": "^"})
    return d


def _isa(envelope: EnvelopeParams) -> str:
    d = _delimiters(envelope)
    # ISA11 is the standards id `U` up to 00401 and the repetition separator after.
    isa11 = "U" if envelope.isa_version < "00402" else d.repetition
    fields = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        envelope.sender_qualifier.ljust(2),
        envelope.sender_id.ljust(15),
        envelope.receiver_qualifier.ljust(2),
        envelope.receiver_id.ljust(15),
        format_short_date(envelope.created.date()),
        envelope.created.strftime("%H%M"),
        isa11,
        envelope.isa_version,
        f"{envelope.interchange_control:09d}",
        "1" if envelope.ack_requested else "0",
        envelope.usage,
        d.component,
    ]
    return d.element.join(fields)


def _wrap(envelope: EnvelopeParams, segments: Body, *, groups: int) -> str:
    d = _delimiters(envelope)
    terminator = d.segment + ("\n" if envelope.line_breaks and d.segment != "\n" else "")
    iea: list[Element] = ["IEA", str(groups), f"{envelope.interchange_control:09d}"]
    lines = [_isa(envelope), *(encode_segment(s, d) for s in [*segments, iea])]
    return terminator.join(lines) + terminator
