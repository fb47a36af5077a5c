"""The transport management system: rates from every carrier for one consignment.

`POST /tms/quotes` takes a `QuoteRequest` (shipment id, ship from, ship to, weight)
and answers `{"quotes": [...]}`, cheapest first, from the table in `sandbox.rates`:
the services whose weight limits fit, none at all for a country no carrier serves.
The answer depends on nothing but the request and the settings; nothing is stored.
"""

from decimal import Decimal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from canonical.address import Address
from canonical.money import Money
from sandbox import rates
from sandbox.db import SettingsDep

router = APIRouter(prefix="/tms", tags=["tms"])


class QuoteIn(BaseModel):
    """One consignment to rate (`adapters.tms.port.QuoteRequest`)."""

    shipment_id: str = Field(min_length=1, max_length=80)
    ship_from: str = Field(min_length=1, max_length=120)
    ship_to: Address
    weight_kg: Decimal = Field(gt=0, le=100_000, max_digits=12)


class QuoteOut(BaseModel):
    """One carrier's offer (`adapters.tms.port.Quote`)."""

    carrier: str
    service: str
    mode: str
    price: Money
    transit_days: int


class QuotesOut(BaseModel):
    quotes: list[QuoteOut]


@router.post("/quotes")
async def quote(body: QuoteIn, settings: SettingsDep) -> QuotesOut:
    """Rates from every carrier and service that takes the consignment, cheapest first."""
    if not rates.serves(settings, body.ship_to.country):
        return QuotesOut(quotes=[])
    offers = [
        QuoteOut(
            carrier=service.carrier,
            service=service.service,
            mode=service.mode,
            price=Money(amount=service.price(body.weight_kg), currency="EUR"),
            transit_days=service.transit_days,
        )
        for service in rates.services(settings)
        if rates.takes(settings, service, body.weight_kg)
    ]
    offers.sort(key=lambda q: (q.price.amount, q.transit_days, q.carrier, q.service))
    return QuotesOut(quotes=offers)
