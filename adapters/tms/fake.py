"""An in-memory TMS for unit, activity and workflow tests.

It returns the same configurable quotes for every request (none for a destination
in `unserved_countries`, as the sandbox does), records what it was asked, and
fails on demand.
"""

from collections.abc import Iterable
from decimal import Decimal

from adapters.scripted_failures import FailureScript
from adapters.tms.port import Quote, QuoteRequest
from canonical.money import Money

_METHODS = frozenset({"quote"})


def _quote(carrier: str, service: str, amount: str, days: int) -> Quote:
    return Quote(
        carrier=carrier,
        service=service,
        mode="parcel",
        price=Money(amount=Decimal(amount), currency="EUR"),
        transit_days=days,
    )


# What the sandbox TMS quotes for a 2.5 kg parcel, cheapest first.
DEFAULT_QUOTES: tuple[Quote, ...] = (
    _quote("ACME-PARCEL", "ground", "6.63", 4),
    _quote("SANDBOX-PARCEL", "standard", "6.90", 3),
    _quote("SANDBOX-PARCEL", "express", "16.50", 1),
    _quote("ACME-PARCEL", "next_day", "17.50", 1),
)


class FakeTms:
    """`TmsPort` in memory, cosmicpython style: configurable, recording, scriptable.

    Contract, as the sandbox keeps it:
        - `quote`: the offers for the consignment, `[]` when its ship-to country is
          one no carrier serves; nothing is stored, so asking again is harmless.

    Args:
        quotes: The quotes every request gets; by default `DEFAULT_QUOTES`.
        unserved_countries: Ship-to countries that get no quotes.

    Attributes:
        quotes: The quotes every request gets; replace or edit freely.
        unserved_countries: Ship-to countries that get no quotes.
        requests: Every request, failed ones included, in order.
        calls: Every call as `("quote", shipment_id)`, failed ones included.
    """

    def __init__(
        self,
        quotes: Iterable[Quote] | None = None,
        *,
        unserved_countries: Iterable[str] = ("KP",),
    ) -> None:
        self.quotes: list[Quote] = list(DEFAULT_QUOTES if quotes is None else quotes)
        self.unserved_countries = set(unserved_countries)
        self.requests: list[QuoteRequest] = []
        self.calls: list[tuple[str, str]] = []
        self._script = FailureScript("FakeTms", _METHODS)

    def fail_next(
        self, method: str, exc: Exception, times: int = 1, *, after_effect: bool = False
    ) -> None:
        """Make the next `times` calls of `method` raise `exc`.

        Args:
            method: `"quote"`.
            exc: What to raise, typically a `TransientError` or `RejectionError`.
            times: How many consecutive calls fail.
            after_effect: Raise after answering (quotes have no effect, so this only
                differs in that the call is fully recorded either way).
        """
        self._script.add(method, exc, times, after_effect=after_effect)

    def calls_to(self, method: str) -> list[tuple[str, str]]:
        """The recorded calls of one method."""
        return [call for call in self.calls if call[0] == method]

    async def quote(self, request: QuoteRequest) -> list[Quote]:
        self.calls.append(("quote", request.shipment_id))
        self.requests.append(request)
        failure = self._script.before("quote")
        quotes = [] if request.ship_to.country in self.unserved_countries else list(self.quotes)
        if failure is not None:
            raise failure.exc
        return quotes
