"""End to end on the real parts: the Temporal dev server, mock-sap over HTTP, the
sandbox WMS and carrier sending signed webhooks, the worker and the API as processes.

Every assertion about the ERP reads what mock-sap itself holds.
"""

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

SHIP_TO = {
    "name": "Becker Berlin",
    "street": "Unter den Linden 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
}


def demo_order(po: str, customer_id: str = "1000001") -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "customer_po": po,
        "lines": [
            {"sku": "TG11", "quantity": 5, "uom": "PC"},
            {"sku": "TG12", "quantity": 2, "uom": "PC"},
        ],
        "ship_to": SHIP_TO,
    }


async def submit(e2e: RunningStack, body: dict[str, Any], key: str) -> httpx.Response:
    return await e2e.api.post("/orders", json=body, headers={"Idempotency-Key": key})


async def wait_for(
    e2e: RunningStack,
    order_id: str,
    check: Callable[[dict[str, Any]], bool],
    what: str,
    seconds: float = 90,
) -> dict[str, Any]:
    """Poll the order's view until `check` holds; fail with the logs if it never does."""
    deadline = time.monotonic() + seconds
    view: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = await e2e.api.get(f"/orders/{order_id}")
        if response.status_code == 200:
            view = response.json()
            if check(view):
                return view
        await asyncio.sleep(0.25)
    raise AssertionError(f"{order_id} never {what}; last: {view.get('status')}\n{e2e.log_tail()}")


async def wait_for_status(
    e2e: RunningStack, order_id: str, statuses: set[str], seconds: float = 90
) -> dict[str, Any]:
    return await wait_for(
        e2e, order_id, lambda v: v["status"] in statuses, f"reached {statuses}", seconds
    )


def fulfilled(view: dict[str, Any]) -> bool:
    """Every shipment delivered and billed: all that is left is the customer's payment."""
    live = [s for s in view["shipments"] if s["status"] != "VOIDED"]
    return view["status"] == "INVOICED" and all(s["status"] == "DELIVERED" for s in live)


async def wait_until_fulfilled(
    e2e: RunningStack, order_id: str, seconds: float = 90
) -> dict[str, Any]:
    return await wait_for(e2e, order_id, fulfilled, "fulfilled", seconds)


async def sap_orders_with_po(e2e: RunningStack, po: str) -> list[dict[str, Any]]:
    response = await e2e.sap.get(
        "/API_SALES_ORDER_SRV/A_SalesOrder",
        params={"$filter": f"PurchaseOrderByCustomer eq '{po}'", "$expand": "to_Item"},
    )
    response.raise_for_status()
    results: list[dict[str, Any]] = response.json()["d"]["results"]
    return results


async def sap_billing_documents_for(e2e: RunningStack, sales_order: str) -> set[str]:
    response = await e2e.sap.get(
        "/API_BILLING_DOCUMENT_SRV/A_BillingDocumentItem",
        params={"$filter": f"SalesDocument eq '{sales_order}'"},
    )
    response.raise_for_status()
    return {item["BillingDocument"] for item in response.json()["d"]["results"]}


async def test_the_demo_order_goes_all_the_way_through(e2e: RunningStack) -> None:
    po = f"PO-{uuid.uuid4().hex[:8]}"
    # How fast the verdict comes is measured by `make bench`, not asserted here.
    response = await submit(e2e, demo_order(po), key=po)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "ACCEPTED"
    order_id = response.json()["order_id"]

    view = await wait_until_fulfilled(e2e, order_id)
    assert view["shipments"][0]["status"] == "DELIVERED"
    shipment = view["shipments"][0]
    assert shipment["tracking_number"] and shipment["carrier"]  # the TMS chose the carrier
    label = await e2e.sandbox.get(f"/carrier/labels/{shipment['shipment_id']}")
    assert label.json()["tracking_number"] == shipment["tracking_number"]
    (invoice,) = view["invoices"]
    kinds = [entry["kind"] for entry in view["timeline"]]
    assert "SHIPMENT_DELIVERED" in kinds and "INVOICED" in kinds

    (sales_order,) = await sap_orders_with_po(e2e, po)
    assert sales_order["SalesOrder"] == view["erp_order_id"]
    assert sales_order["SoldToParty"] == "1000001"
    items = {(i["Material"], i["RequestedQuantity"]) for i in sales_order["to_Item"]["results"]}
    assert items == {("TG11", "5.000"), ("TG12", "2.000")}
    billing = await e2e.sap.get(
        f"/API_BILLING_DOCUMENT_SRV/A_BillingDocument('{invoice['billing_document']}')"
    )
    assert billing.status_code == 200
    assert billing.json()["d"]["SoldToParty"] == "1000001"
    assert await sap_billing_documents_for(e2e, view["erp_order_id"]) == {
        invoice["billing_document"]
    }


