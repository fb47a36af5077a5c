"""Customer returns at the warehouse: receipts into quarantine, then restock or scrap."""

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from canonical.signing import sign
from tests.sandbox.harness import SandboxUnderTest, fast_settings, open_sandbox

LINES = [
    {"line_no": 10, "sku": "TG11", "quantity": 2, "condition": "sellable"},
    {"line_no": 10, "sku": "TG11", "quantity": 1, "condition": "damaged"},
    {"line_no": 20, "sku": "TG12", "quantity": 0, "condition": "sellable"},
]


def receipt_body(rma_id: str = "RMA-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"rma_id": rma_id, "order_id": "O1", "warehouse": "W1", "lines": LINES}
    body.update(overrides)
    return body


def disposition_body(key: str = "K1", quantity: Any = 2, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "idempotency_key": key,
        "rma_id": "RMA-1",
        "warehouse": "W1",
        "sku": "TG11",
        "quantity": quantity,
    }
    body.update(overrides)
    return body


async def on_hand(sandbox: SandboxUnderTest, warehouse: str = "W1", sku: str = "TG11") -> int:
    rows = (await sandbox.client.get("/wms/stock", params={"sku": sku})).json()
    [row] = [r for r in rows if r["warehouse"] == warehouse]
    quantity: int = row["on_hand"]
    return quantity


# -- receipts --


async def test_a_return_receipt_is_sent_as_one_signed_return_received_event(
    sandbox: SandboxUnderTest,
) -> None:
    response = await sandbox.client.post("/wms/return-receipts", json=receipt_body())

    assert response.status_code == 201
    [row] = await sandbox.events()
    assert (row["kind"], row["status"], row["order_id"], row["shipment_id"]) == (
        "return_received",
        "pending",
        "O1",
        "",
    )
    assert response.json()["event_id"] == row["event_id"]

    await sandbox.dispatcher.run_once()

    [delivery] = sandbox.receiver.deliveries
    assert delivery.source == "wms"
    assert delivery.signature == sign("dev-wms-secret", delivery.body)
    body = json.loads(delivery.body)
    assert body == {
        "event_id": row["event_id"],
        "source": "wms",
        "kind": "return_received",
        "order_id": "O1",
        "shipment_id": "",
        "occurred_at": body["occurred_at"],
        "tracking_number": "",
        "detail": "return RMA-1 received in W1: 2 sellable, 1 damaged",
        "warehouse": "W1",
        "rma_id": "RMA-1",
        "lines": [
            {"line_no": 10, "sku": "TG11", "quantity": "2", "condition": "sellable"},
            {"line_no": 10, "sku": "TG11", "quantity": "1", "condition": "damaged"},
            {"line_no": 20, "sku": "TG12", "quantity": "0", "condition": "sellable"},
        ],
    }
    assert (await sandbox.events())[0]["status"] == "sent"


async def test_returned_goods_are_quarantined_not_stocked(sandbox: SandboxUnderTest) -> None:
    before = (await sandbox.client.get("/wms/stock")).json()

    await sandbox.client.post("/wms/return-receipts", json=receipt_body())

    assert (await sandbox.client.get("/wms/stock")).json() == before
    stored = (await sandbox.client.get("/wms/return-receipts/RMA-1")).json()
    assert (stored["order_id"], stored["warehouse"]) == ("O1", "W1")
    assert [(x["sku"], x["quantity"], x["condition"]) for x in stored["lines"]] == [
        ("TG11", "2", "sellable"),
        ("TG11", "1", "damaged"),
        ("TG12", "0", "sellable"),
    ]


async def test_an_empty_receipt_means_nothing_arrived(sandbox: SandboxUnderTest) -> None:
    response = await sandbox.client.post("/wms/return-receipts", json=receipt_body(lines=[]))
    await sandbox.dispatcher.run_once()

    assert response.status_code == 201
    [event] = sandbox.receiver.events
    assert (event.kind.value, event.rma_id, event.lines) == ("return_received", "RMA-1", [])
    assert event.detail == "return RMA-1 received in W1: 0 sellable, 0 damaged"


async def test_the_same_receipt_again_sends_nothing_more(sandbox: SandboxUnderTest) -> None:
    first = await sandbox.client.post("/wms/return-receipts", json=receipt_body(event_id="dock-1"))
    again = await sandbox.client.post("/wms/return-receipts", json=receipt_body(event_id="dock-1"))
    without_id = await sandbox.client.post("/wms/return-receipts", json=receipt_body())

    assert (first.status_code, again.status_code, without_id.status_code) == (201, 200, 200)
    assert first.json() == again.json() == without_id.json()
    assert [row["event_id"] for row in await sandbox.events()] == ["dock-1"]


@pytest.mark.parametrize(
    "changes",
    [
        {"lines": LINES[:1]},
        {"warehouse": "W2"},
        {"order_id": "O2"},
        {"event_id": "dock-2"},
    ],
)
async def test_a_different_receipt_for_the_same_rma_is_409(
    sandbox: SandboxUnderTest, changes: dict[str, Any]
) -> None:
    await sandbox.client.post("/wms/return-receipts", json=receipt_body(event_id="dock-1"))

    response = await sandbox.client.post(
        "/wms/return-receipts", json=receipt_body(**{"event_id": "dock-1", **changes})
    )

    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "RETURN_ALREADY_RECEIVED"
    assert len(await sandbox.events()) == 1


async def test_an_event_id_is_used_once(sandbox: SandboxUnderTest) -> None:
    await sandbox.client.post("/wms/return-receipts", json=receipt_body(event_id="dock-1"))

    response = await sandbox.client.post(
        "/wms/return-receipts", json=receipt_body("RMA-2", event_id="dock-1")
    )

    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "DUPLICATE_EVENT_ID"
    assert (await sandbox.client.get("/wms/return-receipts/RMA-2")).status_code == 404


def _line(**changes: Any) -> list[dict[str, Any]]:
    return [{**LINES[0], **changes}]


@pytest.mark.parametrize(
    "body",
    [
        receipt_body(lines=_line(quantity=-1)),
        receipt_body(lines=_line(quantity=1.5)),
        receipt_body(lines=_line(condition="used")),
        receipt_body(lines=_line(sku="")),
        receipt_body(lines=_line(line_no=-1)),
        receipt_body(lines=_line(lot="L1")),
        receipt_body(rma_id=""),
        receipt_body(order_id=""),
        receipt_body(warehouse=""),
        receipt_body(extra=True),
        {k: v for k, v in receipt_body().items() if k != "lines"},
        [receipt_body()],
    ],
)
async def test_bad_receipts_are_422_and_record_nothing(
    sandbox: SandboxUnderTest, body: Any
) -> None:
    response = await sandbox.client.post("/wms/return-receipts", json=body)

    assert response.status_code == 422
    assert await sandbox.events() == []
    assert (await sandbox.client.get("/wms/return-receipts/RMA-1")).status_code == 404


async def test_a_receipt_in_an_unknown_warehouse_is_422(sandbox: SandboxUnderTest) -> None:
    response = await sandbox.client.post("/wms/return-receipts", json=receipt_body(warehouse="W9"))

    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "UNKNOWN_WAREHOUSE"
    assert await sandbox.events() == []


async def test_return_receipts_are_not_subject_to_injected_faults(tmp_path: Path) -> None:
    async with open_sandbox(fast_settings(tmp_path, error_rate=1.0)) as sandbox:
        posted = await sandbox.client.post("/wms/return-receipts", json=receipt_body())
        fetched = await sandbox.client.get("/wms/return-receipts/RMA-1")
        restocked = await sandbox.client.post("/wms/restock", json=disposition_body())

    assert (posted.status_code, fetched.status_code, restocked.status_code) == (201, 200, 503)


# -- dispositions --


async def test_restock_adds_sellable_stock_once_per_key(sandbox: SandboxUnderTest) -> None:
    first = await sandbox.client.post("/wms/restock", json=disposition_body(quantity=2))
    again = await sandbox.client.post("/wms/restock", json=disposition_body(quantity="2"))

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert (first.json()["kind"], first.json()["quantity"]) == ("RESTOCK", 2)
    assert await on_hand(sandbox) == 502
    other_key = await sandbox.client.post("/wms/restock", json=disposition_body("K2", 1))
    assert other_key.status_code == 201
    assert await on_hand(sandbox) == 503


async def test_restock_of_a_sku_new_to_the_warehouse(sandbox: SandboxUnderTest) -> None:
    await sandbox.client.post("/wms/restock", json=disposition_body(sku="NEW-1", quantity=4))

    assert await on_hand(sandbox, "W1", "NEW-1") == 4


async def test_scrap_is_recorded_once_and_changes_no_stock(sandbox: SandboxUnderTest) -> None:
    before = (await sandbox.client.get("/wms/stock")).json()

    first = await sandbox.client.post("/wms/scrap", json=disposition_body(quantity=1))
    again = await sandbox.client.post("/wms/scrap", json=disposition_body(quantity=1))

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["kind"] == "SCRAP"
    assert (await sandbox.client.get("/wms/stock")).json() == before
    listed = (await sandbox.client.get("/wms/dispositions")).json()
    assert listed == [first.json()]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/wms/restock", disposition_body(quantity=3)),
        ("/wms/restock", disposition_body(rma_id="RMA-2")),
        ("/wms/scrap", disposition_body()),
    ],
)
async def test_a_key_reused_for_something_else_is_409(
    sandbox: SandboxUnderTest, path: str, body: dict[str, Any]
) -> None:
    await sandbox.client.post("/wms/restock", json=disposition_body())

    response = await sandbox.client.post(path, json=body)

    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await on_hand(sandbox) == 502


