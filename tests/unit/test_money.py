"""Money, quantities and the price list."""

from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from canonical.money import Money, round_money
from canonical.pricing import DEMO_PRICE_LIST, PriceList
from canonical.quantities import COUNTED_UNITS, PositiveQuantity, UnitOfMeasure, is_whole


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.475", "0.48"),  # half up, where banker's rounding would give 0.48 too...
        ("0.465", "0.47"),  # ...but not here: half-even gives 0.46
        ("0.125", "0.13"),
        ("0.4749", "0.47"),
        ("-0.475", "-0.48"),  # half away from zero for negatives (credits)
        ("2", "2.00"),
        ("1180.32", "1180.32"),
    ],
)
def test_round_money_is_half_up_to_cents(amount: str, expected: str) -> None:
    rounded = round_money(Decimal(amount))

    assert rounded == Decimal(expected)
    assert str(rounded) == expected  # always two places, never an exponent


def test_money_adds_within_one_currency() -> None:
    total = Money(amount=Decimal("10.10"), currency="USD") + Money(
        amount=Decimal("0.95"), currency="USD"
    )

    assert total == Money(amount=Decimal("11.05"), currency="USD")


def test_money_refuses_to_add_another_currency() -> None:
    with pytest.raises(ValueError, match="cannot add USD to EUR"):
        _ = Money(amount=Decimal("1"), currency="EUR") + Money(amount=Decimal("1"), currency="USD")


def test_money_is_frozen() -> None:
    money = Money(amount=Decimal("1.00"))

    with pytest.raises(ValidationError, match="frozen"):
        money.amount = Decimal("2.00")  # type: ignore[misc]


def test_money_times_rounds_half_up() -> None:
    assert Money(amount=Decimal("0.95")).times(Decimal("0.5")) == Money(amount=Decimal("0.48"))


def test_money_zero_keeps_its_currency() -> None:
    assert Money.zero("CHF") == Money(amount=Decimal(0), currency="CHF")
    assert Money.zero().currency == "EUR"


@pytest.mark.parametrize("currency", ["eur", "EURO", "E1R", ""])
def test_money_refuses_a_malformed_currency(currency: str) -> None:
    with pytest.raises(ValidationError):
        Money(amount=Decimal("1"), currency=currency)


def test_money_refuses_more_than_four_decimal_places() -> None:
    with pytest.raises(ValidationError, match="decimal places"):
        Money(amount=Decimal("1.23456"))


_QUANTITY = TypeAdapter[Decimal](PositiveQuantity)


@pytest.mark.parametrize("quantity", ["1", "0.001", "1.5", "9999999999.999"])
def test_positive_quantity_accepts(quantity: str) -> None:
    assert _QUANTITY.validate_python(Decimal(quantity)) == Decimal(quantity)


@pytest.mark.parametrize("quantity", ["0", "-1", "0.0001", "10000000000.000"])
def test_positive_quantity_refuses(quantity: str) -> None:
    with pytest.raises(ValidationError):
        _QUANTITY.validate_python(Decimal(quantity))


@pytest.mark.parametrize(
    ("quantity", "whole"), [("5", True), ("5.000", True), ("5.5", False), ("0.001", False)]
)
def test_is_whole(quantity: str, whole: bool) -> None:
    assert is_whole(Decimal(quantity)) is whole


def test_counted_units_are_the_countable_ones() -> None:
    assert UnitOfMeasure.PC in COUNTED_UNITS
    assert UnitOfMeasure.CA in COUNTED_UNITS
    assert UnitOfMeasure.KG not in COUNTED_UNITS
    assert UnitOfMeasure.L not in COUNTED_UNITS


def test_unknown_unit_is_not_a_unit() -> None:
    with pytest.raises(ValueError, match="BOXES"):
        UnitOfMeasure("BOXES")


def test_price_list_prices_known_skus_only() -> None:
    prices = PriceList(currency="USD", prices={"A": Decimal("1.50")})

    assert prices.price_of("A") == Decimal("1.50")
    assert prices.price_of("B") is None


def test_demo_price_list_is_exact_decimals_in_eur() -> None:
    assert DEMO_PRICE_LIST.currency == "EUR"
    assert DEMO_PRICE_LIST.price_of("TG12") == Decimal("149.50")
    assert all(isinstance(price, Decimal) for price in DEMO_PRICE_LIST.prices.values())
