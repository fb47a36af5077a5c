"""Transport activities: rating a shipment across carriers through the TMS."""

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import RATE_SHOP, RateShopInput, RateShopResult
from activities.errors import rejections_as_application_errors
from activities.rate_shopping import choose_quote
from adapters.tms.port import QuoteRequest, TmsPort


class TransportActivities:
    """Activities that talk to the TMS.

    Args:
        tms: The TMS port (the sandbox over HTTP, or `FakeTms`).
    """

    def __init__(self, tms: TmsPort) -> None:
        self._tms = tms

    @activity.defn(name=RATE_SHOP)
    async def rate_shop(self, input: RateShopInput) -> RateShopResult:
        shipment = input.shipment
        with rejections_as_application_errors():
            quotes = await self._tms.quote(
                QuoteRequest(
                    shipment_id=shipment.shipment_id,
                    ship_from=shipment.warehouse,
                    ship_to=input.ship_to,
                    weight_kg=input.weight_kg,
                )
            )
        best = choose_quote(quotes, input.max_transit_days)
        if best is None:
            offered = ", ".join(f"{q.carrier} {q.service} {q.transit_days}d" for q in quotes)
            raise ApplicationError(
                f"no carrier delivers {shipment.shipment_id} within {input.max_transit_days}"
                f" day(s); offered: {offered or 'nothing'}",
                type="NO_CARRIER",
                non_retryable=True,
            )
        return RateShopResult(
            carrier=best.carrier,
            service=best.service,
            mode=best.mode,
            price=best.price,
            transit_days=best.transit_days,
        )
