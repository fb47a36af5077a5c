"""The sandbox carrier over HTTP: labels, voids, pickup and tracking."""

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from canonical.signing import sign
from tests.sandbox.harness import (
    ADDRESS,
    SandboxUnderTest,
    fast_settings,
    label_body,
    open_sandbox,
    reservation_body,
)


async def buy(sandbox: SandboxUnderTest, shipment_id: str, **body: Any) -> dict[str, Any]:
    response = await sandbox.client.put(f"/carrier/labels/{shipment_id}", json=label_body(**body))
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def ship(sandbox: SandboxUnderTest, shipment_id: str, tracking_number: str) -> None:
    """Reserve, release and label a shipment in the WMS, then step the floor until shipped."""
    client = sandbox.client
    assert (
        await client.put(f"/wms/reservations/{shipment_id}", json=reservation_body())
    ).status_code == 201
    await client.post(f"/wms/reservations/{shipment_id}/release", json={"ship_to": ADDRESS})
    await client.put(
        f"/wms/reservations/{shipment_id}/label",
        json={"carrier": "SANDBOX-PARCEL", "tracking_number": tracking_number},
    )
    t = time.time() + 100
    for step in range(3):  # picked, packed (and labelled), shipped
        await sandbox.dispatcher.run_once(now=t + 100 * step)
    status = (await client.get(f"/wms/reservations/{shipment_id}")).json()["status"]
    assert status == "SHIPPED"


async def test_buying_twice_returns_the_same_label(sandbox: SandboxUnderTest) -> None:
    first = await sandbox.client.put("/carrier/labels/O1-S1", json=label_body())
    again = await sandbox.client.put("/carrier/labels/O1-S1", json=label_body())

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    label = first.json()
    assert label["carrier"] == "SANDBOX-PARCEL"
    assert label["service"] == "standard"
    assert re.fullmatch(r"1ZSBX\d{10}", label["tracking_number"])
    assert label["label_id"]
    assert label["status"] == "ACTIVE"
    assert label["weight_kg"] == "2.5"
    assert (await sandbox.client.get("/carrier/labels/O1-S1")).json() == label


async def test_tracking_numbers_are_deterministic_and_distinct(tmp_path: Path) -> None:
    numbers = []
    for run in ("a", "b"):
        async with open_sandbox(fast_settings(tmp_path / run)) as sandbox:
            numbers.append(
                [(await buy(sandbox, sid))["tracking_number"] for sid in ("O1-S1", "O1-S2")]
            )

    assert numbers[0] == numbers[1]
    assert numbers[0][0] != numbers[0][1]


async def test_unserviceable_country_is_422_and_buys_nothing(sandbox: SandboxUnderTest) -> None:
    response = await sandbox.client.put("/carrier/labels/O1-S1", json=label_body(country="KP"))

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "ADDRESS_NOT_SERVICEABLE"
    assert "KP" in detail["message"]
    assert (await sandbox.client.get("/carrier/labels/O1-S1")).status_code == 404


async def test_unserved_countries_are_configurable(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path, carrier_unserved_countries=["DE"])
    async with open_sandbox(settings) as sandbox:
        refused = await sandbox.client.put("/carrier/labels/O1-S1", json=label_body())
        served = await sandbox.client.put("/carrier/labels/O1-S2", json=label_body(country="KP"))

    assert (refused.status_code, served.status_code) == (422, 201)


@pytest.mark.parametrize(
    "change",
    [
        {"ship_to": None},
        {"ship_to": {**ADDRESS, "country": "Germany"}},
        {"ship_to": {**ADDRESS, "city": ""}},
        {"weight_kg": "-1"},
        {"weight_kg": 0},
        {"order_id": ""},
        {"service": ""},
    ],
)
async def test_bad_label_requests_are_422(
    sandbox: SandboxUnderTest, change: dict[str, Any]
) -> None:
    response = await sandbox.client.put("/carrier/labels/O1-S1", json={**label_body(), **change})

    assert response.status_code == 422
    assert (await sandbox.client.get("/carrier/labels/O1-S1")).status_code == 404


async def test_void_is_idempotent_and_a_rebuy_gets_a_new_label(sandbox: SandboxUnderTest) -> None:
    label = await buy(sandbox, "O1-S1")

    first = await sandbox.client.delete("/carrier/labels/O1-S1")
    again = await sandbox.client.delete("/carrier/labels/O1-S1")
    unknown = await sandbox.client.delete("/carrier/labels/NEVER")

    assert (first.status_code, again.status_code, unknown.status_code) == (204, 204, 204)
    assert (await sandbox.client.get("/carrier/labels/O1-S1")).json()["status"] == "VOIDED"
    rebuy = await sandbox.client.put("/carrier/labels/O1-S1", json=label_body())
    assert rebuy.status_code == 201
    assert rebuy.json()["status"] == "ACTIVE"
    assert rebuy.json()["tracking_number"] != label["tracking_number"]
    assert rebuy.json()["label_id"] != label["label_id"]


