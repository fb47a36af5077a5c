"""Return labels: issued per RMA, idempotent, voidable."""

from pathlib import Path
from typing import Any

import pytest

from tests.sandbox.harness import ADDRESS, SandboxUnderTest, fast_settings, open_sandbox


def return_label_body(country: str = "DE", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": "O1",
        "ship_from": {**ADDRESS, "country": country},
        "to_warehouse": "W1",
        "weight_kg": "1.5",
    }
    body.update(overrides)
    return body


async def test_issuing_twice_returns_the_same_label(sandbox: SandboxUnderTest) -> None:
    first = await sandbox.client.put("/carrier/return-labels/RMA-1", json=return_label_body())
    again = await sandbox.client.put(
        "/carrier/return-labels/RMA-1", json=return_label_body(carrier="ACME-PARCEL")
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    label = first.json()
    assert (label["carrier"], label["service"], label["status"]) == (
        "SANDBOX-PARCEL",
        "return",
        "ISSUED",
    )
    assert (label["rma_id"], label["order_id"], label["to_warehouse"]) == ("RMA-1", "O1", "W1")
    assert label["weight_kg"] == "1.5"
    assert label["tracking_number"].startswith("1ZSBX")
    assert len(label["tracking_number"]) == 15
    assert (await sandbox.client.get("/carrier/return-labels/RMA-1")).json() == label


async def test_void_is_idempotent_and_a_new_label_follows(sandbox: SandboxUnderTest) -> None:
    first = (
        await sandbox.client.put("/carrier/return-labels/RMA-1", json=return_label_body())
    ).json()

    voids = [
        await sandbox.client.delete("/carrier/return-labels/RMA-1"),
        await sandbox.client.delete("/carrier/return-labels/RMA-1"),
        await sandbox.client.delete("/carrier/return-labels/NEVER"),
    ]

    assert [v.status_code for v in voids] == [204, 204, 204]
    voided = (await sandbox.client.get("/carrier/return-labels/RMA-1")).json()
    assert (voided["status"], voided["tracking_number"]) == ("VOIDED", first["tracking_number"])
    reissued = await sandbox.client.put("/carrier/return-labels/RMA-1", json=return_label_body())
    assert reissued.status_code == 201
    assert reissued.json()["status"] == "ISSUED"
    assert reissued.json()["tracking_number"] != first["tracking_number"]
    assert reissued.json()["label_id"] != first["label_id"]


async def test_a_return_label_is_not_an_outbound_label(sandbox: SandboxUnderTest) -> None:
    await sandbox.client.put("/carrier/return-labels/O1-S1", json=return_label_body())

    assert (await sandbox.client.get("/carrier/labels/O1-S1")).status_code == 404
    assert (await sandbox.client.get("/carrier/return-labels/NEVER")).status_code == 404


async def test_the_carrier_asked_for_issues_it(sandbox: SandboxUnderTest) -> None:
    response = await sandbox.client.put(
        "/carrier/return-labels/RMA-1", json=return_label_body(carrier="ACME-PARCEL")
    )

    assert response.status_code == 201
    assert response.json()["carrier"] == "ACME-PARCEL"
    assert response.json()["tracking_number"].startswith("ACME")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (return_label_body(carrier="NOPE"), "UNKNOWN_CARRIER"),
        (return_label_body(country="KP"), "ADDRESS_NOT_SERVICEABLE"),
    ],
)
async def test_what_no_carrier_can_do_is_422(
    sandbox: SandboxUnderTest, body: dict[str, Any], code: str
) -> None:
    response = await sandbox.client.put("/carrier/return-labels/RMA-1", json=body)

    assert response.status_code == 422
    assert response.json()["detail"]["code"] == code
    assert (await sandbox.client.get("/carrier/return-labels/RMA-1")).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        return_label_body(weight_kg="0"),
        return_label_body(order_id=""),
        return_label_body(to_warehouse=""),
        return_label_body(ship_from="Berlin"),
        {k: v for k, v in return_label_body().items() if k != "ship_from"},
    ],
)
async def test_bad_return_label_requests_are_422(
    sandbox: SandboxUnderTest, body: dict[str, Any]
) -> None:
    response = await sandbox.client.put("/carrier/return-labels/RMA-1", json=body)

    assert response.status_code == 422
    assert (await sandbox.client.get("/carrier/return-labels/RMA-1")).status_code == 404


async def test_return_labels_are_subject_to_injected_faults(tmp_path: Path) -> None:
    async with open_sandbox(fast_settings(tmp_path, error_rate=1.0)) as sandbox:
        response = await sandbox.client.put(
            "/carrier/return-labels/RMA-1", json=return_label_body()
        )

    assert response.status_code == 503
