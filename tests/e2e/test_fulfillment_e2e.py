"""Fulfillment end to end: split shipments, a backorder released by a stock receipt,
a ship-complete order, and messy carrier events, on the real processes. What SAP
holds is read from mock-sap; what the warehouse holds from the sandbox."""

import asyncio
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from canonical.signing import SIGNATURE_HEADER, sign
from tests.e2e.conftest import RunningStack
from tests.e2e.test_order_to_cash_e2e import (
    SHIP_TO,
    sap_billing_documents_for,
    submit,
    wait_for_status,
    wait_until_fulfilled,
)

pytestmark = pytest.mark.e2e


def order(po: str, skus: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "customer_id": "1000001",
        "customer_po": po,
        "lines": [{"sku": sku, "quantity": qty, "uom": "PC"} for sku, qty in skus.items()],
        "ship_to": SHIP_TO,
        **extra,
    }


async def sap_deliveries_for(e2e: RunningStack, sales_order: str) -> set[str]:
    response = await e2e.sap.get(
        "/API_OUTBOUND_DELIVERY_SRV/A_OutbDeliveryItem",
        params={"$filter": f"ReferenceSDDocument eq '{sales_order}'"},
    )
    response.raise_for_status()
    return {item["DeliveryDocument"] for item in response.json()["d"]["results"]}


async def sap_billed_net(e2e: RunningStack, documents: set[str]) -> Decimal:
    total = Decimal(0)
    for number in documents:
        response = await e2e.sap.get(f"/API_BILLING_DOCUMENT_SRV/A_BillingDocument('{number}')")
        response.raise_for_status()
        total += Decimal(response.json()["d"]["TotalNetAmount"])
    return total


async def test_an_order_no_warehouse_can_fill_ships_split(e2e: RunningStack, layout: Any) -> None:
    await layout(
        [
            {"warehouse": "W1", "sku": "TG11", "on_hand": 50},
            {"warehouse": "W1", "sku": "TG12", "on_hand": 50},
            {"warehouse": "W2", "sku": "TG13", "on_hand": 50},
        ]
    )
    po = f"PO-SPLIT-{uuid.uuid4().hex[:6]}"
    response = await submit(e2e, order(po, {"TG11": 5, "TG12": 2, "TG13": 4}), key=po)
    assert response.status_code == 201, response.text
    total = Decimal(response.json()["total"]["amount"])
    view = await wait_until_fulfilled(e2e, response.json()["order_id"])

    assert sorted(s["warehouse"] for s in view["shipments"]) == ["W1", "W2"]
    assert len({s["tracking_number"] for s in view["shipments"]}) == 2
    deliveries = await sap_deliveries_for(e2e, view["erp_order_id"])
    assert deliveries == {s["delivery_document"] for s in view["shipments"]}
    billing = await sap_billing_documents_for(e2e, view["erp_order_id"])
    assert billing == {s["billing_document"] for s in view["shipments"]}
    assert len(billing) == 2
    assert await sap_billed_net(e2e, billing) == total


async def test_a_backordered_line_ships_after_a_receipt(e2e: RunningStack, layout: Any) -> None:
    await layout(
        [
            {"warehouse": "W1", "sku": "TG11", "on_hand": 50},
            {"warehouse": "W3", "sku": "TG12", "on_hand": 0},
        ]
    )
    po = f"PO-BACK-{uuid.uuid4().hex[:6]}"
    response = await submit(e2e, order(po, {"TG11": 5, "TG12": 2}), key=po)
    assert response.status_code == 201, response.text
    order_id, total = response.json()["order_id"], Decimal(response.json()["total"]["amount"])

    view = await wait_for_status(e2e, order_id, {"PARTIALLY_SHIPPED"})
    assert [(b["sku"], b["state"]) for b in view["backorders"]] == [("TG12", "waiting")]
    # Visibility catches up with the order's BackorderedSkus before the receipt.
    await asyncio.sleep(1.0)
    receipt = await e2e.sandbox.post(
        "/wms/receipts", json={"warehouse": "W3", "sku": "TG12", "quantity": 10}
    )
    assert receipt.status_code == 201, receipt.text

    view = await wait_until_fulfilled(e2e, order_id)
    assert [s["warehouse"] for s in view["shipments"]] == ["W1", "W3"]
    billing = await sap_billing_documents_for(e2e, view["erp_order_id"])
    assert len(billing) == 2
    assert await sap_billed_net(e2e, billing) == total


