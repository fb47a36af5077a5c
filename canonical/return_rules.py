"""Whether a return may be authorized: pure, from the order as it is and what earlier
returns took.

Only shipped quantities can come back, less what other returns already authorized;
and only within the window after delivery (a line not delivered yet is in time).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from canonical.quantities import units
from canonical.returns import ReturnLine, ReturnRequest
from canonical.shipments import Shipment
from canonical.statuses import ShipmentStatus
from canonical.view import OrderView

_SHIPPED = frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED})


@dataclass(frozen=True)
class Authorization:
    """Either the lines authorized (with the shipment they go back against), or why not."""

    lines: list[ReturnLine]
    shipment: Shipment | None
    denial_reason: str = ""


def returnable(view: OrderView) -> dict[int, Decimal]:
    """Per order line, what has shipped."""
    shipped: dict[int, Decimal] = {}
    for shipment in view.shipments:
        if shipment.status in _SHIPPED:
            for line in shipment.shipped_lines or shipment.lines:
                shipped[line.line_no] = shipped.get(line.line_no, Decimal(0)) + line.quantity
    return shipped


def authorize(
    view: OrderView,
    request: ReturnRequest,
    taken: Mapping[int, Decimal],
    now: datetime,
    window: timedelta,
) -> Authorization:
    """The verdict on a return request, every problem named at once."""
    by_line = {line.line_no: line for line in view.lines}
    shipped = returnable(view)
    problems: list[str] = []
    asked: dict[int, Decimal] = {}
    for line in request.lines:
        asked[line.line_no] = asked.get(line.line_no, Decimal(0)) + line.quantity
    for line_no, quantity in asked.items():
        if line_no not in by_line:
            problems.append(f"line {line_no}: the order has no such line")
            continue
        left = shipped.get(line_no, Decimal(0)) - taken.get(line_no, Decimal(0))
        if quantity > left:
            problems.append(too_many(line_no, quantity, left))
    shipments = [s for s in view.shipments if s.status in _SHIPPED and _carries(s, asked)]
    delivered = [s.delivered_at for s in shipments if s.delivered_at is not None]
    if delivered and now > max(delivered) + window:
        problems.append(
            f"the return window closed {(max(delivered) + window).date()}"
            f" ({window.days} days after delivery)"
        )
    if problems:
        return Authorization([], None, "; ".join(problems))
    lines = [
        ReturnLine(
            line_no=line_no,
            sku=by_line[line_no].sku,
            uom=by_line[line_no].uom.value,
            authorized=quantity,
            unit_price=by_line[line_no].unit_price,
        )
        for line_no, quantity in asked.items()
    ]
    return Authorization(lines, shipments[0] if shipments else None)


def too_many(line_no: int, quantity: Decimal, left: Decimal) -> str:
    """Why `quantity` of a line cannot come back when only `left` may."""
    return (
        f"line {line_no}: {units(quantity)} asked, but only {units(max(left, Decimal(0)))}"
        " shipped and not already returned"
    )


def _carries(shipment: Shipment, lines: Mapping[int, Decimal]) -> bool:
    return any(line.line_no in lines for line in shipment.shipped_lines or shipment.lines)
