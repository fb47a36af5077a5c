"""The sandbox WMS over HTTP: stock, reservations, the floor and its webhooks."""

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from canonical.signing import SIGNATURE_HEADER, sign
from tests.sandbox.harness import (
    ADDRESS,
    SandboxUnderTest,
    fast_settings,
    label_body,
    open_sandbox,
    reservation_body,
)

SEED_SKUS = ["TG11", "TG12", "TG13", "TG14", "TG21", "TG22", "TG31"]


async def level(sandbox: SandboxUnderTest, warehouse: str, sku: str) -> dict[str, Any]:
    response = await sandbox.client.get("/wms/stock", params={"sku": sku})
    assert response.status_code == 200
    [row] = [r for r in response.json() if r["warehouse"] == warehouse]
    return dict(row)


async def reserve(sandbox: SandboxUnderTest, shipment_id: str, **body: Any) -> httpx.Response:
    return await sandbox.client.put(
        f"/wms/reservations/{shipment_id}", json=reservation_body(**body)
    )


async def release(sandbox: SandboxUnderTest, shipment_id: str) -> httpx.Response:
    return await sandbox.client.post(
        f"/wms/reservations/{shipment_id}/release", json={"ship_to": ADDRESS}
    )


async def status_of(sandbox: SandboxUnderTest, shipment_id: str) -> str:
    response = await sandbox.client.get(f"/wms/reservations/{shipment_id}")
    assert response.status_code == 200
    return str(response.json()["status"])


# -- stock --


async def test_seed_stock_covers_every_demo_sku(sandbox: SandboxUnderTest) -> None:
    response = await sandbox.client.get("/wms/stock")

    assert response.status_code == 200
    rows = {(r["warehouse"], r["sku"]): (r["on_hand"], r["available"]) for r in response.json()}
    expected = {"W1": 500, "W2": 200, "W3": 100}
    assert rows == {(w, s): (q, q) for w, q in expected.items() for s in SEED_SKUS}


async def test_stock_filter_by_sku(sandbox: SandboxUnderTest) -> None:
    response = await sandbox.client.get("/wms/stock", params=[("sku", "TG11"), ("sku", "TG12")])

    assert sorted((r["warehouse"], r["sku"]) for r in response.json()) == [
        (w, s) for w in ("W1", "W2", "W3") for s in ("TG11", "TG12")
    ]


async def test_put_stock_replaces_the_whole_layout(sandbox: SandboxUnderTest) -> None:
    layout = [
        {"warehouse": "W9", "sku": "A1", "on_hand": 3},
        {"warehouse": "W9", "sku": "B2", "on_hand": 0},
    ]

    response = await sandbox.client.put("/wms/stock", json=layout)

    assert response.status_code == 200
    got = (await sandbox.client.get("/wms/stock")).json()
    assert got == [{**row, "available": row["on_hand"]} for row in layout]
    # The old warehouses are gone with the layout.
    gone = await reserve(sandbox, "O1-S1", warehouse="W1")
    assert gone.status_code == 422
    assert gone.json()["detail"]["code"] == "UNKNOWN_WAREHOUSE"


@pytest.mark.parametrize(
    "layout",
    [
        [{"warehouse": "W1", "sku": "TG11", "on_hand": -1}],
        [{"warehouse": "", "sku": "TG11", "on_hand": 1}],
        [{"warehouse": "W1", "sku": "  ", "on_hand": 1}],
        [{"warehouse": "W1", "sku": "TG11", "on_hand": 1.5}],
        [{"warehouse": "W1", "sku": "TG11", "on_hand": "7"}],
        [{"warehouse": "W1", "sku": "TG11", "on_hand": 10**30}],
        [{"warehouse": "W1", "sku": "TG11"}],
        [{"warehouse": "W1", "sku": "TG11", "on_hand": 1}] * 2,
        {"warehouse": "W1", "sku": "TG11", "on_hand": 1},
    ],
)
async def test_put_stock_refuses_bad_layouts_and_keeps_the_old_one(
    sandbox: SandboxUnderTest, layout: Any
) -> None:
    before = (await sandbox.client.get("/wms/stock")).json()

    response = await sandbox.client.put("/wms/stock", json=layout)

    assert response.status_code == 422
    assert (await sandbox.client.get("/wms/stock")).json() == before


async def test_seed_is_loaded_once(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path)
    async with open_sandbox(settings) as first:
        assert (await first.client.put("/wms/stock", json=[])).status_code == 200
    async with open_sandbox(settings) as second:
        assert (await second.client.get("/wms/stock")).json() == []


