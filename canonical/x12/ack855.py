"""The 855 purchase order acknowledgment we send, and reading one back.

Each line echoes the buyer's PO1 as they wrote it (line id, quantity, unit, price,
product ids: keep them from `SubmissionResult.line_map`) and says what we do with it
in ACK: `IA` accepted, `IB` backordered, `IR` rejected, with the quantity and, when
we commit to one, the date (ACK04 `068` current schedule ship, ACK05). BAK02 is `AD`
when every line is accepted as ordered and `AC` when something changed; BAK08
carries our order number and BAK09 the acknowledgment date.
"""

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from canonical.x12.body import Body, Element
from canonical.x12.parties import Party, party_segments, read_parties
from canonical.x12.reading import Loops, date_at, decimal_at, descriptions, finding, product_ids
from canonical.x12.reading import reference as read_reference
from canonical.x12.structure import TransactionSet
from canonical.x12.values import Finding, ProductId, Reference, format_date, format_decimal

SCHEDULED_SHIP = "068"


class AckStatus(StrEnum):
    """ACK01 (668) line item status codes we write and read."""

    ACCEPTED = "IA"
    BACKORDERED = "IB"
    ACCEPTED_CHANGED = "IC"
    DELETED = "ID"
    QUANTITY_CHANGED = "IQ"
    PRICE_CHANGED = "IP"
    REJECTED = "IR"
    RESCHEDULED = "DR"


class AckType(StrEnum):
    """BAK02 (587)."""

    WITH_CHANGES = "AC"
    NO_CHANGES = "AD"
    NO_DETAIL = "AK"
    REJECTED_WITH_DETAIL = "RD"
    REJECTED = "RJ"


_STATUSES = {s.value for s in AckStatus}
_ACK_TYPES = {t.value for t in AckType}


class AckLine(BaseModel):
    """A PO1 echoed back with its ACK.

    Attributes:
        ack_uom: ACK03 when it differs from the line's unit; None means the same.
        scheduled: The ship date we commit to (ACK04 `068`, ACK05).
    """

    model_config = ConfigDict(frozen=True)

    line_id: str
    quantity: Decimal
    uom: str
    unit_price: Decimal | None = None
    price_basis: str = ""
    product_ids: list[ProductId] = []
    description: str = ""
    status: AckStatus
    ack_quantity: Decimal
    ack_uom: str | None = None
    scheduled: date | None = None


class PoAck855(BaseModel):
    """An 855 for one purchase order."""

    model_config = ConfigDict(frozen=True)

    purpose: str = "00"
    ack_type: AckType
    po_number: str
    po_date: date | None = None
    seller_order: str = ""
    ack_date: date | None = None
    currency: str | None = None
    references: list[Reference] = []
    parties: list[Party] = []
    lines: list[AckLine] = []
    findings: list[Finding] = []


def ack855_segments(ack: PoAck855) -> Body:
    """The 855 body: BAK, CUR, REF, N1 loops, PO1/PID/ACK per line, CTT."""
    po_date = format_date(ack.po_date) if ack.po_date else ""
    ack_date = format_date(ack.ack_date) if ack.ack_date else ""
    # BAK05-07 (release, request reference, contract) are not ours to fill.
    bak: list[Element] = ["BAK", ack.purpose, ack.ack_type, ack.po_number, po_date]
    body: Body = [[*bak, "", "", "", ack.seller_order, ack_date]]
    if ack.currency:
        body.append(["CUR", "SE", ack.currency])
    body.extend(["REF", r.qualifier, r.value, r.description] for r in ack.references)
    for party in ack.parties:
        body.extend(party_segments(party))
    for line in ack.lines:
        price = format_decimal(line.unit_price) if line.unit_price is not None else ""
        ids: list[Element] = [part for p in line.product_ids for part in (p.qualifier, p.id)]
        quantity = format_decimal(line.quantity)
        body.append(["PO1", line.line_id, quantity, line.uom, price, line.price_basis, *ids])
        if line.description:
            body.append(["PID", "F", "", "", "", line.description])
        when: list[Element] = (
            [SCHEDULED_SHIP, format_date(line.scheduled)] if line.scheduled else []
        )
        ack_quantity = format_decimal(line.ack_quantity)
        body.append(["ACK", line.status, ack_quantity, line.ack_uom or line.uom, *when])
    body.append(["CTT", str(len(ack.lines))])
    return body


def read_855(ts: TransactionSet) -> PoAck855:
    """An 855 (ours or a partner's) read into the model we write."""
    findings: list[Finding] = []
    loops = Loops(ts.body, "PO1", ("CTT",))
    bak = ts.find("BAK")
    if bak is None:
        findings.append(Finding(code="missing_segment", segment_id="BAK", message="no BAK"))
    references = [read_reference(s) for s in loops.header if s.id == "REF"]
    cur = next((s for s in loops.header if s.id == "CUR"), None)
    parties = read_parties(loops.header)
    lines: list[AckLine] = []
    for block in loops.loops:
        po1 = block[0]
        ack = next((s for s in block if s.id == "ACK"), None)
        if ack is None:
            findings.append(finding("missing_segment", po1, "PO1 without an ACK"))
            continue
        status = ack.element(1)
        if status not in _STATUSES:
            findings.append(finding("unknown_status", ack, f"ACK01 {status!r} is not one we know"))
            continue
        scheduled = date_at(ack, 5, findings) if ack.element(4) == SCHEDULED_SHIP else None
        uom = po1.element(3)
        lines.append(
            AckLine(
                line_id=po1.element(1),
                quantity=decimal_at(po1, 2, findings) or Decimal(0),
                uom=uom,
                unit_price=decimal_at(po1, 4, findings),
                price_basis=po1.element(5),
                product_ids=product_ids(po1, 6),
                description=descriptions(block),
                status=AckStatus(status),
                ack_quantity=decimal_at(ack, 2, findings) or Decimal(0),
                ack_uom=None if ack.element(3) in ("", uom) else ack.element(3),
                scheduled=scheduled,
            )
        )
    ack_type = bak.element(2) if bak else ""
    if ack_type not in _ACK_TYPES:
        findings.append(
            Finding(code="unknown_ack_type", segment_id="BAK", message=f"BAK02 {ack_type!r}")
        )
        ack_type = AckType.NO_CHANGES
    return PoAck855(
        purpose=bak.element(1) if bak else "",
        ack_type=AckType(ack_type),
        po_number=bak.element(3) if bak else "",
        po_date=date_at(bak, 4, findings) if bak else None,
        seller_order=bak.element(8) if bak else "",
        ack_date=date_at(bak, 9, findings) if bak else None,
        currency=cur.element(2) if cur else None,
        references=references,
        parties=parties,
        lines=lines,
        findings=findings,
    )
