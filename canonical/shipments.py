"""Shipments, their lines and what carriers say about them."""

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

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
    """

    shipment_id: str
    warehouse: str
    lines: list[ShipmentLine]
    status: ShipmentStatus = ShipmentStatus.PLANNED
    reservation_id: str = ""
    carrier: str = ""
    service: str = ""
    tracking_number: str = ""
    label_id: str = ""
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