async def test_a_ship_complete_order_waits_and_ships_once(e2e: RunningStack, layout: Any) -> None:
    await layout(
        [
            {"warehouse": "W1", "sku": "TG11", "on_hand": 50},
            {"warehouse": "W2", "sku": "TG12", "on_hand": 50},
        ]
    )
    po = f"PO-COMPLETE-{uuid.uuid4().hex[:6]}"
    body = order(po, {"TG11": 5, "TG12": 2}, fulfillment_policy="ship_complete")
    response = await submit(e2e, body, key=po)
    assert response.status_code == 201, response.text
    order_id = response.json()["order_id"]
    view = await wait_for_status(e2e, order_id, {"BACKORDERED"})
    assert view["shipments"] == []
    await asyncio.sleep(1.0)
    receipt = await e2e.sandbox.post(
        "/wms/receipts", json={"warehouse": "W2", "sku": "TG11", "quantity": 10}
    )
    assert receipt.status_code == 201, receipt.text

    view = await wait_until_fulfilled(e2e, order_id)
    (shipment,) = view["shipments"]
    assert shipment["warehouse"] == "W2"
    assert len(await sap_billing_documents_for(e2e, view["erp_order_id"])) == 1


async def test_messy_carrier_events_change_nothing_twice(e2e: RunningStack) -> None:
    po = f"PO-MESSY-{uuid.uuid4().hex[:6]}"
    response = await submit(e2e, order(po, {"TG11": 1}), key=po)
    order_id = response.json()["order_id"]
    await wait_for_status(e2e, order_id, {"RELEASED"})

    # The carrier says delivered before the warehouse has even shipped, three times.
    event = {
        "event_id": f"early-{uuid.uuid4().hex}",
        "kind": "delivered",
        "order_id": order_id,
        "shipment_id": f"{order_id}-S1",
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    body = json.dumps(event).encode()
    signed = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign("dev-carrier-secret", body),
    }
    answers = [
        (await e2e.api.post("/webhooks/carrier", content=body, headers=signed)).status_code
        for _ in range(3)
    ]
    assert answers == [202, 200, 200]
    forged = {"Content-Type": "application/json", SIGNATURE_HEADER: sign("wrong", body)}
    refused = await e2e.api.post("/webhooks/carrier", content=body, headers=forged)
    assert refused.status_code == 401

    view = await wait_until_fulfilled(e2e, order_id)
    kinds = [entry["kind"] for entry in view["timeline"]]
    assert kinds.count("SHIPMENT_DELIVERED") == 1
    assert [e["event_id"] for e in view["timeline"]].count(event["event_id"]) == 1
    assert view["shipments"][0]["status"] == "DELIVERED"


async def test_a_short_pick_ships_the_rest_in_another_shipment(
    e2e: RunningStack, layout: Any
) -> None:
    await layout(
        [
            {"warehouse": "W1", "sku": "TG11", "on_hand": 50},
            {"warehouse": "W2", "sku": "TG11", "on_hand": 50},
        ]
    )
    armed = await e2e.sandbox.post(
        "/wms/short-picks", json={"sku": "TG11", "quantity": 3, "warehouse": "W1"}
    )
    assert armed.status_code == 201, armed.text
    po = f"PO-SHORT-{uuid.uuid4().hex[:6]}"
    response = await submit(e2e, order(po, {"TG11": 5}), key=po)
    assert response.status_code == 201, response.text
    total = Decimal(response.json()["total"]["amount"])

    view = await wait_until_fulfilled(e2e, response.json()["order_id"])
    assert "SHORT_PICKED" in [entry["kind"] for entry in view["timeline"]]
    shipped = [
        (s["shipment_id"][-2:], line["quantity"])
        for s in view["shipments"]
        for line in s["shipped_lines"]
    ]
    assert shipped == [("S1", "2"), ("S2", "3")]
    billing = await sap_billing_documents_for(e2e, view["erp_order_id"])
    assert await sap_billed_net(e2e, billing) == total
