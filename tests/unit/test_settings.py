"""Worker and API settings read from `ORDERMESH_*` environment variables."""

import os
from decimal import Decimal

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsError

from api.settings import ApiSettings
from canonical.pricing import DEMO_PRICE_LIST, PriceList
from workers.settings import WorkerSettings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No `ORDERMESH_*` variable from the outside leaks into a test."""
    for name in list(os.environ):
        if name.upper().startswith("ORDERMESH_"):
            monkeypatch.delenv(name)


def test_worker_defaults_to_the_demo_price_list() -> None:
    settings = WorkerSettings()

    assert settings.price_list() == DEMO_PRICE_LIST
    assert settings.sandbox_url == "http://127.0.0.1:8070"


def test_worker_default_prices_are_a_copy() -> None:
    WorkerSettings().prices["TG11"] = Decimal("0")

    assert WorkerSettings().prices["TG11"] == Decimal("95.00")
    assert DEMO_PRICE_LIST.prices["TG11"] == Decimal("95.00")


def test_worker_prices_from_json_are_exact_decimals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERMESH_PRICES", '{"TG11": "95.10", "X-1": "0.0005"}')
    monkeypatch.setenv("ORDERMESH_PRICE_CURRENCY", "USD")

    prices = WorkerSettings().price_list()

    assert prices == PriceList(
        currency="USD", prices={"TG11": Decimal("95.10"), "X-1": Decimal("0.0005")}
    )
    assert all(isinstance(p, Decimal) for p in prices.prices.values())
    assert str(prices.prices["TG11"]) == "95.10"  # the trailing zero survives


def test_worker_prices_as_json_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERMESH_PRICES", '{"TG11": 95.1, "TG12": 3}')

    assert WorkerSettings().prices == {"TG11": Decimal("95.1"), "TG12": Decimal("3")}


def test_worker_numbers_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERMESH_ERP_CALLS_PER_SECOND", "2.5")
    monkeypatch.setenv("ORDERMESH_SANDBOX_URL", "http://sandbox:8070")

    settings = WorkerSettings()

    assert settings.erp_calls_per_second == 2.5
    assert settings.sandbox_url == "http://sandbox:8070"


def test_worker_erp_protection_defaults() -> None:
    settings = WorkerSettings()

    assert settings.erp_calls_per_second == 20
    assert settings.erp_calls_per_second_here() == 20
    assert settings.erp_activity_slots() == 20
    assert settings.erp_lookup_ttl_seconds == 300
    assert settings.erp_lookup_not_found_ttl_seconds == 30


def test_worker_erp_budget_shared_by_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERMESH_ERP_CALLS_PER_SECOND", "5")
    monkeypatch.setenv("ORDERMESH_ERP_WORKER_PROCESSES", "2")
    monkeypatch.setenv("ORDERMESH_ERP_LOOKUP_TTL_SECONDS", "0")

    settings = WorkerSettings()

    assert settings.erp_calls_per_second_here() == 2.5
    assert settings.erp_activity_slots() == 3
    assert settings.erp_lookup_ttl_seconds == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ORDERMESH_ERP_CALLS_PER_SECOND", "0"),
        ("ORDERMESH_ERP_WORKER_PROCESSES", "0"),
        ("ORDERMESH_ERP_LOOKUP_TTL_SECONDS", "-1"),
        ("ORDERMESH_ERP_LOOKUP_CACHE_ENTRIES", "0"),
    ],
)
def test_worker_erp_settings_out_of_range_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError):
        WorkerSettings()


def test_worker_prices_that_are_not_json_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERMESH_PRICES", "TG11=95")

    with pytest.raises(SettingsError, match="prices"):
        WorkerSettings()


def test_worker_prices_that_are_not_numbers_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERMESH_PRICES", '{"TG11": "cheap"}')

    with pytest.raises(ValidationError, match="TG11"):
        WorkerSettings()


def test_api_defaults() -> None:
    settings = ApiSettings()

    assert set(settings.webhook_secrets) == {"wms", "carrier", "tms"}
    assert settings.warehouse_preference == ["W1", "W2", "W3"]
    assert settings.database_url.startswith("sqlite:///")


def test_api_webhook_secrets_from_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERMESH_WEBHOOK_SECRETS", '{"wms": "w-secret", "dhl": "d-secret"}')

    assert ApiSettings().webhook_secrets == {"wms": "w-secret", "dhl": "d-secret"}


def test_api_other_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERMESH_WAREHOUSE_PREFERENCE", '["W3", "W1"]')
    monkeypatch.setenv("ORDERMESH_DATABASE_URL", "postgresql+psycopg://db/ordermesh")
    monkeypatch.setenv("ORDERMESH_API_PORT", "9000")

    settings = ApiSettings()

    assert settings.warehouse_preference == ["W3", "W1"]
    assert settings.database_url == "postgresql+psycopg://db/ordermesh"
    assert settings.api_port == 9000


def test_api_webhook_secrets_that_are_not_json_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ORDERMESH_WEBHOOK_SECRETS", "wms=secret")

    with pytest.raises(SettingsError, match="webhook_secrets"):
        ApiSettings()


def test_api_webhook_secrets_must_be_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERMESH_WEBHOOK_SECRETS", '{"wms": 42}')

    with pytest.raises(ValidationError, match="wms"):
        ApiSettings()


def test_a_price_list_with_too_many_decimals_stops_the_worker_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ORDERMESH_PRICES", '{"TG11": "1.123456"}')
    with pytest.raises(ValidationError, match="decimal places"):
        WorkerSettings()
