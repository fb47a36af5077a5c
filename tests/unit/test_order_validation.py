"""The verdict on a submission: every rule of `judge`, with no ERP."""

from decimal import Decimal

import pytest

from activities.order_validation import judge
from adapters.erp.port import ErpCustomer, ErpProduct
from canonical.money import Money
from canonical.orders import Channel, OrderSubmission, RejectionCode, RejectionReason, SubmittedLine
from canonical.pricing import PriceList
from canonical.quantities import UnitOfMeasure
from tests.unit.builders import SHIP_TO, line, submission

CUSTOMER = ErpCustomer(customer_id="1000001", name="Becker Berlin")
PRODUCTS: dict[str, ErpProduct | None] = {
    "TG11": ErpProduct(sku="TG11", description="Notebook Professional 15", base_unit="PC"),
    "TG12": ErpProduct(sku="TG12", description="Notebook Professional 17", base_unit="PC"),
    "OLD": ErpProduct(sku="OLD", base_unit="PC", blocked=True),
    "CABLE": ErpProduct(sku="CABLE", description="Cable by the metre", base_unit="M"),
    "FREE": ErpProduct(sku="FREE", base_unit="PC"),  # known, but not on the price list
}
PRICES = PriceList(
    currency="EUR",
    prices={
        "TG11": Decimal("95.00"),
        "TG12": Decimal("149.50"),
        "OLD": Decimal("1.00"),
        "CABLE": Decimal("0.95"),
    },
)


def only_reason(sub: OrderSubmission) -> RejectionReason:
    """The single reason `sub`, from the known customer, is refused for."""
    order, reasons = judge("ORD-1", sub, CUSTOMER, PRODUCTS, PRICES)
    assert order is None
    assert len(reasons) == 1, reasons
    return reasons[0]


def test_accepted_order_carries_customer_and_priced_lines() -> None:
    sub = submission(channel=Channel.EDI, requested_date="2030-01-31")

    order, reasons = judge("ORD-1", sub, CUSTOMER, PRODUCTS, PRICES)

    assert reasons == []
    assert order is not None
    assert order.order_id == "ORD-1"
    assert order.customer_id == "1000001"
    assert order.customer_name == "Becker Berlin"
    assert order.customer_po == "PO-4711"
    assert order.channel is Channel.EDI
    assert order.ship_to == SHIP_TO
    assert str(order.requested_date) == "2030-01-31"
    assert [(ln.line_no, ln.sku, ln.quantity, ln.uom) for ln in order.lines] == [
        (10, "TG11", Decimal("5"), UnitOfMeasure.PC),
        (20, "TG12", Decimal("2"), UnitOfMeasure.PC),
    ]
    assert order.lines[0].description == "Notebook Professional 15"
    assert order.lines[0].unit_price == Money(amount=Decimal("95.00"))
    assert order.lines[0].net == Money(amount=Decimal("475.00"))
    assert order.lines[1].net == Money(amount=Decimal("299.00"))
    assert order.total == Money(amount=Decimal("774.00"))


def test_unknown_customer() -> None:
    order, reasons = judge("ORD-1", submission(), None, PRODUCTS, PRICES)

    assert order is None
    assert [(r.code, r.line_no) for r in reasons] == [(RejectionCode.UNKNOWN_CUSTOMER, None)]
    assert "1000001" in reasons[0].message


def test_blocked_customer() -> None:
    blocked = CUSTOMER.model_copy(update={"blocked": True})

    order, reasons = judge("ORD-1", submission(), blocked, PRODUCTS, PRICES)

    assert order is None
    assert [(r.code, r.line_no) for r in reasons] == [(RejectionCode.CUSTOMER_BLOCKED, None)]


def test_unknown_item() -> None:
    reason = only_reason(submission(line("TG11", "1"), line("NOPE", "1")))

    assert (reason.code, reason.line_no) == (RejectionCode.UNKNOWN_ITEM, 20)
    assert "NOPE" in reason.message


def test_blocked_item() -> None:
    reason = only_reason(submission(line("OLD", "1")))

    assert (reason.code, reason.line_no) == (RejectionCode.ITEM_BLOCKED, 10)


def test_unit_other_than_the_base_unit() -> None:
    reason = only_reason(submission(line("TG11", "1", UnitOfMeasure.CA)))

    assert (reason.code, reason.line_no) == (RejectionCode.INVALID_UNIT, 10)
    assert "PC" in reason.message
    assert "CA" in reason.message


def test_fractional_quantity_of_a_counted_unit() -> None:
    reason = only_reason(submission(line("TG11", "1.5")))

    assert (reason.code, reason.line_no) == (RejectionCode.INVALID_QUANTITY, 10)


