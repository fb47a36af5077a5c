"""The exception queue: `GET /orders?status=NEEDS_ATTENTION` and
`POST /orders/{id}/actions/{retry|skip|cancel}`, on the dev server."""

import asyncio

from adapters.errors import RejectionError
from canonical.statuses import OrderStatus
from tests.api.support import (
    ApiHarness,
    accepted,
    has_status,
    new_order_id,
    released,
    send,
    until,
)

PARKED = has_status(OrderStatus.NEEDS_ATTENTION)


def _refuse_the_next_sales_order(api: ApiHarness, times: int = 1) -> None:
    api.stack.erp.fail_next(
        "create_sales_order",
        RejectionError("customer 1000001 is on credit hold", code="SAP_REJECTED", system="erp"),
        times=times,
    )


async def _listed(api: ApiHarness, order_id: str, query: str) -> dict[str, str]:
    """The order's row in `GET /orders?<query>`, once visibility has caught up."""
    for _ in range(100):
        response = await api.http.get(f"/orders?{query}")
        assert response.status_code == 200, response.text
        rows = {row["order_id"]: row for row in response.json()}
        if order_id in rows:
            row: dict[str, str] = rows[order_id]
            return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"{order_id} never listed for {query}")


async def test_a_parked_order_is_in_the_exception_queue_and_retry_completes_it(
    api: ApiHarness,
) -> None:
    _refuse_the_next_sales_order(api)
    order_id = await accepted(api.http)
    view = await until(api.http, order_id, PARKED)
    assert view.attention[0].step == "create_sales_order"
    assert "credit hold" in view.attention[0].message
    row = await _listed(api, order_id, "status=NEEDS_ATTENTION")
    assert row["needs_attention_reason"] == "create_sales_order: SAP_REJECTED"

    response = await api.http.post(
        f"/orders/{order_id}/actions/retry", json={"note": "credit hold released"}
    )

    assert response.status_code == 202, response.text
    assert response.json()["attention"] == []
    view = await released(api.http, order_id)
    assert list(api.stack.erp.sales_orders) == [view.erp_order_id]
    row = await _listed(api, order_id, "status=RELEASED")
    assert row["needs_attention_reason"] == ""


async def test_cancel_on_a_parked_order_compensates_and_ends_cancelled(api: ApiHarness) -> None:
    api.stack.wms.fail_next("reserve", RejectionError("bin blocked", code="WMS_REJECTED"))
    order_id = await accepted(api.http)
    await until(api.http, order_id, PARKED)

    response = await api.http.post(f"/orders/{order_id}/actions/cancel")

    assert response.status_code == 202, response.text
    view = await until(api.http, order_id, has_status(OrderStatus.CANCELLED))
    assert [c.step for c in view.compensations if c.state == "done"] == [
        "cancel_sales_order",
        "release_inventory",
    ]
    assert api.stack.erp.sales_orders == {}


async def test_decisions_that_do_not_fit_are_409(api: ApiHarness) -> None:
    running = await accepted(api.http)
    await released(api.http, running)
    response = await api.http.post(f"/orders/{running}/actions/retry")
    assert response.status_code == 409, response.text
    assert "nothing waits" in response.json()["detail"]

    _refuse_the_next_sales_order(api)
    order_id = await accepted(api.http)
    await until(api.http, order_id, PARKED)
    response = await api.http.post(f"/orders/{order_id}/actions/skip")
    assert response.status_code == 409, response.text
    assert "cannot be skipped" in response.json()["detail"]
    await until(api.http, order_id, PARKED)  # still waiting, untouched
    await api.http.post(f"/orders/{order_id}/actions/cancel")
    await api.http.post(f"/orders/{running}/cancel")


async def test_bad_action_requests(api: ApiHarness) -> None:
    unknown = await api.http.post(f"/orders/{new_order_id()}/actions/retry")
    assert unknown.status_code == 404, unknown.text

    order_id = new_order_id()
    bad_action = await api.http.post(f"/orders/{order_id}/actions/restart")
    assert bad_action.status_code == 422, bad_action.text

    not_json = await api.http.post(
        f"/orders/{order_id}/actions/retry",
        content=b"{retry",
        headers={"Content-Type": "application/json"},
    )
    assert not_json.status_code == 400, not_json.text

    too_long = await api.http.post(f"/orders/{order_id}/actions/retry", json={"note": "x" * 501})
    assert too_long.status_code == 422, too_long.text


async def test_a_parked_order_that_has_shipped_cannot_be_cancelled(api: ApiHarness) -> None:
    api.stack.erp.fail_next(
        "create_billing_document",
        RejectionError("pricing incomplete", code="SAP_REJECTED", system="erp"),
    )
    order_id = await accepted(api.http)
    await released(api.http, order_id)
    await send(api.http, order_id, "picked")
    await send(api.http, order_id, "packed")
    await until(api.http, order_id, lambda v: v.shipments[0].tracking_number != "")
    await send(api.http, order_id, "shipped")
    view = await until(api.http, order_id, PARKED)
    assert view.attention[0].step == "create_billing_document"

    cancel = await api.http.post(f"/orders/{order_id}/cancel")
    assert cancel.status_code == 409, cancel.text
    act = await api.http.post(f"/orders/{order_id}/actions/cancel")
    assert act.status_code == 409, act.text
    assert "already shipped" in act.json()["detail"]

    retry = await api.http.post(f"/orders/{order_id}/actions/retry")
    assert retry.status_code == 202, retry.text
    view = await until(api.http, order_id, has_status(OrderStatus.INVOICED))
    assert len(api.stack.erp.billing_documents) == 1
