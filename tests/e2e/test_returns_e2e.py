"""A return end to end: the RMA, the carrier's return label, the dock's receipt sent as
a signed webhook by the sandbox, the restock in the sandbox WMS, and one credit memo in
mock-sap for what came back."""

import asyncio
import time
import uuid
from decimal import Decimal
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.test_order_to_cash_e2e import demo_order, submit, wait_until_fulfilled

pytestmark = pytest.mark.e2e


async def on_hand(e2e: RunningStack, warehouse: str, sku: str) -> Decimal:
    rows = (await e2e.sandbox.get("/wms/stock", params={"sku": sku})).json()
    return sum(
        (Decimal(str(r["on_hand"])) for r in rows if r["warehouse"] == warehouse), Decimal(0)
    )


async def return_reaches(
    e2e: RunningStack, rma_id: str, status: str, seconds: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = (await e2e.api.get(f"/returns/{rma_id}")).json()
        if body.get("status") == status:
            return body
        await asyncio.sleep(0.25)
    raise AssertionError(f"{rma_id} never {status}; last {body}\n{e2e.log_tail()}")


async def test_two_damaged_units_come_back_and_are_credited(e2e: RunningStack) -> None:
    po = f"PO-RET-{uuid.uuid4().hex[:6]}"
    response = await submit(e2e, demo_order(po), key=po)
    assert response.status_code == 201, response.text
    order = await wait_until_fulfilled(e2e, response.json()["order_id"])
    warehouse = order["shipments"][0]["warehouse"]
    before = await on_hand(e2e, warehouse, "TG11")

    created = await e2e.api.post(
        f"/orders/{order['order_id']}/returns",
        json={"reason": "damaged", "lines": [{"line_no": 10, "quantity": 2}]},
    )
    assert created.status_code == 201, created.text
    rma_id = created.json()["rma_id"]
    issued = await return_reaches(e2e, rma_id, "LABEL_ISSUED")
    label = (await e2e.sandbox.get(f"/carrier/return-labels/{rma_id}")).json()
    assert label["tracking_number"] == issued["tracking_number"]

    dock = await e2e.sandbox.post(
        "/wms/return-receipts",
        json={
            "rma_id": rma_id,
            "order_id": order["order_id"],
            "warehouse": warehouse,
            "lines": [{"line_no": 10, "sku": "TG11", "quantity": 2, "condition": "sellable"}],
        },
    )
    assert dock.status_code == 201, dock.text
    done = await return_reaches(e2e, rma_id, "CLOSED")

    assert await on_hand(e2e, warehouse, "TG11") == before + 2
    memo = await e2e.sap.get(
        f"/API_BILLING_DOCUMENT_SRV/A_BillingDocument('{done['credit_memo']}')"
    )
    assert memo.status_code == 200
    assert memo.json()["d"]["BillingDocumentType"] == "G2"
    assert Decimal(memo.json()["d"]["TotalNetAmount"]) == Decimal("190.00")  # 2 x 95.00
    kinds = [e["kind"] for e in done["timeline"]]
    assert kinds[-5:] == ["RECEIVED", "INSPECTED", "RESTOCKED", "CREDITED", "CLOSED"]
    order_view = (await e2e.api.get(f"/orders/{order['order_id']}")).json()
    assert order_view["returns"] == [rma_id]
