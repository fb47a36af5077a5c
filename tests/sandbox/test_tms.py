"""The sandbox TMS: deterministic quotes from several carriers, parcel and LTL."""

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sandbox.settings import SandboxSettings
from tests.sandbox.harness import (
    ADDRESS,
    SandboxUnderTest,
    fast_settings,
    open_sandbox,
    quote_body,
)


async def quotes(sandbox: SandboxUnderTest, **body: str) -> list[dict[str, Any]]:
    response = await sandbox.client.post("/tms/quotes", json=quote_body(**body))
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"quotes"}
    return list(response.json()["quotes"])


def offers(quoted: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(carrier/service, mode, price) of each quote, in order."""
    return [(f"{q['carrier']}/{q['service']}", q["mode"], q["price"]["amount"]) for q in quoted]


async def test_a_parcel_gets_every_parcel_service_cheapest_first(
    sandbox: SandboxUnderTest,
) -> None:
    quoted = await quotes(sandbox, weight_kg="2.5")

    assert quoted[0] == {
        "carrier": "ACME-PARCEL",
        "service": "ground",
        "mode": "parcel",
        "price": {"amount": "6.63", "currency": "EUR"},
        "transit_days": 4,
    }
    assert [(q["carrier"], q["service"], q["transit_days"]) for q in quoted] == [
        ("ACME-PARCEL", "ground", 4),
        ("SANDBOX-PARCEL", "standard", 3),
        ("SANDBOX-PARCEL", "express", 1),
        ("ACME-PARCEL", "next_day", 1),
    ]
    assert [q["price"]["amount"] for q in quoted] == ["6.63", "6.90", "16.50", "17.50"]


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        (
            "10",
            [
                ("SANDBOX-PARCEL/standard", "parcel", "12.90"),
                ("ACME-PARCEL/ground", "parcel", "13.00"),
                ("ACME-PARCEL/next_day", "parcel", "28.00"),
                ("SANDBOX-PARCEL/express", "parcel", "28.50"),
            ],
        ),
        ("29.99", None),  # no LTL below 30 kg
        (
            "50",
            [
                ("SANDBOX-PARCEL/standard", "parcel", "44.90"),
                ("ACME-PARCEL/ground", "parcel", "47.00"),
                ("ROADRUNNER-FREIGHT/ltl", "ltl", "57.00"),
                ("ACME-PARCEL/next_day", "parcel", "84.00"),
                ("SANDBOX-PARCEL/express", "parcel", "92.50"),
            ],
        ),
        (
            "70",
            [
                ("ROADRUNNER-FREIGHT/ltl", "ltl", "59.00"),
                ("SANDBOX-PARCEL/standard", "parcel", "60.90"),
                ("ACME-PARCEL/ground", "parcel", "64.00"),
                ("ACME-PARCEL/next_day", "parcel", "112.00"),
                ("SANDBOX-PARCEL/express", "parcel", "124.50"),
            ],
        ),
        ("70.01", [("ROADRUNNER-FREIGHT/ltl", "ltl", "59.00")]),
        ("250", [("ROADRUNNER-FREIGHT/ltl", "ltl", "77.00")]),
        ("1000", [("ROADRUNNER-FREIGHT/ltl", "ltl", "152.00")]),
        ("1000.01", []),
    ],
)
async def test_prices_and_services_depend_on_weight(
    sandbox: SandboxUnderTest, weight: str, expected: list[tuple[str, str, str]] | None
) -> None:
    quoted = offers(await quotes(sandbox, weight_kg=weight))

    if expected is None:
        assert len(quoted) == 4
        assert all(mode == "parcel" for _, mode, _ in quoted)
    else:
        assert quoted == expected


async def test_ltl_beats_parcel_from_about_67_kg(sandbox: SandboxUnderTest) -> None:
    cheapest = {w: offers(await quotes(sandbox, weight_kg=w))[0][0] for w in ("67", "68")}

    assert cheapest == {"67": "SANDBOX-PARCEL/standard", "68": "ROADRUNNER-FREIGHT/ltl"}


async def test_quotes_are_deterministic(sandbox: SandboxUnderTest) -> None:
    first = await quotes(sandbox, weight_kg="12.345", shipment_id="A-S1")
    again = await quotes(sandbox, weight_kg="12.345", shipment_id="B-S9")

    assert first == again
    assert [q["price"]["amount"] for q in first][:2] == ["14.78", "14.99"]  # cents, half up


async def test_an_unserved_destination_gets_no_quotes(sandbox: SandboxUnderTest) -> None:
    assert await quotes(sandbox, country="KP") == []
    assert await quotes(sandbox, country="KP", weight_kg="500") == []


async def test_the_tms_follows_its_settings(tmp_path: Path) -> None:
    settings = fast_settings(
        tmp_path,
        carrier_unserved_countries=["DE"],
        disabled_carriers=["ACME-PARCEL"],
        tms_parcel_max_kg=Decimal("31.5"),
        tms_ltl_min_kg=Decimal("20"),
    )
    async with open_sandbox(settings) as sandbox:
        assert await quotes(sandbox, country="DE") == []
        assert [o[0] for o in offers(await quotes(sandbox, country="KP", weight_kg="25"))] == [
            "SANDBOX-PARCEL/standard",
            "SANDBOX-PARCEL/express",
            "ROADRUNNER-FREIGHT/ltl",
        ]
        heavy = offers(await quotes(sandbox, country="KP", weight_kg="32"))
        assert [o[0] for o in heavy] == ["ROADRUNNER-FREIGHT/ltl"]


def test_tms_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_TMS_PARCEL_MAX_KG", "31.5")
    monkeypatch.setenv("SANDBOX_TMS_LTL_MIN_KG", "25")
    monkeypatch.setenv("SANDBOX_TMS_LTL_MAX_KG", "5000")
    monkeypatch.setenv("SANDBOX_DISABLED_CARRIERS", '["ACME-PARCEL"]')

    settings = SandboxSettings()

    assert (settings.tms_parcel_max_kg, settings.tms_ltl_min_kg, settings.tms_ltl_max_kg) == (
        Decimal("31.5"),
        Decimal("25"),
        Decimal("5000"),
    )
    assert settings.disabled_carriers == ["ACME-PARCEL"]


@pytest.mark.parametrize(
    "change",
    [
        {"weight_kg": "0"},
        {"weight_kg": "-1"},
        {"weight_kg": "heavy"},
        {"weight_kg": None},
        {"ship_to": None},
        {"ship_to": {**ADDRESS, "country": "Germany"}},
        {"ship_to": {**ADDRESS, "street": ""}},
        {"shipment_id": ""},
        {"ship_from": ""},
    ],
)
async def test_bad_requests_are_422(sandbox: SandboxUnderTest, change: dict[str, Any]) -> None:
    response = await sandbox.client.post("/tms/quotes", json={**quote_body(), **change})

    assert response.status_code == 422


async def test_every_quote_can_be_bought_as_a_label(sandbox: SandboxUnderTest) -> None:
    quoted = await quotes(sandbox, weight_kg="50")
    bought = []
    for n, quote in enumerate(quoted):
        response = await sandbox.client.put(
            f"/carrier/labels/O{n}-S1",
            json={
                "order_id": f"O{n}",
                "ship_from": "W1",
                "ship_to": ADDRESS,
                "weight_kg": "50",
                "carrier": quote["carrier"],
                "service": quote["service"],
            },
        )
        assert response.status_code == 201, response.text
        bought.append((response.json()["carrier"], response.json()["service"]))

    assert bought == [(q["carrier"], q["service"]) for q in quoted]


async def test_faults_are_injected_into_the_tms(sandbox: SandboxUnderTest) -> None:
    await sandbox.client.put("/sandbox/faults", json={"error_rate": 1.0, "latency_ms": 20})

    started = time.monotonic()
    response = await sandbox.client.post("/tms/quotes", json=quote_body())

    assert response.status_code == 503
    assert response.json()["detail"]["code"] == "INJECTED_FAULT"
    assert time.monotonic() - started >= 0.02
