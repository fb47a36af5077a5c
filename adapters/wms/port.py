"""What Ordermesh asks of a warehouse management system.

Every call is keyed by our shipment id (`<order_id>-S1`), which the WMS keeps as its
reference: creating twice with the same id returns what the first call made, and
undoing twice is harmless. The WMS reports progress (picked, packed, shipped) as
events to `POST /webhooks/wms`, each carrying the shipment id and the order id.

Customer returns arrive at the warehouse's dock, which reports them as
`return_received` events (quarantined, not yet stock); Ordermesh then decides their
disposition, `restock` or `scrap`, each keyed by an idempotency key of its own.
"""

from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from canonical.address import Address
from canonical.shipments import ShipmentLine


class ReservationRequest(BaseModel):
    """Hold stock for one shipment in one warehouse."""

    model_config = ConfigDict(frozen=True)

    shipment_id: str
    order_id: str
    warehouse: str
    lines: list[ShipmentLine]


class Reservation(BaseModel):
    model_config = ConfigDict(frozen=True)

    shipment_id: str
    warehouse: str
    status: str


class StockLevel(BaseModel):
    """On-hand stock of one SKU in one warehouse; `available` is what is not reserved."""

    model_config = ConfigDict(frozen=True)

    warehouse: str
    sku: str
    on_hand: int
    available: int


class DispositionRequest(BaseModel):
    """Restock or scrap returned goods of one SKU; done once per `idempotency_key`.

    Attributes:
        quantity: Whole units of the warehouse's stock unit.
    """

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    rma_id: str
    warehouse: str
    sku: str
    quantity: Decimal


class WmsPort(Protocol):
    """The warehouse. Insufficient stock is a `RejectionError` with code
    `INSUFFICIENT_STOCK`; an unknown shipment is a `NotFoundError`."""

    async def stock(self, skus: list[str]) -> list[StockLevel]: ...

    async def reserve(self, request: ReservationRequest) -> Reservation: ...

    async def release_reservation(self, shipment_id: str) -> None:
        """Give the held stock back. Idempotent; refused once shipped."""
        ...

    async def release_to_pick(self, shipment_id: str, ship_to: Address) -> None:
        """Send the shipment to the floor: pick, pack, then wait for its label."""
        ...

    async def recall(self, shipment_id: str) -> None:
        """Take a released shipment back off the floor. Idempotent; refused once shipped."""
        ...

    async def attach_label(self, shipment_id: str, carrier: str, tracking_number: str) -> None:
        """Hand the packed shipment its label, after which it ships."""
        ...

    async def restock(self, request: DispositionRequest) -> None:
        """Put returned goods back into sellable stock, once per idempotency key."""
        ...

    async def scrap(self, request: DispositionRequest) -> None:
        """Write returned goods off, once per idempotency key; stock does not change."""
        ...
