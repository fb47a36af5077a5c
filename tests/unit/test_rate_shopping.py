"""Rate shopping: the cheapest carrier offer that arrives in time."""

import random
from decimal import Decimal

import pytest

from activities.rate_shopping import choose_quote
from adapters.tms.port import Quote
from canonical.money import Money


def quote(
    carrier: str,
    service: str,
    price: str,
    days: int,
    currency: str = "EUR",
    mode: str = "parcel",
) -> Quote:
    return Quote(
        carrier=carrier,
        service=service,
        mode=mode,
        price=Money(amount=Decimal(price), currency=currency),
        transit_days=days,
    )


DHL_EXPRESS = quote("DHL", "EXPRESS", "24.90", 1)
DHL_PAKET = quote("DHL", "PAKET", "6.49", 2)
UPS_STANDARD = quote("UPS", "STANDARD", "7.80", 3)
DACHSER_LTL = quote("DACHSER", "TARGOFLEX", "4.10", 5, mode="ltl")
SLOW_FREIGHT = quote("SCHENKER", "SYSTEM", "3.20", 7, mode="ltl")
ALL = [DHL_EXPRESS, DHL_PAKET, UPS_STANDARD, DACHSER_LTL, SLOW_FREIGHT]


@pytest.mark.parametrize(
    ("max_transit_days", "expected"),
    [
        (1, DHL_EXPRESS),
        (2, DHL_PAKET),
        (3, DHL_PAKET),
        (4, DHL_PAKET),
        (5, DACHSER_LTL),  # exactly at the limit qualifies
        (7, SLOW_FREIGHT),
        (30, SLOW_FREIGHT),
    ],
)
def test_the_cheapest_quote_within_the_limit_wins(max_transit_days: int, expected: Quote) -> None:
    assert choose_quote(ALL, max_transit_days) == expected


@pytest.mark.parametrize("max_transit_days", [0, -1])
def test_none_when_no_quote_arrives_in_time(max_transit_days: int) -> None:
    assert choose_quote(ALL, max_transit_days) is None


def test_none_without_quotes() -> None:
    assert choose_quote([], 5) is None


def test_an_equal_price_goes_to_fewer_transit_days() -> None:
    slow = quote("AAA", "ROAD", "9.00", 4)
    fast = quote("ZZZ", "AIR", "9.00", 2)

    assert choose_quote([slow, fast], 5) == fast
    assert choose_quote([fast, slow], 5) == fast


def test_equal_price_and_days_go_by_carrier_then_service() -> None:
    ups_b = quote("UPS", "B", "9.00", 2)
    dhl_z = quote("DHL", "Z", "9.00", 2)
    dhl_a = quote("DHL", "A", "9.00", 2)

    assert choose_quote([ups_b, dhl_z, dhl_a], 5) == dhl_a
    assert choose_quote([ups_b, dhl_z], 5) == dhl_z


def test_prices_compare_as_decimals_not_text() -> None:
    ten = quote("A", "S", "10.00", 2)
    nine = quote("B", "S", "9.5", 2)

    assert choose_quote([ten, nine], 5) == nine


def test_the_choice_does_not_depend_on_the_order_of_the_quotes() -> None:
    quotes = [*ALL, quote("DPD", "CLASSIC", "6.49", 2), quote("DHL", "PAKET", "6.49", 2, mode="x")]
    first = choose_quote(quotes, 3)
    rng = random.Random(3)

    for _ in range(20):
        shuffled = list(quotes)
        rng.shuffle(shuffled)
        assert choose_quote(shuffled, 3) == first
    assert first == DHL_PAKET


def test_quotes_in_several_currencies_are_refused() -> None:
    with pytest.raises(ValueError, match="CHF, EUR"):
        choose_quote([quote("A", "S", "5.00", 2), quote("B", "S", "4.00", 2, "CHF")], 5)


def test_a_foreign_currency_quote_that_is_too_slow_does_not_matter() -> None:
    late = quote("B", "S", "4.00", 9, "CHF")

    assert choose_quote([DHL_PAKET, late], 5) == DHL_PAKET
