"""What Ordermesh asks of a parcel carrier.

Labels are keyed by our shipment id, return labels by the RMA id: buying twice
returns the same label, voiding twice is harmless. Tracking events arrive at
`POST /webhooks/carrier`.
"""

from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from canonical.address import Address


class LabelRequest(BaseModel):
    """A label for one shipment.

    Attributes:
        carrier: Which carrier, as the TMS quoted it; empty means the default one.
        service: That carrier's service, as quoted.
    """

    model_config = ConfigDict(frozen=True)

    shipment_id: str
    order_id: str
    ship_from: str
    ship_to: Address
    weight_kg: Decimal = Decimal("1")
    carrier: str = ""
    service: str = "standard"


class ReturnLabelRequest(BaseModel):
    """A return label for one RMA: the customer sends the goods back with it.

    Attributes:
        ship_from: The customer's address, where the carrier collects.
        to_warehouse: The warehouse the goods go back to.
        carrier: Which carrier; empty means the default one.
    """

    model_config = ConfigDict(frozen=True)

    rma_id: str
    order_id: str
    ship_from: Address
    to_warehouse: str
    weight_kg: Decimal = Decimal("1")
    carrier: str = ""


class Label(BaseModel):
    model_config = ConfigDict(frozen=True)

    label_id: str
    carrier: str
    service: str
    tracking_number: str


class CarrierPort(Protocol):
    """A parcel carrier. An address it cannot serve is a `RejectionError`."""

    async def buy_label(self, request: LabelRequest) -> Label: ...

    async def void_label(self, shipment_id: str) -> None:
        """Void the label bought for a shipment. Idempotent; refused once picked up."""
        ...

    async def buy_return_label(self, request: ReturnLabelRequest) -> Label:
        """Issue the RMA's return label (service `return`); the same RMA id again
        returns the same label until it is voided."""
        ...

    async def void_return_label(self, rma_id: str) -> None:
        """Void the RMA's return label. Idempotent; an unknown RMA counts as voided."""
        ...
