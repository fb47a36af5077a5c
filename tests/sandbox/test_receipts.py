"""Receipts: stock booked in at once and reported as a `stock_received` event."""

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from canonical.signing import sign
from tests.sandbox.harness import SandboxUnderTest, fast_settings, open_sandbox, reservation_body


async def receive(
    sandbox: SandboxUnderTest, warehouse: str, sku: str, quantity: int
) -> httpx.Response:
    return await sandbox.client.post(
        "/wms/receipts", json={"warehouse": warehouse, "sku": sku, "quantity": quantity}
    )


async def test_a_receipt_books_stock_in_at_once(sandbox: SandboxUnderTest) -> None:
    await sandbox.client.put("/wms/reservations/O1-S1", json=reservation_body(warehouse="W2"))

    response = await receive(sandbox, "W2", "TG11", 40)

    assert response.status_code == 201
    assert response.json() == {"warehouse": "W2", "sku": "TG11", "on_hand": 240, "available": 235}
    rows = (await sandbox.client.get("/wms/stock", params={"sku": "TG11"})).json()
    assert [(r["warehouse"], r["on_hand"]) for r in rows] == [("W1", 500), ("W2", 240), ("W3", 100)]


async def test_the_receipt_is_sent_as_a_signed_stock_received_event(
    sandbox: SandboxUnderTest,
) -> None:
    await receive(sandbox, "W2", "TG11", 40)
    [row] = await sandbox.events()
    assert (row["kind"], row["status"], row["order_id"], row["shipment_id"]) == (
        "stock_received",
        "pending",
        "",
        "",
    )

    await sandbox.dispatcher.run_once()

    [delivery] = sandbox.receiver.deliveries
    assert delivery.source == "wms"
    assert delivery.signature == sign("dev-wms-secret", delivery.body)
    body = json.loads(delivery.body)
    assert body == {
        "event_id": row["event_id"],
        "source": "wms",
        "kind": "stock_received",
        "order_id": "",
        "shipment_id": "",
        "occurred_at": body["occurred_at"],
        "tracking_number": "",
        "detail": "received 40 TG11 in W2",
        "warehouse": "W2",
        "rma_id": "",
        "lines": [{"line_no": 0, "sku": "TG11", "quantity": "40", "condition": ""}],
    }
    assert delivery.event.occurred_at.utcoffset() is not None
    assert (await sandbox.events())[0]["status"] == "sent"


async def test_a_sku_new_to_the_warehouse_gets_a_stock_row(sandbox: SandboxUnderTest) -> None:
    response = await receive(sandbox, "W3", "NEW-1", 7)

    assert response.status_code == 201
    assert response.json() == {"warehouse": "W3", "sku": "NEW-1", "on_hand": 7, "available": 7}
    reserved = await sandbox.client.put(
        "/wms/reservations/O1-S1", json=reservation_body(warehouse="W3", lines=[("NEW-1", 7)])
    )
    assert reserved.status_code == 201


async def test_receipts_are_delivered_in_order_and_retried(sandbox: SandboxUnderTest) -> None:
    sandbox.receiver.respond_next(503)
    for quantity in (1, 2, 3):
        assert (await receive(sandbox, "W1", "TG12", quantity)).status_code == 201

    await sandbox.step(4)

    received = [int(e.lines[0].quantity) for e in sandbox.receiver.events]
    assert received == [1, 2, 3]
    assert [r["attempts"] for r in await sandbox.events()] == [2, 1, 1]


@pytest.mark.parametrize(
    "body",
    [
        {"warehouse": "W1", "sku": "TG11", "quantity": 0},
        {"warehouse": "W1", "sku": "TG11", "quantity": -5},
        {"warehouse": "W1", "sku": "TG11", "quantity": 1.5},
        {"warehouse": "W1", "sku": "TG11", "quantity": "5"},
        {"warehouse": "W1", "sku": "TG11"},
        {"warehouse": "W1", "sku": "", "quantity": 5},
        {"sku": "TG11", "quantity": 5},
        {"warehouse": "W1", "sku": "TG11", "quantity": 5, "lot": "L1"},
        [{"warehouse": "W1", "sku": "TG11", "quantity": 5}],
    ],
)
async def test_bad_receipts_are_422_and_change_nothing(
    sandbox: SandboxUnderTest, body: Any
) -> None:
    before = (await sandbox.client.get("/wms/stock")).json()

    response = await sandbox.client.post("/wms/receipts", json=body)

    assert response.status_code == 422
    assert (await sandbox.client.get("/wms/stock")).json() == before
    assert await sandbox.events() == []


async def test_an_unknown_warehouse_is_422(sandbox: SandboxUnderTest) -> None:
    response = await receive(sandbox, "W9", "TG11", 5)

    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "UNKNOWN_WAREHOUSE"
    assert await sandbox.events() == []


async def test_the_layout_setter_still_replaces_everything(sandbox: SandboxUnderTest) -> None:
    await receive(sandbox, "W1", "TG11", 5)
    layout = [
        {"warehouse": w, "sku": s, "on_hand": 10} for w in ("W1", "W2", "W3") for s in ("A", "B")
    ]

    response = await sandbox.client.put("/wms/stock", json=layout)

    assert response.status_code == 200
    assert [(r["warehouse"], r["sku"], r["on_hand"]) for r in response.json()] == [
        (row["warehouse"], row["sku"], 10) for row in layout
    ]
    assert (await receive(sandbox, "W2", "A", 5)).json()["on_hand"] == 15


async def test_receipts_are_not_subject_to_injected_faults(tmp_path: Path) -> None:
    async with open_sandbox(fast_settings(tmp_path, error_rate=1.0)) as sandbox:
        assert (await receive(sandbox, "W1", "TG11", 5)).status_code == 201
