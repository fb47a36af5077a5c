"""A stock receipt from the WMS wakes the orders that wait for that SKU."""

import asyncio
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from tests.api.support import ApiHarness, accepted, post_event, until


def receipt(sku: str, quantity: int, warehouse: str = "W3") -> bytes:
    return json.dumps(
        {
            "event_id": f"rcpt-{uuid.uuid4().hex}",
            "kind": "stock_received",
            "warehouse": warehouse,
            "occurred_at": datetime.now(UTC).isoformat(),
            "lines": [{"sku": sku, "quantity": quantity}],
        }
    ).encode()


async def _listed_as_waiting(api: ApiHarness, order_id: str, sku: str) -> None:
    """Visibility is eventually consistent: wait until the order is findable by SKU."""
    query = f"BackorderedSkus = '{sku}' AND WorkflowId = 'order-{order_id}'"
    for _ in range(100):
        if [e async for e in api.stack.client.list_workflows(query)]:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"order {order_id} never listed as waiting for {sku}")


async def test_a_receipt_releases_a_backordered_line(api: ApiHarness) -> None:
    api.stack.wms.set_stock("W1", "TG12", 0)
    order_id = await accepted(api.http)
    view = await until(api.http, order_id, lambda v: bool(v.backorders))
    assert [(b.sku, b.state) for b in view.backorders] == [("TG12", "waiting")]
    await _listed_as_waiting(api, order_id, "TG12")

    api.stack.wms.set_stock("W3", "TG12", 10)
    response = await post_event(api.http, receipt("TG12", 10))

    assert response.status_code == 202, response.text
    assert response.json()["orders_notified"] >= 1
    view = await until(
        api.http,
        order_id,
        lambda v: len(v.shipments) == 2 and v.backorders[0].state == "released",
    )
    assert view.shipments[1].warehouse == "W3"
    assert [(line.sku, line.quantity) for line in view.shipments[1].lines] == [("TG12", Decimal(2))]


async def test_a_receipt_nobody_waits_for_wakes_nobody(api: ApiHarness) -> None:
    response = await post_event(api.http, receipt("TG99", 5))

    assert response.status_code == 202, response.text
    assert response.json()["orders_notified"] == 0


async def test_an_order_event_without_an_order_id_is_refused(api: ApiHarness) -> None:
    body = json.dumps(
        {
            "event_id": f"evt-{uuid.uuid4().hex}",
            "kind": "packed",
            "occurred_at": datetime.now(UTC).isoformat(),
        }
    ).encode()

    response = await post_event(api.http, body)

    assert response.status_code == 422
    assert "order_id" in response.json()["detail"]
