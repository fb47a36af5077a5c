"""Our answers to a partner's purchase order, in the partner's terms.

From the order as Ordermesh sees it (`OrderView`) and the PO as the buyer wrote it
(`PartnerOrder`), the 855, the 856 of a shipment and the 810 of a billing document:
every line echoes the buyer's line id, item ids, unit and price, and quantities are
turned back from our base units into the buyer's (24 PC are 2 CA again). Pure.

How a partner judges them (mock-edi's rules, and any buyer's): an 855 confirms what
was ordered (a backordered line is `IB` at the full quantity: it will ship), a
rejected order is `RJ` with every line `IR`; an 856 ships no more than was confirmed;
an 810 bills no more than shipped, at the ordered price, and its total is the lines
plus tax.
"""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel

from canonical.statuses import OrderStatus
from canonical.view import OrderView
from canonical.x12.ack855 import AckLine, AckStatus, AckType, PoAck855
from canonical.x12.asn856 import ShipItem, ShipNotice856, ShipOrder
from canonical.x12.invoice810 import Invoice810, InvoiceLine, Tax, Terms
from canonical.x12.parties import Party
from canonical.x12.po850_models import BuyerLine


class PartnerOrder(BaseModel):
    """The purchase order an EDI partner sent: who, which PO, and each of our lines
    as the buyer wrote it.

    Attributes:
        lines: Our line number (10, 20, ...) to the buyer's line.
    """

    partner_id: str
    po_number: str
    po_date: date | None = None
    lines: dict[int, BuyerLine]


def acknowledgment(view: OrderView, po: PartnerOrder, today: date) -> PoAck855:
    """The 855: every line accepted, backordered (to ship later) or, for a rejected
    order, rejected."""
    rejected = view.status is OrderStatus.REJECTED
    waiting = {b.line_no for b in view.backorders if b.state == "waiting"}
    lines = []
    for line_no, buyer in sorted(po.lines.items()):
        ordered = buyer.quantity or Decimal(0)
        if rejected:
            status, confirmed = AckStatus.REJECTED, Decimal(0)
        elif line_no in waiting:
            status, confirmed = AckStatus.BACKORDERED, ordered
        else:
            status, confirmed = AckStatus.ACCEPTED, ordered
        lines.append(
            AckLine(
                line_id=buyer.line_id,
                quantity=ordered,
                uom=buyer.uom,
                unit_price=buyer.unit_price,
                price_basis=buyer.price_basis,
                product_ids=buyer.product_ids,
                status=status,
                ack_quantity=confirmed,
            )
        )
    if rejected:
        ack_type = AckType.REJECTED
    elif waiting:
        ack_type = AckType.WITH_CHANGES
    else:
        ack_type = AckType.NO_CHANGES
    return PoAck855(
        ack_type=ack_type,
        po_number=po.po_number,
        po_date=po.po_date,
        seller_order=view.erp_order_id,
        ack_date=today,
        lines=lines,
    )


def ship_notice(
    view: OrderView, po: PartnerOrder, shipment_id: str, now: datetime
) -> ShipNotice856:
    """The 856 of one shipment: what left, in the buyer's units."""
    shipment = next(s for s in view.shipments if s.shipment_id == shipment_id)
    items = []
    for line in shipment.outgoing_lines:
        buyer = po.lines.get(line.line_no)
        if buyer is None:
            continue
        items.append(
            ShipItem(
                line_id=buyer.line_id,
                product_ids=buyer.product_ids,
                quantity=_in_buyer_units(view, buyer, line.line_no, line.quantity),
                uom=buyer.uom,
                ordered_quantity=buyer.quantity,
            )
        )
    shipped = shipment.shipped_at.date() if shipment.shipped_at else now.date()
    ship_to = view.ship_to
    parties = []
    if ship_to is not None:
        parties.append(
            Party(
                role="ST",
                name=ship_to.name,
                street=[ship_to.street],
                city=ship_to.city,
                postal_code=ship_to.postal_code,
                country=ship_to.country,
            )
        )
    return ShipNotice856(
        shipment_id=shipment_id,
        notice_date=now.date(),
        notice_time=now.time().replace(microsecond=0),
        shipped_date=shipped,
        scac=_scac(shipment.carrier),
        carrier_name=shipment.carrier,
        tracking=shipment.tracking_number,
        lading_quantity=1,
        parties=parties,
        orders=[ShipOrder(po_number=po.po_number, po_date=po.po_date, items=items)],
    )


def invoice(view: OrderView, po: PartnerOrder, billing_document: str) -> Invoice810:
    """The 810 of one billing document: what it billed, at the buyer's prices, with
    the output tax the ERP charged."""
    billed = next(i for i in view.invoices if i.billing_document == billing_document)
    lines = []
    for line in billed.lines:
        buyer = po.lines.get(line.line_no)
        if buyer is None:
            continue
        quantity = _in_buyer_units(view, buyer, line.line_no, line.quantity)
        price = buyer.unit_price
        if price is None:  # the buyer named none: ours, per its unit
            price = (
                (line.net.amount / quantity).quantize(Decimal("0.01")) if quantity else Decimal(0)
            )
        lines.append(
            InvoiceLine(
                line_id=buyer.line_id,
                quantity=quantity,
                uom=buyer.uom,
                unit_price=price,
                price_basis=buyer.price_basis,
                product_ids=buyer.product_ids,
            )
        )
    taxes = [Tax(type_code="ST", amount=billed.tax.amount)] if billed.tax else []
    return Invoice810(
        invoice_number=billed.billing_document,
        invoice_date=billed.billed_on,
        po_number=po.po_number,
        po_date=po.po_date,
        currency=billed.net.currency,
        terms=_terms(billed.payment_terms),
        lines=lines,
        taxes=taxes,
    )


def _in_buyer_units(view: OrderView, buyer: BuyerLine, line_no: int, base: Decimal) -> Decimal:
    """`base` units of our line as the buyer counts them (24 PC of a 2 CA line: 2)."""
    ordered = next((line.quantity for line in view.lines if line.line_no == line_no), None)
    if not ordered or not buyer.quantity or ordered == buyer.quantity:
        return base
    return (base * buyer.quantity / ordered).normalize()


def _scac(carrier: str) -> str:
    """A carrier's SCAC from its name, as far as we know it (two to four letters)."""
    letters = "".join(c for c in carrier.upper() if c.isalpha())
    return letters[:4] if len(letters) >= 2 else ""


def _terms(payment_terms: str) -> Terms | None:
    """`NT30` and the like as ITD: net days from the invoice date."""
    digits = "".join(c for c in payment_terms if c.isdigit())
    return Terms(net_days=int(digits), description=payment_terms) if digits else None
