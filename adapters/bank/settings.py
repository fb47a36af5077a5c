"""Where the bank is and how to talk to it; every field set by environment."""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class BankSettings(BaseSettings):
    """Connection settings for `adapters.bank.http.MockBankAdapter`.

    Read from environment variables prefixed `ORDERMESH_BANK_`, e.g.
    `ORDERMESH_BANK_BASE_URL=http://127.0.0.1:8090`.

    Attributes:
        base_url: Scheme, host and port of the bank (mock-bank's default port).
        account: Our account at the bank whose credits are read.
        username: Basic-auth user (mock-bank `--auth`); no `Authorization` header
            when unset.
        password: Basic-auth password.
        timeout_seconds: Per-request timeout (connect, read, write, pool).
    """

    model_config = SettingsConfigDict(env_prefix="ORDERMESH_BANK_", extra="ignore")

    base_url: str = "http://127.0.0.1:8090"
    account: str = "ACME"
    username: str | None = None
    password: SecretStr | None = None
    timeout_seconds: float = Field(default=10.0, gt=0)
