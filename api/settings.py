"""API configuration, from the environment."""

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from api.auth import DEV_API_KEYS, ApiKeys, parse_api_keys
from canonical.channels.shopify_webhook import StoreCustomerTable


class ApiSettings(BaseSettings):
    """How the API serves and where it keeps its inbox.

    Attributes:
        webhook_secrets: Shared secret per event source, for the HMAC signature,
            e.g. `ORDERMESH_WEBHOOK_SECRETS='{"wms": "...", "carrier": "..."}'`.
        api_keys: Who may call the API, as comma-separated `role:key` entries, a
            portal's scoped to its customers (`portal:CUSTOMER[+CUSTOMER...]:key`),
            e.g. `ORDERMESH_API_KEYS='ops:k1,support:k2,portal:1000001:k3'`; held as
            the keys' digests. The default is the development keys (`api.auth`).
        warehouse_preference: Warehouses new orders try first, in order.
        verdict_timeout_seconds: How long `POST /orders` waits for the verdict.
        bank_account: The account cash application reads (the workers' too).
        shopify_secrets: Each shop's webhook secret, by its domain, for
            `X-Shopify-Hmac-Sha256`, e.g.
            `ORDERMESH_SHOPIFY_SECRETS='{"acme.myshopify.com": "..."}'`.
        store_customers: Which ERP customer buys each shop's orders
            (`ORDERMESH_STORE_CUSTOMERS`, by shop domain; see `StoreCustomerTable`).
    """

    # An invalid value is not echoed in the error: it may hold keys or secrets.
    model_config = SettingsConfigDict(
        env_prefix="ORDERMESH_", arbitrary_types_allowed=True, hide_input_in_errors=True
    )

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    database_url: str = "sqlite:///.data/ordermesh.db"
    webhook_secrets: dict[str, str] = {
        "wms": "dev-wms-secret",
        "carrier": "dev-carrier-secret",
        "tms": "dev-tms-secret",
    }
    api_keys: Annotated[ApiKeys, NoDecode] = Field(
        default_factory=lambda: parse_api_keys(DEV_API_KEYS)
    )
    warehouse_preference: list[str] = ["W1", "W2", "W3"]
    verdict_timeout_seconds: float = 10.0
    # How long delivering a 997 to an EDI partner may take.
    partner_timeout_seconds: float = 10.0
    bank_account: str = "ACME"
    shopify_secrets: dict[str, str] = {"ordermesh-demo.myshopify.com": "dev-shopify-secret"}
    store_customers: dict[str, StoreCustomerTable] = {
        "ordermesh-demo.myshopify.com": StoreCustomerTable(default="1000001")
    }

    @field_validator("api_keys", mode="before")
    @classmethod
    def _parse_api_keys(cls, value: object) -> object:
        return parse_api_keys(value) if isinstance(value, str) else value
