"""Our 855, 856 and 810 speak the buyer's terms: its line ids, units and prices."""

from datetime import UTC, date, datetime
from decimal import Decimal

from canonical.address import Address
from canonical.invoices import Invoice, InvoiceLine
from canonical.money import Money
from canonical.orders import OrderLine
from canonical.quantities import UnitOfMeasure
from canonical.shipments import Backorder, Shipment, ShipmentLine
from canonical.statuses import OrderStatus, ShipmentStatus
from canonical.view import OrderView
from canonical.x12.ack855 import AckStatus, AckType, read_855
from canonical.x12.answers import PartnerOrder, acknowledgment, invoice, ship_notice
from canonical.x12.asn856 import read_856
from canonical.x12.envelope import parse_interchanges
from canonical.x12.invoice810 import read_810
from canonical.x12.outbound import EnvelopeParams, write_810, write_855, write_856
from canonical.x12.po850_models import BuyerLine
from canonical.x12.values import ProductId

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
EUR = "EUR"

# 5 EA of TG11 at 95.00, and 2 CA (of 12 PC) of the buyer's part for TG12 at 1794.00.
PO = PartnerOrder(
    partner_id="MOCKEDI",
    po_number="4500009001",
    po_date=date(2026, 12, 1),
    lines={
        10: BuyerLine(
            po1_index=1,
            line_id="1",
            quantity=Decimal(5),
            uom="EA",
            unit_price=Decimal("95.00"),
            product_ids=[ProductId(qualifier="VP", id="TG11")],
        ),
        20: BuyerLine(
            po1_index=2,
            line_id="2",
            quantity=Decimal(2),
            uom="CA",
            unit_price=Decimal("1794.00"),
            product_ids=[ProductId(qualifier="VP", id="MOCK-TG12-CASE")],
        ),
    },
)


def view(**changes: object) -> OrderView:
    base = OrderView(
        order_id="EDI-1",
        status=OrderStatus.SHIPPED,
        customer_id="1000001",
        erp_order_id="5000001",
        ship_to=Address(
            name="Mock EDI Supply Co",
            street="500 Seaport Boulevard",
            city="Boston",
            postal_code="02210",
            country="US",
        ),
        lines=[
            OrderLine(
                line_no=10,
                sku="TG11",
                quantity=Decimal(5),
                uom=UnitOfMeasure.PC,
                unit_price=Money(amount=Decimal("95.00"), currency=EUR),
                net=Money(amount=Decimal("475.00"), currency=EUR),
            ),
            OrderLine(
                line_no=20,
                sku="TG12",
                quantity=Decimal(24),
                uom=UnitOfMeasure.PC,
                unit_price=Money(amount=Decimal("149.50"), currency=EUR),
                net=Money(amount=Decimal("3588.00"), currency=EUR),
            ),
        ],
        shipments=[
            Shipment(
                shipment_id="EDI-1-S1",
                warehouse="W1",
                status=ShipmentStatus.SHIPPED,
                carrier="SANDBOX-PARCEL",
                tracking_number="1Z999",
                shipped_at=NOW,
                lines=[
                    ShipmentLine(line_no=10, sku="TG11", quantity=Decimal(5), uom="PC"),
                    ShipmentLine(line_no=20, sku="TG12", quantity=Decimal(24), uom="PC"),
                ],
            )
        ],
        invoices=[
            Invoice(
                billing_document="0090000001",
                sales_order="5000001",
                net=Money(amount=Decimal("4063.00"), currency=EUR),
                tax=Money(amount=Decimal("771.97"), currency=EUR),
                gross=Money(amount=Decimal("4834.97"), currency=EUR),
                billed_on=date(2026, 12, 1),
                payment_terms="NT30",
                lines=[
                    InvoiceLine(
                        line_no=10,
                        sku="TG11",
                        quantity=Decimal(5),
                        net=Money(amount=Decimal("475.00"), currency=EUR),
                    ),
                    InvoiceLine(
                        line_no=20,
                        sku="TG12",
                        quantity=Decimal(24),
                        net=Money(amount=Decimal("3588.00"), currency=EUR),
                    ),
                ],
            )
        ],
    )
    return base.model_copy(update=changes)


