"""Worker configuration, from the environment."""

from decimal import Decimal
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from canonical.orders import FulfillmentPolicy
from canonical.pricing import DEMO_PRICE_LIST, PriceList


class WorkerSettings(BaseSettings):
    """What a worker process connects to and how hard it may push the ERP.

    Attributes:
        sandbox_url: Base URL of the WMS and carrier (the sandbox simulators here).
        erp_calls_per_second: Temporal task-queue rate limit on ERP activities,
            across every worker of the queue.
        price_currency / prices: The price list for lines submitted without a
            price, e.g. `ORDERMESH_PRICES='{"TG11": "95.00"}'`.
    """

    model_config = SettingsConfigDict(env_prefix="ORDERMESH_")

    sandbox_url: str = "http://127.0.0.1:8070"
    http_timeout_seconds: float = 10.0
    erp_calls_per_second: float = 20.0
    price_currency: str = DEMO_PRICE_LIST.currency
    # Validated here, so a bad price list stops the worker at start rather than
    # failing every verdict.
    prices: dict[str, Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=4)]] = Field(
        default_factory=lambda: dict(DEMO_PRICE_LIST.prices)
    )

    # e.g. ORDERMESH_CUSTOMER_POLICIES='{"1000002": "ship_complete"}'
    customer_policies: dict[str, FulfillmentPolicy] = {}

    def price_list(self) -> PriceList:
        return PriceList(currency=self.price_currency, prices=self.prices)
