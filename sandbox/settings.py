"""Settings of the sandbox, from `SANDBOX_*` environment variables.

Lists and mappings are read as JSON, e.g.
`SANDBOX_CARRIER_UNSERVED_COUNTRIES='["KP", "IR"]'`.
"""

from decimal import Decimal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# The products mock-sap sells, so that demo orders find stock.
DEFAULT_SEED_SKUS = ["TG11", "TG12", "TG13", "TG14", "TG21", "TG22", "TG31"]


class SandboxSettings(BaseSettings):
    """Everything the sandbox can be told.

    Attributes:
        database_url: SQLAlchemy URL; `sqlite://` or a `:memory:` URL keeps the state
            in memory for the life of the app.
        webhook_base_url: Events go to `{webhook_base_url}/{source}`, source `wms` or
            `carrier`.
        wms_secret: HMAC secret signing the WMS's webhooks.
        carrier_secret: HMAC secret signing the carrier's webhooks.
        pick_delay: Seconds from release to the `picked` event; the other delays
            likewise, each counted from the previous step.
        latency_ms: Added to every WMS, TMS and carrier API call.
        error_rate: Share of WMS, TMS and carrier API calls answered with 503 instead.
        duplicate_event_rate: Share of events delivered twice (same event id).
        seed_stock: Warehouse -> on-hand quantity of every seed SKU, loaded into an
            empty database on first start.
        seed_skus: The SKUs each seed warehouse stocks.
        carrier_name: The default carrier: the one a label request without a carrier
            gets (service `standard`), with `1ZSBX` tracking numbers.
        carrier_unserved_countries: ISO country codes no carrier labels or quotes for.
        disabled_carriers: Carriers taken out of the sandbox: the TMS quotes none of
            their services and buying their labels is `UNKNOWN_SERVICE`.
        tms_parcel_max_kg: Heaviest consignment the parcel services take.
        tms_ltl_min_kg: Lightest consignment the LTL carrier takes.
        tms_ltl_max_kg: Heaviest consignment the LTL carrier takes.
        dispatch_interval: How often the dispatcher looks for due events, seconds.
        retry_initial: First webhook retry delay, doubling up to `retry_max`.
        retry_give_up_after: Seconds after which an undeliverable event is given up.
        random_seed: Seeds fault injection, for reproducible runs.
    """

    model_config = SettingsConfigDict(env_prefix="SANDBOX_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8070, ge=1, le=65535)
    log_level: str = "info"
    database_url: str = "sqlite:///.data/sandbox.db"

    webhook_base_url: str = "http://127.0.0.1:8000/webhooks"
    wms_secret: str = "dev-wms-secret"  # noqa: S105 - a dev default; set by env
    carrier_secret: str = "dev-carrier-secret"  # noqa: S105 - a dev default; set by env
    webhook_timeout: float = Field(default=5.0, gt=0)

    pick_delay: float = Field(default=1.0, ge=0)
    pack_delay: float = Field(default=1.0, ge=0)
    ship_delay: float = Field(default=1.0, ge=0)
    in_transit_delay: float = Field(default=1.0, ge=0)
    deliver_delay: float = Field(default=2.0, ge=0)

    latency_ms: int = Field(default=0, ge=0)
    error_rate: float = Field(default=0.0, ge=0, le=1)
    duplicate_event_rate: float = Field(default=0.0, ge=0, le=1)
    random_seed: int | None = None

    seed_stock: dict[str, int] = Field(default_factory=lambda: {"W1": 500, "W2": 200, "W3": 100})
    seed_skus: list[str] = Field(default_factory=lambda: list(DEFAULT_SEED_SKUS))

    carrier_name: str = "SANDBOX-PARCEL"
    carrier_unserved_countries: list[str] = Field(default_factory=lambda: ["KP"])
    disabled_carriers: list[str] = Field(default_factory=list)

    tms_parcel_max_kg: Decimal = Field(default=Decimal("70"), gt=0)
    tms_ltl_min_kg: Decimal = Field(default=Decimal("30"), ge=0)
    tms_ltl_max_kg: Decimal = Field(default=Decimal("1000"), gt=0)

    dispatch_interval: float = Field(default=0.1, gt=0)
    retry_initial: float = Field(default=0.5, gt=0)
    retry_max: float = Field(default=10.0, gt=0)
    retry_give_up_after: float = Field(default=24 * 3600.0, gt=0)

    def secret_for(self, source: str) -> str:
        """The HMAC secret of an event source (`wms` or `carrier`)."""
        secrets = {"wms": self.wms_secret, "carrier": self.carrier_secret}
        return secrets[source]
