"""List prices, for order lines that arrive without a price.

The ERP is the pricing authority in production; the embedded mock ERP prices
nothing, so Ordermesh carries a price list (configured per deployment) and sends
the ERP net amounts it has worked out.
"""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from canonical.money import CurrencyCode


class PriceList(BaseModel):
    """Net prices per base unit.

    Attributes:
        prices: SKU to unit price in `currency`.
    """

    model_config = ConfigDict(frozen=True)

    currency: CurrencyCode = "EUR"
    prices: dict[str, Decimal] = {}

    def price_of(self, sku: str) -> Decimal | None:
        return self.prices.get(sku)


# What the demo and tests price mock-sap's products at.
DEMO_PRICE_LIST = PriceList(
    currency="EUR",
    prices={
        "TG11": Decimal("95.00"),
        "TG12": Decimal("149.50"),
        "TG13": Decimal("12.90"),
        "TG14": Decimal("24.00"),
        "TG21": Decimal("310.00"),
        "TG22": Decimal("455.00"),
        "TG31": Decimal("1180.32"),
    },
)