async def test_in_memory_database(tmp_path: Path) -> None:
    async with open_sandbox(fast_settings(tmp_path, database_url="sqlite://")) as sandbox:
        assert (await reserve(sandbox, "O1-S1")).status_code == 201
        assert (await level(sandbox, "W1", "TG11"))["available"] == 495


# -- reservations --


async def test_reserve_holds_stock_and_is_idempotent(sandbox: SandboxUnderTest) -> None:
    first = await reserve(sandbox, "O1-S1", lines=[("TG11", 5), ("TG12", 7), ("TG11", 1)])
    again = await reserve(sandbox, "O1-S1", lines=[("TG11", 5), ("TG12", 7), ("TG11", 1)])

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    body = first.json()
    assert (body["shipment_id"], body["order_id"], body["warehouse"], body["status"]) == (
        "O1-S1",
        "O1",
        "W1",
        "RESERVED",
    )
    assert [(line["sku"], line["quantity"], line["uom"]) for line in body["lines"]] == [
        ("TG11", 5, "PC"),
        ("TG12", 7, "PC"),
        ("TG11", 1, "PC"),
    ]
    assert await level(sandbox, "W1", "TG11") == {
        "warehouse": "W1",
        "sku": "TG11",
        "on_hand": 500,
        "available": 494,
    }
    assert (await level(sandbox, "W1", "TG12"))["available"] == 493
    assert (await level(sandbox, "W2", "TG11"))["available"] == 200


async def test_insufficient_stock_reserves_nothing(sandbox: SandboxUnderTest) -> None:
    await reserve(sandbox, "O1-S1", lines=[("TG11", 450)])

    response = await reserve(sandbox, "O2-S1", order_id="O2", lines=[("TG12", 10), ("TG11", 60)])

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail["code"] == "INSUFFICIENT_STOCK"
    assert "TG11" in detail["message"]
    assert "60" in detail["message"]
    assert "50" in detail["message"]
    assert detail["shortages"] == [{"sku": "TG11", "wanted": 60, "available": 50}]
    assert (await level(sandbox, "W1", "TG12"))["available"] == 500
    assert (await sandbox.client.get("/wms/reservations/O2-S1")).status_code == 404


async def test_a_sku_the_warehouse_does_not_stock_is_insufficient(
    sandbox: SandboxUnderTest,
) -> None:
    response = await reserve(sandbox, "O1-S1", lines=[("NOPE", 1)])

    assert response.status_code == 409
    assert response.json()["detail"]["shortages"] == [{"sku": "NOPE", "wanted": 1, "available": 0}]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"warehouse": "W7"}, "UNKNOWN_WAREHOUSE"),
        ({"lines": []}, None),
        ({"order_id": ""}, None),
        ({"lines": [{"line_no": 10, "sku": "TG11", "quantity": "1.5", "uom": "PC"}]}, None),
        ({"lines": [{"line_no": 10, "sku": "TG11", "quantity": 0, "uom": "PC"}]}, None),
        ({"lines": [{"line_no": 10, "sku": "TG11", "quantity": 1, "uom": "BOXES"}]}, None),
        ({"lines": [{"line_no": 10**30, "sku": "TG11", "quantity": 1, "uom": "PC"}]}, None),
        ({"lines": [{"line_no": 1, "sku": "TG11", "quantity": "1e20", "uom": "PC"}]}, None),
        ({"order_id": "O" * 65}, None),
    ],
)
async def test_bad_reservations_are_422(
    sandbox: SandboxUnderTest, change: dict[str, Any], code: str | None
) -> None:
    response = await sandbox.client.put(
        "/wms/reservations/O1-S1", json={**reservation_body(), **change}
    )

    assert response.status_code == 422
    if code is not None:
        assert response.json()["detail"]["code"] == code
    assert (await sandbox.client.get("/wms/reservations/O1-S1")).status_code == 404


async def test_cancel_frees_stock_and_is_idempotent(sandbox: SandboxUnderTest) -> None:
    await reserve(sandbox, "O1-S1", lines=[("TG11", 5)])

    first = await sandbox.client.delete("/wms/reservations/O1-S1")
    again = await sandbox.client.delete("/wms/reservations/O1-S1")
    unknown = await sandbox.client.delete("/wms/reservations/NEVER")

    assert (first.status_code, again.status_code, unknown.status_code) == (204, 204, 204)
    assert await status_of(sandbox, "O1-S1") == "CANCELLED"
    assert (await level(sandbox, "W1", "TG11"))["available"] == 500