async def test_pickup_starts_tracking_and_forbids_voiding(sandbox: SandboxUnderTest) -> None:
    label = await buy(sandbox, "O1-S1")
    tracking_number = label["tracking_number"]

    await ship(sandbox, "O1-S1", tracking_number)

    picked_up = (await sandbox.client.get("/carrier/labels/O1-S1")).json()
    assert picked_up["status"] == "PICKED_UP"
    assert picked_up["picked_up_at"] is not None
    void = await sandbox.client.delete("/carrier/labels/O1-S1")
    assert void.status_code == 409
    assert void.json()["detail"]["code"] == "ALREADY_PICKED_UP"
    again = await sandbox.client.put("/carrier/labels/O1-S1", json=label_body())
    assert (again.status_code, again.json()["tracking_number"]) == (200, tracking_number)

    tracking = (await sandbox.client.get(f"/carrier/tracking/{tracking_number}")).json()
    assert (tracking["status"], tracking["events"]) == ("PICKED_UP", [])

    t = time.time() + 1000
    await sandbox.dispatcher.run_once(now=t)
    tracking = (await sandbox.client.get(f"/carrier/tracking/{tracking_number}")).json()
    assert tracking["status"] == "IN_TRANSIT"
    assert [e["kind"] for e in tracking["events"]] == ["in_transit"]

    await sandbox.dispatcher.run_once(now=t + 100)
    tracking = (await sandbox.client.get(f"/carrier/tracking/{tracking_number}")).json()
    assert (tracking["shipment_id"], tracking["order_id"]) == ("O1-S1", "O1")
    assert tracking["status"] == "DELIVERED"
    assert [e["kind"] for e in tracking["events"]] == ["in_transit", "delivered"]
    assert all(e["occurred_at"] for e in tracking["events"])

    carrier_deliveries = [d for d in sandbox.receiver.deliveries if d.source == "carrier"]
    assert [d.event.kind.value for d in carrier_deliveries] == ["in_transit", "delivered"]
    for delivery in carrier_deliveries:
        assert delivery.signature == sign("dev-carrier-secret", delivery.body)
        assert delivery.event.tracking_number == tracking_number
        assert (delivery.event.order_id, delivery.event.shipment_id) == ("O1", "O1-S1")
    assert [e.event_id for e in sandbox.receiver.events][-2:] == [
        e["event_id"] for e in tracking["events"]
    ]


async def test_a_voided_label_is_not_tracked_when_the_parcel_ships(
    sandbox: SandboxUnderTest,
) -> None:
    label = await buy(sandbox, "O1-S1")
    await sandbox.client.delete("/carrier/labels/O1-S1")

    await ship(sandbox, "O1-S1", label["tracking_number"])
    await sandbox.dispatcher.run_once(now=time.time() + 10_000)

    assert sandbox.receiver.kinds() == ["picked", "packed", "shipped"]
    assert (await sandbox.client.get("/carrier/labels/O1-S1")).json()["status"] == "VOIDED"


async def test_unknown_label_and_tracking_number_are_404(sandbox: SandboxUnderTest) -> None:
    for response in [
        await sandbox.client.get("/carrier/labels/NOPE"),
        await sandbox.client.get("/carrier/tracking/1ZSBX0000000000"),
    ]:
        assert response.status_code == 404
        assert response.json()["detail"]["code"] == "NOT_FOUND"


async def test_delivery_in_real_time(running: SandboxUnderTest) -> None:
    label = await buy(running, "O9-S1", order_id="O9")
    client = running.client
    await client.put("/wms/reservations/O9-S1", json=reservation_body(order_id="O9"))
    await client.post("/wms/reservations/O9-S1/release", json={"ship_to": ADDRESS})
    await client.put(
        "/wms/reservations/O9-S1/label",
        json={"carrier": label["carrier"], "tracking_number": label["tracking_number"]},
    )

    await running.wait_for_kinds(
        "O9-S1", ["picked", "packed", "shipped", "in_transit", "delivered"]
    )

    label_now = (await client.get("/carrier/labels/O9-S1")).json()
    assert label_now["status"] == "DELIVERED"


# -- several carriers --


async def buy_from(
    sandbox: SandboxUnderTest, shipment_id: str, carrier: str, service: str, **body: Any
) -> httpx.Response:
    return await sandbox.client.put(
        f"/carrier/labels/{shipment_id}",
        json={**label_body(**body), "carrier": carrier, "service": service},
    )


@pytest.mark.parametrize(
    ("carrier", "service", "pattern"),
    [
        ("SANDBOX-PARCEL", "standard", r"1ZSBX\d{10}"),
        ("SANDBOX-PARCEL", "express", r"1ZSBX\d{10}"),
        ("ACME-PARCEL", "ground", r"ACME\d{12}"),
        ("ACME-PARCEL", "next_day", r"ACME\d{12}"),
        ("ROADRUNNER-FREIGHT", "ltl", r"RRF\d{9}"),
    ],
)
async def test_labels_are_bought_from_the_carrier_and_service_asked_for(
    sandbox: SandboxUnderTest, carrier: str, service: str, pattern: str
) -> None:
    response = await buy_from(sandbox, "O1-S1", carrier, service)

    assert response.status_code == 201, response.text
    label = response.json()
    assert (label["carrier"], label["service"]) == (carrier, service)
    assert re.fullmatch(pattern, label["tracking_number"])
    assert (await sandbox.client.get("/carrier/labels/O1-S1")).json() == label


