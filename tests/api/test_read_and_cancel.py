"""GET /orders/{id} and POST /orders/{id}/cancel."""

import pytest

from activities.contracts import CANCEL_SALES_ORDER, RECALL_FROM_WAREHOUSE, RELEASE_INVENTORY
from canonical.statuses import OrderStatus, ShipmentStatus
from canonical.view import OrderView
from tests.api.support import (
    ApiHarness,
    accepted,
    has_status,
    new_order_id,
    order_body,
    released,
    send,
    submit,
    until,
)
from tests.workflows.support import pay_invoices
from workflows.contracts import order_workflow_id

CANCELLED = has_status(OrderStatus.CANCELLED)


def labelled(view: OrderView) -> bool:
    return bool(view.shipments) and view.shipments[0].status is ShipmentStatus.LABELLED


async def test_an_order_can_be_read(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    await released(api.http, order_id)

    response = await api.http.get(f"/orders/{order_id}")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["order_id"] == order_id
    assert body["status"] == OrderStatus.RELEASED.value
    assert body["erp_order_id"] in api.stack.erp.sales_orders
    (shipment,) = body["shipments"]
    assert shipment["shipment_id"] == f"{order_id}-S1"
    assert shipment["warehouse"] == "W1"
    assert shipment["status"] == ShipmentStatus.RELEASED.value
    assert [c["step"] for c in body["compensations"]] == [
        CANCEL_SALES_ORDER,
        RELEASE_INVENTORY,
        RECALL_FROM_WAREHOUSE,
    ]
    assert {e["correlation_id"] for e in body["timeline"]} == {order_id}


async def test_an_unknown_order_is_404(api: ApiHarness) -> None:
    order_id = new_order_id()
    response = await api.http.get(f"/orders/{order_id}")

    assert response.status_code == 404, response.text
    assert response.json() == {"detail": f"no order {order_id}"}


@pytest.mark.parametrize("order_id", ["bad%20id", "-leading-dash", "x" * 65, "semi%3Bcolon"])
async def test_an_order_id_that_cannot_be_one_is_refused(api: ApiHarness, order_id: str) -> None:
    response = await api.http.get(f"/orders/{order_id}")

    assert response.status_code in (404, 422), response.text
    assert "detail" in response.json()


async def test_cancelling_a_released_order_unwinds_it(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    released_view = await released(api.http, order_id)
    shipment_id = f"{order_id}-S1"
    assert api.stack.wms.available("W1", "TG11") == 95

    response = await api.http.post(f"/orders/{order_id}/cancel")

    assert response.status_code == 202, response.text
    assert response.json()["order_id"] == order_id
    assert response.headers["Location"] == f"/orders/{order_id}"
    view = await until(api.http, order_id, CANCELLED)
    assert [(c.step, c.state) for c in view.compensations] == [
        (CANCEL_SALES_ORDER, "done"),
        (RELEASE_INVENTORY, "done"),
        (RECALL_FROM_WAREHOUSE, "done"),
    ]
    assert "CANCEL_REQUESTED" in [e.kind for e in view.timeline]
    assert api.stack.erp.sales_orders == {}
    assert api.stack.erp.cancelled == [released_view.erp_order_id]
    assert api.stack.wms.status_of(shipment_id) == "CANCELLED"
    assert api.stack.wms.available("W1", "TG11") == 100

    again = await api.http.post(f"/orders/{order_id}/cancel")

    assert again.status_code == 202, again.text
    assert again.json()["status"] == OrderStatus.CANCELLED.value
    assert len(api.stack.erp.calls_to("cancel_sales_order")) == 1


async def test_cancelling_straight_after_acceptance_leaves_nothing_behind(
    api: ApiHarness,
) -> None:
    order_id = await accepted(api.http)

    response = await api.http.post(f"/orders/{order_id}/cancel")

    assert response.status_code == 202, response.text
    view = await until(api.http, order_id, CANCELLED)
    # Whatever had been done by then is undone: no step is left half-compensated.
    assert {c.state for c in view.compensations} <= {"done"}
    assert api.stack.erp.sales_orders == {}
    assert all(r.status == "CANCELLED" for r in api.stack.wms.reservations.values())
    assert api.stack.wms.available("W1", "TG11") == 100


async def test_cancelling_an_unknown_order_is_404(api: ApiHarness) -> None:
    order_id = new_order_id()
    response = await api.http.post(f"/orders/{order_id}/cancel")

    assert response.status_code == 404, response.text
    assert order_id in response.json()["detail"]


async def test_a_rejected_order_cannot_be_cancelled(api: ApiHarness) -> None:
    rejected = await submit(api.http, order_body(customer_id="9999999"))
    assert rejected.status_code == 422, rejected.text
    order_id = rejected.json()["order_id"]

    response = await api.http.post(f"/orders/{order_id}/cancel")

    assert response.status_code == 409, response.text
    assert "REJECTED" in response.json()["detail"]


async def test_a_shipped_order_cannot_be_cancelled(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    erp_order_id = (await released(api.http, order_id)).erp_order_id
    await send(api.http, order_id, "picked")
    await send(api.http, order_id, "packed")
    view = await until(api.http, order_id, labelled)
    tracking = view.shipments[0].tracking_number
    await send(api.http, order_id, "shipped", tracking_number=tracking)
    await until(api.http, order_id, has_status(OrderStatus.SHIPPED, OrderStatus.INVOICED))

    response = await api.http.post(f"/orders/{order_id}/cancel")

    assert response.status_code == 409, response.text
    assert "cannot be cancelled" in response.json()["detail"]
    view = await until(api.http, order_id, has_status(OrderStatus.INVOICED))
    assert "CANCEL_REQUESTED" not in [e.kind for e in view.timeline]
    assert list(api.stack.erp.sales_orders) == [erp_order_id]
    assert api.stack.erp.cancelled == []
    assert api.stack.carrier.voided == set()

    # Delivered and paid, the order completes; a completed order cannot be cancelled
    # either.
    await send(api.http, order_id, "delivered", source="carrier")
    await until(api.http, order_id, lambda v: v.shipments[0].status is ShipmentStatus.DELIVERED)
    await pay_invoices(api.stack.client.get_workflow_handle(order_workflow_id(order_id)))
    await until(api.http, order_id, has_status(OrderStatus.COMPLETED))
    response = await api.http.post(f"/orders/{order_id}/cancel")
    assert response.status_code == 409, response.text
    assert "COMPLETED" in response.json()["detail"]
