"""What Ordermesh asks of a transport management system: rates from every carrier it
knows for one consignment, parcel and LTL alike."""

from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from canonical.address import Address
from canonical.money import Money


class QuoteRequest(BaseModel):
    """One consignment to rate.

    Attributes:
        ship_from: The warehouse it leaves from.
        weight_kg: Gross weight.
    """

    model_config = ConfigDict(frozen=True)

    shipment_id: str
    ship_from: str
    ship_to: Address
    weight_kg: Decimal


class Quote(BaseModel):
    """One carrier's offer.

    Attributes:
        mode: `parcel` or `ltl`.
        transit_days: Promised days in transit.
    """

    model_config = ConfigDict(frozen=True)

    carrier: str
    service: str
    mode: str
    price: Money
    transit_days: int


class TmsPort(Protocol):
    """The TMS. No carrier serving the destination is an empty list, not an error."""

    async def quote(self, request: QuoteRequest) -> list[Quote]: ...