async def test_a_cancelled_reservation_can_be_reserved_afresh(sandbox: SandboxUnderTest) -> None:
    await reserve(sandbox, "O1-S1", lines=[("TG11", 5)])
    await sandbox.client.delete("/wms/reservations/O1-S1")

    response = await reserve(sandbox, "O1-S1", lines=[("TG12", 2)])

    assert response.status_code == 201
    assert response.json()["status"] == "RESERVED"
    assert [line["sku"] for line in response.json()["lines"]] == ["TG12"]
    assert (await level(sandbox, "W1", "TG11"))["available"] == 500
    assert (await level(sandbox, "W1", "TG12"))["available"] == 498


async def test_unknown_reservation_is_404(sandbox: SandboxUnderTest) -> None:
    for response in [
        await sandbox.client.get("/wms/reservations/NOPE"),
        await release(sandbox, "NOPE"),
        await sandbox.client.post("/wms/reservations/NOPE/recall"),
        await sandbox.client.put(
            "/wms/reservations/NOPE/label", json={"carrier": "X", "tracking_number": "1"}
        ),
    ]:
        assert response.status_code == 404
        assert response.json()["detail"]["code"] == "NOT_FOUND"


async def test_release_of_a_cancelled_reservation_is_refused(sandbox: SandboxUnderTest) -> None:
    await reserve(sandbox, "O1-S1")
    await sandbox.client.delete("/wms/reservations/O1-S1")

    response = await release(sandbox, "O1-S1")

    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "RESERVATION_CANCELLED"


# -- the floor, stepped by hand --


async def test_release_schedules_picked_then_packed_once(sandbox: SandboxUnderTest) -> None:
    await reserve(sandbox, "O1-S1")
    first = await release(sandbox, "O1-S1")
    again = await release(sandbox, "O1-S1")

    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "RELEASED"
    assert first.json()["ship_to"]["city"] == "Berlin"
    assert [(e["kind"], e["status"]) for e in await sandbox.events()] == [("picked", "scheduled")]

    t = time.time() + 100
    await sandbox.dispatcher.run_once(now=t)
    assert await status_of(sandbox, "O1-S1") == "PICKED"
    await sandbox.dispatcher.run_once(now=t + 100)
    assert await status_of(sandbox, "O1-S1") == "PACKED"
    await sandbox.dispatcher.run_once(now=t + 200)

    assert sandbox.receiver.kinds() == ["picked", "packed"]
    assert await status_of(sandbox, "O1-S1") == "PACKED"  # waits for its label


async def test_label_after_packing_ships(sandbox: SandboxUnderTest) -> None:
    await reserve(sandbox, "O1-S1")
    await release(sandbox, "O1-S1")
    t = time.time() + 100
    await sandbox.dispatcher.run_once(now=t)
    await sandbox.dispatcher.run_once(now=t + 100)

    label = {"carrier": "SANDBOX-PARCEL", "tracking_number": "1ZSBX0000000001"}
    first = await sandbox.client.put("/wms/reservations/O1-S1/label", json=label)
    again = await sandbox.client.put("/wms/reservations/O1-S1/label", json=label)
    assert first.json()["status"] == again.json()["status"] == "LABELLED"
    await sandbox.dispatcher.run_once(now=t + 200)

    assert await status_of(sandbox, "O1-S1") == "SHIPPED"
    assert sandbox.receiver.kinds() == ["picked", "packed", "shipped"]
    shipped = sandbox.receiver.events[-1]
    assert shipped.tracking_number == "1ZSBX0000000001"
    assert "no tracking" in shipped.detail  # the carrier never sold that label
    assert await level(sandbox, "W1", "TG11") == {
        "warehouse": "W1",
        "sku": "TG11",
        "on_hand": 495,
        "available": 495,
    }


async def test_recall_takes_the_shipment_off_the_floor(sandbox: SandboxUnderTest) -> None:
    await reserve(sandbox, "O1-S1")
    await release(sandbox, "O1-S1")
    await sandbox.client.put(
        "/wms/reservations/O1-S1/label", json={"carrier": "C", "tracking_number": "T1"}
    )
    t = time.time() + 100
    await sandbox.dispatcher.run_once(now=t)  # picked; packed now scheduled

    first = await sandbox.client.post("/wms/reservations/O1-S1/recall")
    again = await sandbox.client.post("/wms/reservations/O1-S1/recall")
    await sandbox.dispatcher.run_once(now=t + 1000)

    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "RESERVED"
    assert first.json()["tracking_number"] == ""
    assert [(e["kind"], e["status"]) for e in await sandbox.events()] == [
        ("picked", "sent"),
        ("packed", "cancelled"),
    ]
    assert await status_of(sandbox, "O1-S1") == "RESERVED"
    assert (await level(sandbox, "W1", "TG11"))["available"] == 495  # still held

    # Released again, it goes round the floor afresh.
    await release(sandbox, "O1-S1")
    await sandbox.dispatcher.run_once(now=t + 2000)
    await sandbox.dispatcher.run_once(now=t + 3000)
    assert await status_of(sandbox, "O1-S1") == "PACKED"