async def test_five_identical_submissions_at_once_are_one_order(e2e: RunningStack) -> None:
    po = f"PO-{uuid.uuid4().hex[:8]}"
    responses = await asyncio.gather(*(submit(e2e, demo_order(po), key=po) for _ in range(5)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["order_id"] for r in responses}) == 1
    await wait_for_status(
        e2e, responses[0].json()["order_id"], {"RELEASED", "INVOICED", "COMPLETED"}
    )
    assert len(await sap_orders_with_po(e2e, po)) == 1


async def test_an_unknown_customer_is_rejected_and_reaches_no_erp(e2e: RunningStack) -> None:
    po = f"PO-{uuid.uuid4().hex[:8]}"
    response = await submit(e2e, demo_order(po, customer_id="9999999"), key=po)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "REJECTED"
    assert [r["code"] for r in body["reasons"]] == ["UNKNOWN_CUSTOMER"]
    assert await sap_orders_with_po(e2e, po) == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"customer_id": "1000001", "lines": [], "ship_to": {}}',
        b'{"customer_id": "1000001", "lines": [{"sku": "TG11", "quantity": -1}]}',
        b'{"customer_id": "1000001", "lines": [{"sku": "TG11", "quantity": 0}]}',
        b'{"customer_id": "1000001", "lines": [{"sku": "TG11", "quantity": 1, "uom": "BOXES"}]}',
    ],
)
async def test_malformed_bodies_are_4xx(e2e: RunningStack, body: bytes) -> None:
    response = await e2e.api.post(
        "/orders",
        content=body,
        headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


async def test_a_cancel_right_after_acceptance_unwinds_everything(e2e: RunningStack) -> None:
    po = f"PO-{uuid.uuid4().hex[:8]}"
    response = await submit(e2e, demo_order(po), key=po)
    assert response.status_code == 201
    order_id = response.json()["order_id"]
    # Cancel as soon as stock is reserved (the SAP order comes first), so there is
    # something in every system to undo.
    deadline = time.monotonic() + 30
    while not (await e2e.api.get(f"/orders/{order_id}")).json()["shipments"]:
        assert time.monotonic() < deadline, e2e.log_tail()
        await asyncio.sleep(0.02)
    assert len(await sap_orders_with_po(e2e, po)) == 1
    cancel = await e2e.ops.post(f"/orders/{order_id}/cancel")
    assert cancel.status_code == 202, cancel.text

    view = await wait_for_status(e2e, order_id, {"CANCELLED", "NEEDS_ATTENTION"})
    assert view["status"] == "CANCELLED"
    compensated = [e["detail"].split()[0] for e in view["timeline"] if e["kind"] == "COMPENSATED"]
    assert compensated[-2:] == ["release_inventory", "cancel_sales_order"]
    # The ERP holds no order for it, and the warehouse holds no stock for it.
    assert await sap_orders_with_po(e2e, po) == []
    reservation = await e2e.sandbox.get(f"/wms/reservations/{order_id}-S1")
    assert reservation.status_code == 200
    assert reservation.json()["status"] == "CANCELLED"


async def test_orders_in_flight_survive_a_killed_worker(e2e: RunningStack) -> None:
    pos = [f"PO-K{i}-{uuid.uuid4().hex[:6]}" for i in range(10)]
    responses = await asyncio.gather(*(submit(e2e, demo_order(po), key=po) for po in pos))
    assert [r.status_code for r in responses] == [201] * 10, [r.text for r in responses]
    order_ids = [r.json()["order_id"] for r in responses]

    e2e.stack.kill("worker")  # SIGKILL, mid-flight
    await e2e.stack.processes["worker"].wait()
    await asyncio.sleep(1.0)
    await e2e.stack.start_one("worker")

    views = await asyncio.gather(
        *(wait_until_fulfilled(e2e, order_id, seconds=150) for order_id in order_ids)
    )
    for po, view in zip(pos, views, strict=True):
        (sales_order,) = await sap_orders_with_po(e2e, po)
        assert sales_order["SalesOrder"] == view["erp_order_id"]
        assert len(await sap_billing_documents_for(e2e, view["erp_order_id"])) == 1
