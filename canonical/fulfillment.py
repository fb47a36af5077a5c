"""Where an order ships from: a pure planning function over stock levels.

This first planner ships each order whole from one warehouse: the first, in the
given preference order, that can fill every line. Splitting across warehouses and
backorders build on it.
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from canonical.orders import Order
from canonical.shipments import Shipment, ShipmentLine


class StockFact(BaseModel):
    """What one warehouse has free of one SKU."""

    model_config = ConfigDict(frozen=True)

    warehouse: str
    sku: str
    available: Decimal


def shipment_id(order_id: str, sequence: int) -> str:
    """Deterministic shipment ids: `<order_id>-S1`, `-S2`, ..."""
    return f"{order_id}-S{sequence}"


def single_warehouse_plan(
    order: Order, stock: Iterable[StockFact], preference: Sequence[str] = ()
) -> Shipment | None:
    """One shipment for the whole order, or None when no warehouse can fill it."""
    free: dict[str, dict[str, Decimal]] = {}
    for fact in stock:
        free.setdefault(fact.warehouse, {})[fact.sku] = fact.available
    wanted: dict[str, Decimal] = {}
    for line in order.lines:
        wanted[line.sku] = wanted.get(line.sku, Decimal(0)) + line.quantity

    ranked = sorted(
        free,
        key=lambda w: (preference.index(w) if w in preference else len(preference), w),
    )
    for warehouse in ranked:
        if all(free[warehouse].get(sku, Decimal(0)) >= qty for sku, qty in wanted.items()):
            return Shipment(
                shipment_id=shipment_id(order.order_id, 1),
                warehouse=warehouse,
                lines=[
                    ShipmentLine(
                        line_no=line.line_no, sku=line.sku, quantity=line.quantity, uom=line.uom
                    )
                    for line in order.lines
                ],
            )
    return None
