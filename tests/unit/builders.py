"""Small builders the unit tests share: an address, submissions, accepted orders."""

from decimal import Decimal
from typing import Any

from canonical.address import Address
from canonical.money import Money, round_money
from canonical.orders import Order, OrderLine, OrderSubmission, SubmittedLine
from canonical.quantities import UnitOfMeasure

SHIP_TO = Address(
    name="Becker Berlin",
    street="Unter den Linden 1",
    city="Berlin",
    postal_code="10117",
    country="DE",
)


def line(sku: str, quantity: str, uom: UnitOfMeasure = UnitOfMeasure.PC) -> SubmittedLine:
    return SubmittedLine(sku=sku, quantity=Decimal(quantity), uom=uom)


def submission(*lines: SubmittedLine, **changes: Any) -> OrderSubmission:
    """Customer 1000001 ordering `lines` (default TG11 x 5 PC, TG12 x 2 PC)."""
    body: dict[str, Any] = {
        "customer_id": "1000001",
        "customer_po": "PO-4711",
        "ship_to": SHIP_TO,
        "lines": list(lines) or [line("TG11", "5"), line("TG12", "2")],
    }
    body.update(changes)
    return OrderSubmission(**body)


def order(order_id: str, *lines: tuple[str, str, str], currency: str = "EUR") -> Order:
    """An accepted order; each line is (sku, quantity, unit price), numbered 10, 20, ..."""
    return Order(
        order_id=order_id,
        customer_id="1000001",
        customer_name="Becker Berlin",
        currency=currency,
        ship_to=SHIP_TO,
        lines=[
            OrderLine(
                line_no=(index + 1) * 10,
                sku=sku,
                quantity=Decimal(quantity),
                uom=UnitOfMeasure.PC,
                unit_price=Money(amount=Decimal(price), currency=currency),
                net=Money(
                    amount=round_money(Decimal(price) * Decimal(quantity)), currency=currency
                ),
            )
            for index, (sku, quantity, price) in enumerate(lines)
        ],
    )
