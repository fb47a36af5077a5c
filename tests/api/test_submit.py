"""POST /orders: the synchronous verdict, 201 ACCEPTED or 422 REJECTED."""

from decimal import Decimal

from api.order_gateway import derived_order_id
from canonical.statuses import OrderStatus
from tests.api.support import ApiHarness, new_key, new_order_id, order_body, released, submit


async def test_an_order_with_an_idempotency_key_is_accepted_with_its_priced_view(
    api: ApiHarness,
) -> None:
    key = new_key()
    response = await submit(api.http, key=key)

    assert response.status_code == 201, response.text
    body = response.json()
    order_id = derived_order_id("1000001", key)
    assert body["order_id"] == order_id
    assert response.headers["Location"] == f"/orders/{order_id}"
    assert body["status"] == OrderStatus.ACCEPTED.value
    assert body["customer_id"] == "1000001"
    assert body["customer_name"] == "Becker Berlin"
    assert body["customer_po"] == "PO-4711"
    assert [
        (
            line["line_no"],
            line["sku"],
            Decimal(line["quantity"]),
            line["uom"],
            Decimal(line["unit_price"]["amount"]),
            Decimal(line["net"]["amount"]),
        )
        for line in body["lines"]
    ] == [
        (10, "TG11", Decimal(5), "PC", Decimal("95.00"), Decimal("475.00")),
        (20, "TG12", Decimal(2), "PC", Decimal("149.50"), Decimal("299.00")),
    ]
    assert Decimal(body["total"]["amount"]) == Decimal("774.00")
    assert body["total"]["currency"] == "EUR"
    assert body["rejection_reasons"] == []
    assert [entry["kind"] for entry in body["timeline"]][:2] == ["RECEIVED", "ACCEPTED"]

    # The order goes on: one sales order in the ERP, stock held in the warehouse.
    view = await released(api.http, order_id)
    ((sales_order, request),) = api.stack.erp.sales_orders.items()
    assert view.erp_order_id == sales_order
    assert request.customer_po == "PO-4711"
    assert [(item.sku, item.quantity) for item in request.items] == [
        ("TG11", Decimal(5)),
        ("TG12", Decimal(2)),
    ]
    assert api.stack.wms.status_of(f"{order_id}-S1") == "RELEASED"
    assert api.stack.wms.available("W1", "TG11") == 95


async def test_an_order_id_in_the_body_takes_the_place_of_the_key(api: ApiHarness) -> None:
    order_id = new_order_id()
    response = await api.http.post("/orders", json=order_body(order_id=order_id))

    assert response.status_code == 201, response.text
    assert response.json()["order_id"] == order_id
    assert response.json()["status"] == OrderStatus.ACCEPTED.value
    assert response.headers["Location"] == f"/orders/{order_id}"
    view = await released(api.http, order_id)
    assert list(api.stack.erp.sales_orders) == [view.erp_order_id]
    assert list(api.stack.wms.reservations) == [f"{order_id}-S1"]


async def test_an_unknown_customer_is_rejected_and_nothing_is_sold(api: ApiHarness) -> None:
    key = new_key()
    response = await submit(api.http, order_body(customer_id="9999999"), key=key)

    assert response.status_code == 422, response.text
    body = response.json()
    order_id = derived_order_id("9999999", key)
    assert body["order_id"] == order_id
    assert body["status"] == OrderStatus.REJECTED.value
    assert [reason["code"] for reason in body["reasons"]] == ["UNKNOWN_CUSTOMER"]
    assert "9999999" in body["reasons"][0]["message"]
    assert response.headers["Location"] == f"/orders/{order_id}"

    # The rejected order exists and says why; nothing reached the ERP or the warehouse.
    view = await api.http.get(f"/orders/{order_id}")
    assert view.status_code == 200
    assert view.json()["status"] == OrderStatus.REJECTED.value
    assert [r["code"] for r in view.json()["rejection_reasons"]] == ["UNKNOWN_CUSTOMER"]
    assert api.stack.erp.sales_orders == {}
    assert api.stack.erp.calls_to("create_sales_order") == []
    assert api.stack.wms.reservations == {}


async def test_a_blocked_customer_is_rejected(api: ApiHarness) -> None:
    response = await submit(api.http, order_body(customer_id="1000099"))

    assert response.status_code == 422, response.text
    assert response.json()["status"] == OrderStatus.REJECTED.value
    assert [reason["code"] for reason in response.json()["reasons"]] == ["CUSTOMER_BLOCKED"]
    assert api.stack.erp.sales_orders == {}
    assert api.stack.wms.reservations == {}


async def test_every_reason_is_given_at_once(api: ApiHarness) -> None:
    body = order_body(
        customer_id="9999999",
        lines=[{"sku": "NOPE-1", "quantity": 1}, {"sku": "TG11", "quantity": "1.5"}],
    )
    response = await submit(api.http, body)

    assert response.status_code == 422, response.text
    reasons = response.json()["reasons"]
    assert [(r["code"], r["line_no"]) for r in reasons] == [
        ("UNKNOWN_CUSTOMER", None),
        ("UNKNOWN_ITEM", 10),
        ("INVALID_QUANTITY", 20),
    ]
    assert api.stack.erp.sales_orders == {}


async def test_a_rejected_submission_sent_again_is_the_same_rejection(api: ApiHarness) -> None:
    key = new_key()
    first = await submit(api.http, order_body(customer_id="9999999"), key=key)
    assert first.status_code == 422, first.text
    # By now the rejected order's workflow may have closed; the same key must
    # neither start it again nor turn into an error.
    again = await submit(api.http, order_body(customer_id="9999999"), key=key)

    assert again.status_code == 422, again.text
    assert again.json() == first.json()
    assert len(api.stack.erp.calls_to("get_customer")) == 1
