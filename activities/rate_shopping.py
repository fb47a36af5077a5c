"""Rate shopping: which carrier offer a consignment ships with.

Pure helpers over the TMS's quotes; they live here, not in `canonical`, because
`Quote` belongs to the TMS port."""

from collections.abc import Sequence

from adapters.tms.port import Quote


def choose_quote(quotes: Sequence[Quote], max_transit_days: int) -> Quote | None:
    """The cheapest quote that arrives in time, or None when none does.

    Only quotes with `transit_days <= max_transit_days` qualify. Among them the lowest
    price wins; ties go to fewer transit days, then by carrier, service and mode name,
    so the choice never depends on the order of `quotes`.

    Raises:
        ValueError: The qualifying quotes are priced in more than one currency; they
            cannot be compared without an exchange rate.
    """
    eligible = [quote for quote in quotes if quote.transit_days <= max_transit_days]
    if not eligible:
        return None
    currencies = sorted({quote.price.currency for quote in eligible})
    if len(currencies) > 1:
        raise ValueError(f"quotes in more than one currency: {', '.join(currencies)}")
    return min(
        eligible,
        key=lambda q: (q.price.amount, q.transit_days, q.carrier, q.service, q.mode),
    )