async def test_no_carrier_is_the_default_carrier(sandbox: SandboxUnderTest) -> None:
    plain = await buy_from(sandbox, "O1-S1", "", "standard")
    express = await buy_from(sandbox, "O1-S2", "", "express")
    body = label_body()
    del body["service"]
    bare = await sandbox.client.put("/carrier/labels/O1-S3", json=body)

    assert [(r.json()["carrier"], r.json()["service"]) for r in (plain, express, bare)] == [
        ("SANDBOX-PARCEL", "standard"),
        ("SANDBOX-PARCEL", "express"),
        ("SANDBOX-PARCEL", "standard"),
    ]


@pytest.mark.parametrize(
    ("carrier", "service"),
    [
        ("NOPE-EXPRESS", "standard"),
        ("ACME-PARCEL", "standard"),
        ("SANDBOX-PARCEL", "ltl"),
        ("", "ground"),
        ("acme-parcel", "ground"),
    ],
)
async def test_an_unknown_carrier_or_service_is_422_and_buys_nothing(
    sandbox: SandboxUnderTest, carrier: str, service: str
) -> None:
    response = await buy_from(sandbox, "O1-S1", carrier, service)

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "UNKNOWN_SERVICE"
    assert (detail["carrier"], detail["service"]) == (carrier or "SANDBOX-PARCEL", service)
    assert "ACME-PARCEL/ground" in detail["message"]  # says what there is
    assert (await sandbox.client.get("/carrier/labels/O1-S1")).status_code == 404


async def test_a_disabled_carrier_sells_no_labels(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path, disabled_carriers=["ROADRUNNER-FREIGHT"])
    async with open_sandbox(settings) as sandbox:
        response = await buy_from(sandbox, "O1-S1", "ROADRUNNER-FREIGHT", "ltl")

    assert response.json()["detail"]["code"] == "UNKNOWN_SERVICE"


async def test_no_carrier_serves_an_unserved_country(sandbox: SandboxUnderTest) -> None:
    for carrier, service in [("ACME-PARCEL", "ground"), ("ROADRUNNER-FREIGHT", "ltl")]:
        response = await buy_from(sandbox, "O1-S1", carrier, service, country="KP")
        assert response.status_code == 422
        assert response.json()["detail"]["code"] == "ADDRESS_NOT_SERVICEABLE"
        assert carrier in response.json()["detail"]["message"]


async def test_buying_again_returns_what_was_bought(sandbox: SandboxUnderTest) -> None:
    first = await buy_from(sandbox, "O1-S1", "ACME-PARCEL", "ground")
    again = await buy_from(sandbox, "O1-S1", "SANDBOX-PARCEL", "express")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert (again.json()["carrier"], again.json()["service"]) == ("ACME-PARCEL", "ground")


async def test_after_a_void_another_carrier_can_be_bought(sandbox: SandboxUnderTest) -> None:
    await buy_from(sandbox, "O1-S1", "ACME-PARCEL", "ground")
    await sandbox.client.delete("/carrier/labels/O1-S1")

    rebuy = await buy_from(sandbox, "O1-S1", "ROADRUNNER-FREIGHT", "ltl", weight_kg="80")

    assert rebuy.status_code == 201
    assert (rebuy.json()["carrier"], rebuy.json()["tracking_number"][:3]) == (
        "ROADRUNNER-FREIGHT",
        "RRF",
    )


@pytest.mark.parametrize(
    ("carrier", "service"), [("ACME-PARCEL", "next_day"), ("ROADRUNNER-FREIGHT", "ltl")]
)
async def test_every_carrier_tracks_its_parcels_to_delivery(
    sandbox: SandboxUnderTest, carrier: str, service: str
) -> None:
    label = (await buy_from(sandbox, "O1-S1", carrier, service)).json()

    await ship(sandbox, "O1-S1", label["tracking_number"])
    await sandbox.dispatcher.run_once(now=time.time() + 1000)
    await sandbox.dispatcher.run_once(now=time.time() + 1100)

    tracking = (await sandbox.client.get(f"/carrier/tracking/{label['tracking_number']}")).json()
    assert tracking["status"] == "DELIVERED"
    assert [e["kind"] for e in tracking["events"]] == ["in_transit", "delivered"]
    assert tracking["events"][0]["detail"] == f"{carrier} {service}: departed origin facility"
    carrier_events = [d.event for d in sandbox.receiver.deliveries if d.source == "carrier"]
    assert [e.kind.value for e in carrier_events] == ["in_transit", "delivered"]
    assert {e.tracking_number for e in carrier_events} == {label["tracking_number"]}
    assert carrier_events[1].detail.startswith(f"{carrier} {service}: delivered ")
