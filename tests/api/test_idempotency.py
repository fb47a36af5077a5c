"""POST /orders twice: the same submission is the same order and starts nothing new."""

import asyncio
from decimal import Decimal

from api.order_gateway import derived_order_id
from canonical.statuses import OrderStatus
from tests.api.support import (
    ApiHarness,
    has_status,
    new_key,
    new_order_id,
    order_body,
    released,
    submit,
    until,
    view_of,
)


async def test_the_same_key_twice_is_one_order(api: ApiHarness) -> None:
    key = new_key()
    first = await submit(api.http, key=key)
    assert first.status_code == 201, first.text
    order_id = first.json()["order_id"]
    await released(api.http, order_id)

    again = await submit(api.http, key=key)

    assert again.status_code == 201, again.text
    assert again.json()["order_id"] == order_id
    assert again.headers["Location"] == f"/orders/{order_id}"
    assert again.json()["lines"] == first.json()["lines"]
    assert len(api.stack.erp.sales_orders) == 1
    assert len(api.stack.erp.calls_to("create_sales_order")) == 1
    assert list(api.stack.wms.reservations) == [f"{order_id}-S1"]


async def test_the_same_order_id_twice_is_one_order(api: ApiHarness) -> None:
    body = order_body(order_id=new_order_id())
    first = await api.http.post("/orders", json=body)
    assert first.status_code == 201, first.text
    await released(api.http, body["order_id"])

    # A different key does not matter when the body names the order.
    again = await api.http.post("/orders", json=body, headers={"Idempotency-Key": new_key()})

    assert again.status_code == 201, again.text
    assert again.json()["order_id"] == body["order_id"]
    assert len(api.stack.erp.sales_orders) == 1
    assert len(api.stack.wms.reservations) == 1


async def test_five_concurrent_submissions_are_one_order(api: ApiHarness) -> None:
    key = new_key()
    responses = await asyncio.gather(*(submit(api.http, key=key) for _ in range(5)))

    assert [r.status_code for r in responses] == [201] * 5, [r.text for r in responses]
    order_ids = {r.json()["order_id"] for r in responses}
    assert order_ids == {derived_order_id("1000001", key)}
    (order_id,) = order_ids
    view = await released(api.http, order_id)
    assert list(api.stack.erp.sales_orders) == [view.erp_order_id]
    assert len(api.stack.erp.calls_to("create_sales_order")) == 1
    assert list(api.stack.wms.reservations) == [f"{order_id}-S1"]
    assert len(api.stack.wms.calls_to("reserve")) == 1
    # Judged once: the ERP was asked about the customer once.
    assert len(api.stack.erp.calls_to("get_customer")) == 1


async def test_the_same_key_with_another_body_is_409(api: ApiHarness) -> None:
    key = new_key()
    first = await submit(api.http, key=key)
    assert first.status_code == 201, first.text
    order_id = first.json()["order_id"]

    other = order_body(lines=[{"sku": "TG11", "quantity": 50}])
    conflict = await submit(api.http, other, key=key)

    assert conflict.status_code == 409, conflict.text
    detail = conflict.json()["detail"]
    assert order_id in detail
    assert "different body" in detail
    view = await released(api.http, order_id)
    # The first order stands as it was submitted; the second body started nothing.
    assert [(line.sku, line.quantity) for line in view.lines] == [
        ("TG11", Decimal(5)),
        ("TG12", Decimal(2)),
    ]
    assert len(api.stack.erp.sales_orders) == 1
    assert len(api.stack.wms.reservations) == 1
    assert api.stack.wms.available("W1", "TG11") == 95


async def test_the_same_order_id_with_another_body_is_409(api: ApiHarness) -> None:
    order_id = new_order_id()
    first = await api.http.post("/orders", json=order_body(order_id=order_id))
    assert first.status_code == 201, first.text

    conflict = await api.http.post(
        "/orders", json=order_body(order_id=order_id, customer_po="PO-OTHER")
    )

    assert conflict.status_code == 409, conflict.text
    assert order_id in conflict.json()["detail"]
    await released(api.http, order_id)
    ((_, request),) = api.stack.erp.sales_orders.items()
    assert request.customer_po == "PO-4711"


async def test_the_same_key_for_another_customer_is_another_order(api: ApiHarness) -> None:
    key = new_key()
    ours = await submit(api.http, key=key)
    theirs = await submit(api.http, order_body(customer_id="9999999"), key=key)

    assert ours.status_code == 201, ours.text
    assert theirs.status_code == 422, theirs.text
    assert ours.json()["order_id"] != theirs.json()["order_id"]


async def test_a_cancelled_order_submitted_again_is_not_started_again(api: ApiHarness) -> None:
    key = new_key()
    order_id = (await submit(api.http, key=key)).json()["order_id"]
    await released(api.http, order_id)
    assert (await api.http.post(f"/orders/{order_id}/cancel")).status_code == 202
    await until(api.http, order_id, has_status(OrderStatus.CANCELLED))

    again = await submit(api.http, key=key)

    assert again.status_code == 201, again.text
    assert again.json()["order_id"] == order_id
    # The answer is the order as it is now; it is not started again.
    assert again.json()["status"] == OrderStatus.CANCELLED.value
    assert (await view_of(api.http, order_id)).status is OrderStatus.CANCELLED
    assert api.stack.erp.sales_orders == {}
    assert len(api.stack.erp.calls_to("create_sales_order")) == 1
    assert len(api.stack.wms.calls_to("reserve")) == 1


async def test_a_repeated_submission_shows_the_order_as_it_is_now(api: ApiHarness) -> None:
    key = new_key()
    first = await submit(api.http, key=key)
    assert first.json()["status"] == OrderStatus.ACCEPTED.value
    await released(api.http, first.json()["order_id"])

    again = await submit(api.http, key=key)

    assert again.status_code == 201, again.text
    assert again.json()["status"] == OrderStatus.RELEASED.value
    assert len(api.stack.erp.sales_orders) == 1