async def test_recall_of_a_reserved_shipment_is_a_no_op(sandbox: SandboxUnderTest) -> None:
    await reserve(sandbox, "O1-S1")

    response = await sandbox.client.post("/wms/reservations/O1-S1/recall")

    assert response.status_code == 200
    assert response.json()["status"] == "RESERVED"


async def test_cancel_while_on_the_floor_drops_its_events(sandbox: SandboxUnderTest) -> None:
    await reserve(sandbox, "O1-S1")
    await release(sandbox, "O1-S1")

    await sandbox.client.delete("/wms/reservations/O1-S1")
    await sandbox.dispatcher.run_once(now=time.time() + 100)

    assert [e["status"] for e in await sandbox.events()] == ["cancelled"]
    assert sandbox.receiver.events == []


# -- the whole run, with the dispatcher in the background --


async def test_release_to_delivery_sends_every_event_signed_and_in_order(
    running: SandboxUnderTest,
) -> None:
    client = running.client
    assert (await reserve(running, "O1-S1", lines=[("TG11", 5), ("TG21", 2)])).status_code == 201
    label = (await client.put("/carrier/labels/O1-S1", json=label_body())).json()
    await release(running, "O1-S1")
    # Labelled before it is packed: it ships once packed.
    await client.put(
        "/wms/reservations/O1-S1/label",
        json={"carrier": label["carrier"], "tracking_number": label["tracking_number"]},
    )

    await running.wait_for_kinds(
        "O1-S1", ["picked", "packed", "shipped", "in_transit", "delivered"]
    )

    events = running.receiver.events
    assert [d.source for d in running.receiver.deliveries] == ["wms"] * 3 + ["carrier"] * 2
    assert {e.order_id for e in events} == {"O1"}
    assert {e.source for e in events} == {"wms", "carrier"}
    assert len({e.event_id for e in events}) == 5
    assert [e.tracking_number for e in events][2:] == [label["tracking_number"]] * 3
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert all(e.occurred_at.utcoffset() is not None for e in events)
    assert running.receiver.bad_signatures == 0
    for delivery in running.receiver.deliveries:
        secret = {"wms": "dev-wms-secret", "carrier": "dev-carrier-secret"}[delivery.source]
        assert delivery.signature == sign(secret, delivery.body)
    assert await status_of(running, "O1-S1") == "SHIPPED"
    assert await level(running, "W1", "TG11") == {
        "warehouse": "W1",
        "sku": "TG11",
        "on_hand": 495,
        "available": 495,
    }
    assert (await level(running, "W1", "TG21"))["on_hand"] == 498
    rows = await running.events(order_id="O1")
    assert [(r["kind"], r["status"], r["attempts"]) for r in rows] == [
        (kind, "sent", 1) for kind in ("picked", "packed", "shipped", "in_transit", "delivered")
    ]

    # Shipped is final for the warehouse.
    for response in [
        await client.delete("/wms/reservations/O1-S1"),
        await client.post("/wms/reservations/O1-S1/recall"),
        await client.put(
            "/wms/reservations/O1-S1/label", json={"carrier": "X", "tracking_number": "other"}
        ),
    ]:
        assert response.status_code == 409
        assert response.json()["detail"]["code"] == "ALREADY_SHIPPED"
    same_label = await client.put(
        "/wms/reservations/O1-S1/label",
        json={"carrier": label["carrier"], "tracking_number": label["tracking_number"]},
    )
    assert same_label.status_code == 200


async def test_webhook_body_is_the_canonical_event(running: SandboxUnderTest) -> None:
    await reserve(running, "O1-S1")
    await release(running, "O1-S1")

    await running.wait_for_kinds("O1-S1", ["picked", "packed"])

    delivery = running.receiver.deliveries[0]
    payload = httpx.Response(200, content=delivery.body).json()
    assert set(payload) == {
        "event_id",
        "source",
        "kind",
        "order_id",
        "shipment_id",
        "occurred_at",
        "tracking_number",
        "detail",
        "warehouse",
        "rma_id",
        "lines",
    }
    assert payload["lines"] == [{"line_no": 10, "sku": "TG11", "quantity": "5", "condition": ""}]
    assert (payload["warehouse"], payload["rma_id"]) == ("", "")
    assert re.fullmatch(r"[0-9a-f-]{36}", payload["event_id"])
    assert payload["source"] == "wms"
    assert payload["kind"] == "picked"
    assert payload["shipment_id"] == "O1-S1"
    assert payload["detail"] == "picked 5 units in W1"
    assert SIGNATURE_HEADER == "X-Ordermesh-Signature"
