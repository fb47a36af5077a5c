"""Returns through the front door: request with a verdict, read, the warehouse's signed
receipt, approval and cancellation; every refusal a clear 4xx."""

import asyncio
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from canonical.statuses import OrderStatus, ShipmentStatus
from tests.api.support import ApiHarness, accepted, post_event, released, send, until


async def delivered(api: ApiHarness) -> str:
    order_id = await accepted(api.http)
    await released(api.http, order_id)
    await send(api.http, order_id, "picked")
    await send(api.http, order_id, "packed")
    view = await until(api.http, order_id, lambda v: v.shipments[0].tracking_number != "")
    await send(api.http, order_id, "shipped", tracking_number=view.shipments[0].tracking_number)
    await send(api.http, order_id, "delivered", source="carrier")
    await until(
        api.http,
        order_id,
        lambda v: (
            v.status is OrderStatus.INVOICED and v.shipments[0].status is ShipmentStatus.DELIVERED
        ),
    )
    return order_id


def return_body(quantity: Any = 2, reason: str = "damaged", **extra: Any) -> dict[str, Any]:
    return {"reason": reason, "lines": [{"line_no": 10, "quantity": quantity}], **extra}


def receipt(order_id: str, rma_id: str, quantity: int = 2) -> bytes:
    return json.dumps(
        {
            "event_id": f"rcv-{uuid.uuid4().hex}",
            "kind": "return_received",
            "order_id": order_id,
            "rma_id": rma_id,
            "warehouse": "W1",
            "occurred_at": datetime.now(UTC).isoformat(),
            "lines": [
                {"line_no": 10, "sku": "TG11", "quantity": quantity, "condition": "sellable"}
            ],
        }
    ).encode()


async def return_until(
    http: httpx.AsyncClient, rma_id: str, status: str, seconds: float = 15
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        body: dict[str, Any] = (await http.get(f"/returns/{rma_id}")).json()
        if body.get("status") == status:
            return body
        assert asyncio.get_running_loop().time() < deadline, body
        await asyncio.sleep(0.05)


async def test_a_return_goes_from_request_to_credit(api: ApiHarness) -> None:
    order_id = await delivered(api)

    response = await api.http.post(f"/orders/{order_id}/returns", json=return_body())

    assert response.status_code == 201, response.text
    rma_id = response.json()["rma_id"]
    assert response.headers["Location"] == f"/returns/{rma_id}"
    again = await api.http.post(f"/orders/{order_id}/returns", json=return_body())
    assert again.json()["rma_id"] == rma_id  # the same request is the same return
    await return_until(api.http, rma_id, "LABEL_ISSUED")
    order = (await api.http.get(f"/orders/{order_id}")).json()
    assert order["returns"] == [rma_id]

    accepted_event = await post_event(api.http, receipt(order_id, rma_id))
    assert accepted_event.status_code == 202, accepted_event.text

    done = await return_until(api.http, rma_id, "CLOSED")
    assert Decimal(done["credit"]["amount"]) > 0
    assert len(api.stack.erp.credit_memos) == 1
    late = await api.http.post(f"/returns/{rma_id}/cancel")
    assert late.status_code == 409


async def test_bad_return_requests_get_a_clear_4xx(api: ApiHarness) -> None:
    order_id = await delivered(api)
    base = f"/orders/{order_id}/returns"

    too_many = await api.http.post(base, json=return_body(quantity=9))
    assert too_many.status_code == 422
    assert too_many.json()["status"] == "DENIED"
    assert "only 5 shipped" in too_many.json()["denial_reason"]
    assert api.stack.erp.returns_orders == {}

    unknown = await api.http.post("/orders/NO-SUCH-ORDER/returns", json=return_body())
    assert unknown.status_code == 404
    for body in (
        return_body(reason="changed_my_mind"),
        return_body(quantity=-1),
        return_body(quantity=0),
        {"reason": "damaged", "lines": []},
        {"reason": "damaged"},
    ):
        response = await api.http.post(base, json=body)
        assert response.status_code == 422, (body, response.text)
    bad_json = await api.http.post(base, content=b"{", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400

    assert (await api.http.get("/returns/NO-SUCH-RMA")).status_code == 404
    assert (await api.http.post("/returns/NO-SUCH-RMA/cancel")).status_code == 404
    nothing = await post_event(api.http, receipt(order_id, "NO-SUCH-RMA"))
    assert nothing.status_code == 404
    no_rma = json.loads(receipt(order_id, "x"))
    del no_rma["rma_id"]
    missing = await post_event(api.http, json.dumps(no_rma).encode())
    assert missing.status_code == 422


async def test_approval_is_refused_when_nothing_waits_for_it(api: ApiHarness) -> None:
    order_id = await delivered(api)
    created = await api.http.post(f"/orders/{order_id}/returns", json=return_body(quantity=1))
    rma_id = created.json()["rma_id"]

    response = await api.http.post(f"/returns/{rma_id}/approve", json={"by": "ops"})

    assert response.status_code == 409, response.text
    cancelled = await api.http.post(f"/returns/{rma_id}/cancel")
    assert cancelled.status_code == 202
    await return_until(api.http, rma_id, "CLOSED")
    assert len(api.stack.erp.cancelled_returns) == 1
    assert api.stack.erp.returns_orders == {}
