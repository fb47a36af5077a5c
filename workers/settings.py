"""Worker configuration, from the environment."""

import math
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from activities.returns import ReturnSettings
from adapters.erp.cached_lookups import (
    DEFAULT_MAX_ENTRIES,
    DEFAULT_NOT_FOUND_TTL_SECONDS,
    DEFAULT_TTL_SECONDS,
)
from canonical.orders import FulfillmentPolicy
from canonical.payment_terms import DEFAULT_PAYMENT_TERMS, checked_terms
from canonical.pricing import DEMO_PRICE_LIST, PriceList

PaymentTerms = Annotated[str, AfterValidator(checked_terms)]


class WorkerSettings(BaseSettings):
    """What a worker process connects to and how hard it may push the ERP.

    Attributes:
        sandbox_url: Base URL of the WMS and carrier (the sandbox simulators here).
        database_url: The store (the cash ledger lives there); the API's too.
        erp_calls_per_second: The most HTTP requests per second the ERP receives from
            all workers together (see `adapters.erp.rate_limit` for how it holds).
        erp_worker_processes: How many worker processes share that budget; each keeps
            to `erp_calls_per_second / erp_worker_processes`.
        erp_lookup_ttl_seconds: How long the verdict's customer and item lookups are
            kept (`adapters.erp.cached_lookups`); 0 turns the cache off.
        erp_lookup_not_found_ttl_seconds: How long "no such customer / item" is kept
            (at most `erp_lookup_ttl_seconds`).
        erp_lookup_cache_entries: How many lookups a worker keeps at most.
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
        metrics_bind_address: `host:port` where the worker serves Prometheus text at
            `/metrics`: Temporal's SDK metrics and Ordermesh's step and cycle-time
            metrics (`runtime.worker_metrics`); unset, none are served.
    """

    model_config = SettingsConfigDict(env_prefix="ORDERMESH_")

    sandbox_url: str = "http://127.0.0.1:8070"
    database_url: str = "sqlite:///.data/ordermesh.db"
    http_timeout_seconds: float = 10.0
    erp_calls_per_second: float = Field(default=20.0, gt=0)
    erp_worker_processes: int = Field(default=1, ge=1)
    erp_lookup_ttl_seconds: float = Field(default=DEFAULT_TTL_SECONDS, ge=0)
    erp_lookup_not_found_ttl_seconds: float = Field(default=DEFAULT_NOT_FOUND_TTL_SECONDS, ge=0)
    erp_lookup_cache_entries: int = Field(default=DEFAULT_MAX_ENTRIES, ge=1)
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
    metrics_bind_address: str | None = None

    def price_list(self) -> PriceList:
        return PriceList(currency=self.price_currency, prices=self.prices)

    def erp_calls_per_second_here(self) -> float:
        """This process's share of the ERP call budget."""
        return self.erp_calls_per_second / self.erp_worker_processes

    def erp_activity_slots(self) -> int:
        """How many ERP activities this process runs at once: its calls per second,
        rounded up, at least one (see `adapters.erp.rate_limit`)."""
        return max(1, math.ceil(self.erp_calls_per_second_here()))