ENVELOPE = EnvelopeParams(
    sender_id="ORDERMESH",
    receiver_id="MOCKEDI",
    interchange_control=7,
    group_control=7,
    created=NOW,
)


def test_the_855_accepts_each_line_as_ordered() -> None:
    ack = acknowledgment(view(status=OrderStatus.ALLOCATED), PO, NOW.date())

    assert ack.ack_type is AckType.NO_CHANGES
    assert [(a.line_id, a.status, a.ack_quantity, a.uom) for a in ack.lines] == [
        ("1", AckStatus.ACCEPTED, Decimal(5), "EA"),
        ("2", AckStatus.ACCEPTED, Decimal(2), "CA"),
    ]
    [interchange] = parse_interchanges(write_855(ENVELOPE, [ack]))
    read = read_855(interchange.groups[0].sets[0])
    assert read.po_number == "4500009001"
    assert [(a.line_id, a.unit_price) for a in read.lines] == [
        ("1", Decimal("95.00")),
        ("2", Decimal("1794.00")),
    ]


def test_a_backordered_line_is_ib_at_the_full_quantity_and_a_rejection_is_rj() -> None:
    waiting = Backorder(
        line_no=20, sku="TG12", quantity=Decimal(24), uom="PC", since=NOW, until=NOW
    )
    ack = acknowledgment(view(backorders=[waiting]), PO, NOW.date())
    assert ack.ack_type is AckType.WITH_CHANGES
    assert [(a.status, a.ack_quantity) for a in ack.lines] == [
        (AckStatus.ACCEPTED, Decimal(5)),
        (AckStatus.BACKORDERED, Decimal(2)),
    ]

    refused = acknowledgment(view(status=OrderStatus.REJECTED), PO, NOW.date())
    assert refused.ack_type is AckType.REJECTED
    assert {(a.status, a.ack_quantity) for a in refused.lines} == {(AckStatus.REJECTED, Decimal(0))}


def test_the_856_ships_in_the_buyers_units_with_the_tracking_number() -> None:
    notice = ship_notice(view(), PO, "EDI-1-S1", NOW)

    [order] = notice.orders
    assert (order.po_number, notice.tracking, notice.shipped_date) == (
        "4500009001",
        "1Z999",
        NOW.date(),
    )
    assert [(i.line_id, i.quantity, i.uom) for i in order.items] == [
        ("1", Decimal(5), "EA"),
        ("2", Decimal(2), "CA"),  # 24 PC are the buyer's 2 cases
    ]
    [interchange] = parse_interchanges(write_856(ENVELOPE, [notice]))
    read = read_856(interchange.groups[0].sets[0])
    assert [(i.quantity, i.uom) for i in read.orders[0].items] == [
        (Decimal(5), "EA"),
        (Decimal(2), "CA"),
    ]


def test_the_810_bills_at_the_buyers_prices_plus_the_erps_tax() -> None:
    billed = invoice(view(), PO, "0090000001")

    assert [(i.line_id, i.quantity, i.uom, i.unit_price) for i in billed.lines] == [
        ("1", Decimal(5), "EA", Decimal("95.00")),
        ("2", Decimal(2), "CA", Decimal("1794.00")),
    ]
    assert billed.total == Decimal("4834.97")  # 475.00 + 3588.00 + 771.97
    assert billed.terms is not None and billed.terms.net_days == 30
    [interchange] = parse_interchanges(write_810(ENVELOPE, [billed]))
    read = read_810(interchange.groups[0].sets[0])
    assert read.invoice_number == "0090000001"
    assert read.total == Decimal("4834.97")
    assert read.findings == []
