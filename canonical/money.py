"""Money as an exact decimal amount with its ISO 4217 currency."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$", min_length=3, max_length=3)]

_CENTS = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    """Round half up to cents, as tax authorities and SAP do (never banker's rounding)."""
    return amount.quantize(_CENTS, rounding=ROUND_HALF_UP)


class Money(BaseModel):
    """An amount in one currency.

    Attributes:
        amount: Exact decimal amount; never a float.
        currency: ISO 4217 code, upper case.
    """

    model_config = ConfigDict(frozen=True)

    amount: Decimal = Field(max_digits=18, decimal_places=4)
    currency: CurrencyCode = "EUR"

    def __add__(self, other: "Money") -> "Money":
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def times(self, factor: Decimal) -> "Money":
        return Money(amount=round_money(self.amount * factor), currency=self.currency)

    @classmethod
    def zero(cls, currency: str = "EUR") -> "Money":
        return cls(amount=Decimal("0"), currency=currency)
