"""Worker configuration, from the environment."""

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from activities.returns import ReturnSettings
from canonical.orders import FulfillmentPolicy
from canonical.payment_terms import DEFAULT_PAYMENT_TERMS, checked_terms
from canonical.pricing import DEMO_PRICE_LIST, PriceList

PaymentTerms = Annotated[str, AfterValidator(checked_terms)]


class WorkerSettings(BaseSettings):
    """What a worker process connects to and how hard it may push the ERP.

    Attributes:
        sandbox_url: Base URL of the WMS and carrier (the sandbox simulators here).
        database_url: The store (the cash ledger lives there); the API's too.
        erp_calls_per_second: Temporal task-queue rate limit on ERP activities,
            across every worker of the queue.
        price_currency / prices: The price list for lines submitted without a
            price, e.g. `ORDERMESH_PRICES='{"TG11": "95.00"}'`.
        payment_terms: Terms per customer where the ERP keeps none, e.g.
            `ORDERMESH_PAYMENT_TERMS='{"1000002": "NT45"}'`; others get
            `default_payment_terms`.
        cash_interval_seconds: How often the cash-application schedule runs; 0
            creates no schedule.
        payer_accounts: Payer IBAN -> customer id, for payments naming no invoice.
        returns: Return rules: window, approval threshold and expiry, receipt window,
            restocking fees per reason (see `activities.returns.ReturnSettings`).
    """

    model_config = SettingsConfigDict(env_prefix="ORDERMESH_")

    sandbox_url: str = "http://127.0.0.1:8070"
    database_url: str = "sqlite:///.data/ordermesh.db"
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
    payment_terms: dict[str, PaymentTerms] = {}
    default_payment_terms: PaymentTerms = DEFAULT_PAYMENT_TERMS
    cash_interval_seconds: float = Field(default=300.0, ge=0)
    payer_accounts: dict[str, str] = {}
    # e.g. ORDERMESH_RETURNS='{"window_days": 30, "approval_threshold": "5000",
    # "restocking_fees": {"not_needed": "0.15"}, "customer_window_days": {"1000002": 60}}'
    returns: ReturnSettings = ReturnSettings()

    def price_list(self) -> PriceList:
        return PriceList(currency=self.price_currency, prices=self.prices)
