"""API configuration, from the environment."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """How the API serves and where it keeps its inbox.

    Attributes:
        webhook_secrets: Shared secret per event source, for the HMAC signature,
            e.g. `ORDERMESH_WEBHOOK_SECRETS='{"wms": "...", "carrier": "..."}'`.
        warehouse_preference: Warehouses new orders try first, in order.
        verdict_timeout_seconds: How long `POST /orders` waits for the verdict.
        bank_account: The account cash application reads (the workers' too).
    """

    model_config = SettingsConfigDict(env_prefix="ORDERMESH_")

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    database_url: str = "sqlite:///.data/ordermesh.db"
    webhook_secrets: dict[str, str] = {
        "wms": "dev-wms-secret",
        "carrier": "dev-carrier-secret",
        "tms": "dev-tms-secret",
    }
    warehouse_preference: list[str] = ["W1", "W2", "W3"]
    verdict_timeout_seconds: float = 10.0
    bank_account: str = "ACME"