def test_fractional_quantity_of_a_measured_unit_is_fine() -> None:
    order, reasons = judge(
        "ORD-1", submission(line("CABLE", "2.5", UnitOfMeasure.M)), CUSTOMER, PRODUCTS, PRICES
    )

    assert reasons == []
    assert order is not None
    # 2.5 x 0.95 = 2.375, rounded half up to 2.38
    assert order.lines[0].net == Money(amount=Decimal("2.38"))


def test_no_price() -> None:
    reason = only_reason(submission(line("FREE", "1")))

    assert (reason.code, reason.line_no) == (RejectionCode.NO_PRICE, 10)


def test_currency_mismatch_when_the_price_list_would_decide() -> None:
    reason = only_reason(submission(line("TG11", "1"), currency="USD"))

    assert (reason.code, reason.line_no) == (RejectionCode.CURRENCY_MISMATCH, 10)
    assert "USD" in reason.message
    assert "EUR" in reason.message


def test_explicit_price_in_another_currency_needs_no_price_list() -> None:
    priced = SubmittedLine(sku="TG11", quantity=Decimal(2), unit_price=Decimal("100"))

    order, reasons = judge("ORD-1", submission(priced, currency="USD"), CUSTOMER, PRODUCTS, PRICES)

    assert reasons == []
    assert order is not None
    assert order.currency == "USD"
    assert order.lines[0].unit_price == Money(amount=Decimal("100"), currency="USD")
    assert order.lines[0].net == Money(amount=Decimal("200.00"), currency="USD")


def test_explicit_unit_price_wins_over_the_price_list() -> None:
    priced = SubmittedLine(sku="TG11", quantity=Decimal(3), unit_price=Decimal("0.475"))

    order, _ = judge("ORD-1", submission(priced), CUSTOMER, PRODUCTS, PRICES)

    assert order is not None
    assert order.lines[0].unit_price.amount == Decimal("0.475")
    assert order.lines[0].net.amount == Decimal("1.43")  # 1.425 rounded half up


def test_explicit_zero_price_is_a_price() -> None:
    free = SubmittedLine(sku="FREE", quantity=Decimal(1), unit_price=Decimal(0))

    order, reasons = judge("ORD-1", submission(free), CUSTOMER, PRODUCTS, PRICES)

    assert reasons == []
    assert order is not None
    assert order.total == Money(amount=Decimal("0"))


@pytest.mark.parametrize(
    ("quantity", "price", "net"),
    [("1", "0.005", "0.01"), ("3", "0.165", "0.50"), ("7", "1.0050", "7.04")],
)
def test_net_is_quantity_times_price_rounded_half_up(quantity: str, price: str, net: str) -> None:
    priced = SubmittedLine(sku="TG11", quantity=Decimal(quantity), unit_price=Decimal(price))

    order, _ = judge("ORD-1", submission(priced), CUSTOMER, PRODUCTS, PRICES)

    assert order is not None
    assert order.lines[0].net.amount == Decimal(net)


def test_every_reason_is_reported_at_once_with_its_line_number() -> None:
    sub = submission(
        line("TG11", "1"),  # 10: fine
        line("NOPE", "1"),  # 20
        line("OLD", "1"),  # 30
        line("TG12", "1", UnitOfMeasure.KG),  # 40
        line("TG12", "0.5"),  # 50
        line("FREE", "1"),  # 60
    )

    order, reasons = judge("ORD-1", sub, None, PRODUCTS, PRICES)

    assert order is None
    assert [(r.code, r.line_no) for r in reasons] == [
        (RejectionCode.UNKNOWN_CUSTOMER, None),
        (RejectionCode.UNKNOWN_ITEM, 20),
        (RejectionCode.ITEM_BLOCKED, 30),
        (RejectionCode.INVALID_UNIT, 40),
        (RejectionCode.INVALID_QUANTITY, 50),
        (RejectionCode.NO_PRICE, 60),
    ]
    assert all(f"line {r.line_no}" in r.message for r in reasons if r.line_no is not None)


def test_a_blocked_customer_and_a_bad_line_are_both_reported() -> None:
    blocked = CUSTOMER.model_copy(update={"blocked": True})
    sub = submission(line("TG11", "1"), line("TG12", "1", UnitOfMeasure.EA))

    order, reasons = judge("ORD-1", sub, blocked, PRODUCTS, PRICES)

    assert order is None
    assert [(r.code, r.line_no) for r in reasons] == [
        (RejectionCode.CUSTOMER_BLOCKED, None),
        (RejectionCode.INVALID_UNIT, 20),
    ]
