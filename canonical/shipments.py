"""Shipments, their lines and what carriers say about them."""

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from canonical.money import Money
from canonical.quantities import UnitOfMeasure
from canonical.statuses import ShipmentStatus


class ShipmentLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    line_no: int
    sku: str
    quantity: Decimal
    uom: UnitOfMeasure


class Shipment(BaseModel):
    """One parcel or consignment from one warehouse.

    Attributes:
        shipment_id: `<order_id>-S1`, `-S2`, ...
        warehouse: The fulfilment node it ships from.
        reservation_id: The warehouse's id for the stock held for it.
        shipped_lines: What actually left the warehouse (less than `lines` after a
            short pick); what is delivered and billed.
        delivery_document / billing_document: The ERP's documents for it.
    """

    shipment_id: str
    warehouse: str
    lines: list[ShipmentLine]
    status: ShipmentStatus = ShipmentStatus.PLANNED
    reservation_id: str = ""
    carrier: str = ""
    service: str = ""
    freight: Money | None = None
    transit_days: int | None = None
    tracking_number: str = ""
    label_id: str = ""
    shipped_lines: list[ShipmentLine] = []
    delivery_document: str = ""
    billing_document: str = ""
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None

    @property
    def outgoing_lines(self) -> list[ShipmentLine]:
        """What leaves the warehouse: what was picked once that is known, else the plan."""
        return self.shipped_lines or self.lines


class Backorder(BaseModel):
    """A quantity no warehouse could ship, waiting for stock.

    Attributes:
        until: When the backorder window ends; past it the quantity is cancelled.
        state: `waiting`, `released` (it shipped) or `cancelled` (window passed).
    """

    line_no: int
    sku: str
    quantity: Decimal
    uom: UnitOfMeasure
    since: datetime
    until: datetime
    state: str = "waiting"