async def test_dispositions_are_listed_by_rma(sandbox: SandboxUnderTest) -> None:
    await sandbox.client.post("/wms/restock", json=disposition_body("K1"))
    await sandbox.client.post("/wms/scrap", json=disposition_body("K2", 1))
    await sandbox.client.post("/wms/restock", json=disposition_body("K3", rma_id="RMA-2"))

    of_one = (await sandbox.client.get("/wms/dispositions", params={"rma_id": "RMA-1"})).json()
    every = (await sandbox.client.get("/wms/dispositions")).json()

    assert [(d["idempotency_key"], d["kind"]) for d in of_one] == [
        ("K1", "RESTOCK"),
        ("K2", "SCRAP"),
    ]
    assert [d["idempotency_key"] for d in every] == ["K1", "K2", "K3"]


@pytest.mark.parametrize("path", ["/wms/restock", "/wms/scrap"])
@pytest.mark.parametrize(
    "body",
    [
        disposition_body(quantity=0),
        disposition_body(quantity=-2),
        disposition_body(quantity=1.5),
        disposition_body(idempotency_key=""),
        disposition_body(sku=""),
        disposition_body(rma_id=""),
        disposition_body(lot="L1"),
        {k: v for k, v in disposition_body().items() if k != "quantity"},
    ],
)
async def test_bad_dispositions_are_422_and_book_nothing(
    sandbox: SandboxUnderTest, path: str, body: dict[str, Any]
) -> None:
    before = (await sandbox.client.get("/wms/stock")).json()

    response = await sandbox.client.post(path, json=body)

    assert response.status_code == 422
    assert (await sandbox.client.get("/wms/stock")).json() == before
    assert (await sandbox.client.get("/wms/dispositions")).json() == []


async def test_a_disposition_in_an_unknown_warehouse_is_422(sandbox: SandboxUnderTest) -> None:
    response: httpx.Response = await sandbox.client.post(
        "/wms/restock", json=disposition_body(warehouse="W9")
    )

    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "UNKNOWN_WAREHOUSE"
    assert (await sandbox.client.get("/wms/dispositions")).json() == []
