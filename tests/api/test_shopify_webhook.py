"""POST /channels/shopify/orders: a signed `orders/create` webhook becomes an order.

Through the real app on the dev server, with the FakeErp behind it (customer 1000001,
SKUs TG11 and TG12). A shop authenticates by its signature, not an API key.
"""

import hashlib
import json
import random
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.service import RPCError, RPCStatusCode

from api.deps import get_gateway
from api.order_gateway import VerdictPending
from api.routes.shopify import StoreCustomers, get_store_customers
from canonical.channels.shopify_webhook import (
    HMAC_HEADER,
    SHOP_HEADER,
    TOPIC_HEADER,
    WEBHOOK_ID_HEADER,
    order_id_for,
    sign,
)
from canonical.orders import OrderSubmission
from canonical.statuses import OrderStatus
from canonical.view import OrderView
from tests.api.support import ApiHarness, AppFactory, eventually, view_of
from workflows.contracts import SubmitVerdict

# The defaults of `ApiSettings.shopify_secrets` and `store_customers`.
SHOP = "ordermesh-demo.myshopify.com"
SHOP_SECRET = "dev-shopify-secret"

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "shopify"


def store_order(**changes: Any) -> dict[str, Any]:
    """A Shopify order as the webhook sends it: TG11 x 5 and TG12 x 2 to Berlin, with a
    fresh Shopify id (the dev server is shared by the session)."""
    order_id = random.randrange(10**12, 10**13)
    body: dict[str, Any] = {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#{order_id % 100000}",
        "email": "einkauf@becker.example",
        "currency": "EUR",
        "financial_status": "paid",
        "taxes_included": False,
        "line_items": [
            {
                "id": 1,
                "sku": "TG11",
                "name": "Widget",
                "quantity": 5,
                "price": "100.00",
                "discount_allocations": [{"amount": "25.00"}],
                "tax_lines": [{"price": "90.25", "rate": 0.19, "title": "MwSt"}],
                "requires_shipping": True,
                "gift_card": False,
            },
            {
                "id": 2,
                "sku": "TG12",
                "name": "Gadget",
                "quantity": 2,
                "price": "120.50",
                "discount_allocations": [],
                "requires_shipping": True,
            },
        ],
        "shipping_lines": [{"title": "DHL Paket", "price": "4.90"}],
        "shipping_address": {
            "first_name": "Anna",
            "last_name": "Becker",
            "company": "Becker Berlin",
            "address1": "Unter den Linden 1",
            "city": "Berlin",
            "zip": "10117",
            "country_code": "DE",
        },
        "customer": {"id": 207119551, "email": "anna@becker.example"},
        "total_line_items_price": "741.00",
        "total_discounts": "25.00",
        "total_tax": "136.04",
        "total_price": "856.94",
    }
    body.update(changes)
    return body


def headers_for(
    body: bytes,
    *,
    secret: str | None = SHOP_SECRET,
    shop: str | None = SHOP,
    webhook_id: str | None = None,
    topic: str | None = "orders/create",
) -> dict[str, str]:
    """The headers Shopify sends with a delivery; each can be left out (None)."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[HMAC_HEADER] = sign(secret, body)
    if shop is not None:
        headers[SHOP_HEADER] = shop
    if topic is not None:
        headers[TOPIC_HEADER] = topic
    headers[WEBHOOK_ID_HEADER] = webhook_id or str(uuid.uuid4())
    return headers


async def deliver(
    http: httpx.AsyncClient, order: dict[str, Any] | bytes, **headers: Any
) -> httpx.Response:
    """POST the webhook, signed as the shop signs it unless `secret=` says otherwise."""
    body = order if isinstance(order, bytes) else json.dumps(order).encode()
    return await http.post(
        "/channels/shopify/orders", content=body, headers=headers_for(body, **headers)
    )


async def assert_nothing_started(api: ApiHarness, order: dict[str, Any]) -> None:
    """No order for the store order, nothing asked of the ERP or the warehouse."""
    order_id = order_id_for(SHOP, str(order["id"]))
    assert (await api.http.get(f"/orders/{order_id}")).status_code == 404
    assert api.stack.erp.calls == []
    assert api.stack.erp.sales_orders == {}
    assert api.stack.wms.reservations == {}
    assert api.inbox.received(order_id) == []


async def test_a_signed_store_order_becomes_an_accepted_order(api: ApiHarness) -> None:
    order = store_order()
    webhook_id = f"wh-{uuid.uuid4()}"

    response = await deliver(api.http, order, webhook_id=webhook_id)

    assert response.status_code == 201, response.text
    order_id = order_id_for(SHOP, str(order["id"]))
    assert response.headers["Location"] == f"/orders/{order_id}"
    shown = response.json()
    assert (shown["order_id"], shown["status"]) == (order_id, OrderStatus.ACCEPTED.value)
    assert (shown["customer_id"], shown["channel"]) == ("1000001", "store")
    # The SAP sales order: the store's order name as the PO, net unit prices (the
    # 25.00 discount off TG11's 5 x 100.00; Shopify's tax is not the ERP's business).
    await eventually(lambda: len(api.stack.erp.sales_orders) == 1)
    (sales_order,) = api.stack.erp.sales_orders.values()
    assert (sales_order.customer_id, sales_order.customer_po) == ("1000001", order["name"])
    assert sales_order.currency == "EUR"
    assert [(i.sku, i.quantity, i.net_amount) for i in sales_order.items] == [
        ("TG11", Decimal(5), Decimal("475.00")),
        ("TG12", Decimal(2), Decimal("241.00")),
    ]
    (row,) = api.inbox.received(order_id)
    assert (row.source, row.event_id, row.kind, row.outcome) == (
        "shopify",
        webhook_id,
        "orders/create",
        "accepted",
    )


async def test_the_same_delivery_again_is_a_duplicate_and_one_order(api: ApiHarness) -> None:
    order = store_order()
    webhook_id = f"wh-{uuid.uuid4()}"
    first = await deliver(api.http, order, webhook_id=webhook_id)
    assert first.status_code == 201, first.text
    order_id = first.json()["order_id"]

    again = await deliver(api.http, order, webhook_id=webhook_id)

    assert again.status_code == 200, again.text
    assert again.json() == {"status": "duplicate", "event_id": webhook_id, "order_id": order_id}
    await eventually(lambda: len(api.stack.erp.sales_orders) == 1)
    assert len(api.inbox.received(order_id)) == 1


async def test_the_same_store_order_under_another_webhook_id_is_the_same_order(
    api: ApiHarness,
) -> None:
    order = store_order()
    first = await deliver(api.http, order)
    assert first.status_code == 201, first.text

    resent = await deliver(api.http, order)  # a fresh webhook id

    assert resent.status_code == 201, resent.text
    assert resent.json()["order_id"] == first.json()["order_id"]
    await eventually(lambda: len(api.stack.erp.sales_orders) == 1)
    view = await view_of(api.http, first.json()["order_id"])
    assert view.status is not OrderStatus.REJECTED


async def test_a_bad_signature_is_401_and_starts_nothing(api: ApiHarness) -> None:
    order = store_order()
    body = json.dumps(order).encode()
    webhook_id = f"wh-{uuid.uuid4()}"
    hex_signature = {HMAC_HEADER: hashlib.sha256(body).hexdigest()}

    forged = await deliver(api.http, body, secret="not-the-secret", webhook_id=webhook_id)
    unsigned = await deliver(api.http, body, secret=None, webhook_id=webhook_id)
    tampered = await api.http.post(
        "/channels/shopify/orders",
        content=body.replace(b'"quantity": 5', b'"quantity": 50'),
        headers=headers_for(body, webhook_id=webhook_id),
    )
    hexed = await api.http.post(
        "/channels/shopify/orders",
        content=body,
        headers={**headers_for(body, webhook_id=webhook_id), **hex_signature},
    )

    for response in (forged, unsigned, tampered, hexed):
        assert response.status_code == 401, response.text
        assert HMAC_HEADER in response.json()["detail"]
    await assert_nothing_started(api, order)

    # Refused deliveries were not taken for seen: signed right, it goes through.
    signed = await deliver(api.http, body, webhook_id=webhook_id)
    assert signed.status_code == 201, signed.text


@pytest.mark.parametrize("shop", ["other-shop.myshopify.com", "", None])
async def test_an_unknown_shop_is_401(api: ApiHarness, shop: str | None) -> None:
    order = store_order()

    response = await deliver(api.http, order, shop=shop)

    assert response.status_code == 401, response.text
    assert "unknown shop" in response.json()["detail"]
    await assert_nothing_started(api, order)


async def test_a_shop_is_known_by_its_secret_whatever_the_case(make_api: AppFactory) -> None:
    async with make_api(
        shopify_secrets={"Acme.myshopify.com": "acme-secret"},
        store_customers={"acme.myshopify.com": {"default": "1000001"}},
    ) as api:
        order = store_order()
        response = await deliver(api.http, order, shop="ACME.myshopify.com", secret="acme-secret")
        assert response.status_code == 201, response.text
        assert response.json()["order_id"] == order_id_for("acme.myshopify.com", str(order["id"]))
        # The demo shop is not configured here: its own secret gets nowhere.
        demo = await deliver(api.http, store_order())
        assert demo.status_code == 401, demo.text


async def test_an_unmapped_customer_is_422_and_starts_nothing(make_api: AppFactory) -> None:
    # Customers named one by one, and no default: anyone else is unknown.
    table = {SHOP: {"customers": {"207119551": "1000001", "Buyer@Example.com": "1000001"}}}
    async with make_api(store_customers=table) as api:
        stranger = store_order(customer={"id": 999, "email": "who@example.com"})

        response = await deliver(api.http, stranger)

        assert response.status_code == 422, response.text
        (refusal,) = response.json()["refusals"]
        assert (refusal["code"], refusal["field"]) == ("UNMAPPED_CUSTOMER", "customer")
        assert refusal["message"] == (
            f"shop {SHOP} has no ERP customer for its customer 999 (who@example.com)"
        )
        await assert_nothing_started(api, stranger)

        # By the customer's id, and by the email of a guest checkout.
        known = await deliver(api.http, store_order())
        guest = await deliver(api.http, store_order(customer=None, email="buyer@example.com"))
        assert (known.status_code, guest.status_code) == (201, 201), (known.text, guest.text)


async def test_store_customers_can_be_replaced_by_a_dependency(api: ApiHarness) -> None:
    class Registry:
        def __init__(self) -> None:
            self.asked: list[tuple[str, str | None, str | None]] = []

        def customer_for(
            self, shop_domain: str, store_customer_id: str | None, email: str | None
        ) -> str | None:
            self.asked.append((shop_domain, store_customer_id, email))
            return None

    registry = Registry()
    mapping: StoreCustomers = registry
    api.app.dependency_overrides[get_store_customers] = lambda: mapping
    order = store_order()

    response = await deliver(api.http, order)

    assert response.status_code == 422, response.text
    assert response.json()["refusals"][0]["code"] == "UNMAPPED_CUSTOMER"
    assert registry.asked == [(SHOP, "207119551", "anna@becker.example")]
    await assert_nothing_started(api, order)


async def test_a_shop_in_the_partner_registry_maps_its_customers_there(api: ApiHarness) -> None:
    registered = await api.http.post(
        "/partners",
        json={
            "partner_id": f"SHOP{uuid.uuid4().hex[:8].upper()}",
            "name": "Ordermesh demo shop",
            "kind": "store",
            "shop_domain": SHOP,
            "customer_id": "1000001",
            # This shopper buys as the ERP's blocked customer: the verdict shows that
            # the registry, not the environment's table, was asked.
            "store_customers": [{"store_customer_id": "207119551", "customer_id": "1000099"}],
        },
    )
    assert registered.status_code == 201, registered.text

    response = await deliver(api.http, store_order())

    assert response.status_code == 422, response.text
    assert response.json()["status"] == OrderStatus.REJECTED.value
    assert api.stack.erp.sales_orders == {}


async def test_malformed_json_is_400(api: ApiHarness) -> None:
    response = await deliver(api.http, b'{"id": 1, "line_items": [')

    assert response.status_code == 400, response.text
    assert response.json()["detail"] == "the body is not valid JSON"


async def test_a_refund_is_not_an_order(api: ApiHarness) -> None:
    refund = json.loads(
        (CORPUS / "webhook-meta_refunds-create_2026-04_docs-example.json").read_text()
    )
    body = json.dumps(refund["response"]).encode()

    response = await deliver(api.http, body)

    assert response.status_code == 422, response.text
    assert response.json()["refusals"][0]["code"] == "NOT_AN_ORDER"
    assert api.stack.erp.sales_orders == {}


async def test_a_field_of_the_wrong_shape_is_422_naming_it(api: ApiHarness) -> None:
    order = store_order(line_items="five widgets")

    response = await deliver(api.http, order)

    assert response.status_code == 422, response.text
    assert any(r["field"].startswith("line_items") for r in response.json()["refusals"])
    await assert_nothing_started(api, order)


async def test_a_line_without_a_sku_is_refused_naming_it(api: ApiHarness) -> None:
    order = store_order()
    order["line_items"][1]["sku"] = ""

    response = await deliver(api.http, order)

    assert response.status_code == 422, response.text
    fields = [r["field"] for r in response.json()["refusals"]]
    assert "line_items[1].sku" in fields
    await assert_nothing_started(api, order)


async def test_an_item_the_erp_does_not_know_is_rejected(api: ApiHarness) -> None:
    order = store_order()
    order["line_items"][0]["sku"] = "NO-SUCH-SKU"

    response = await deliver(api.http, order)

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["status"] == OrderStatus.REJECTED.value
    assert any("NO-SUCH-SKU" in reason["message"] for reason in body["reasons"])
    assert api.stack.erp.sales_orders == {}


async def test_another_topic_or_no_webhook_id_is_refused(api: ApiHarness) -> None:
    order = store_order()
    body = json.dumps(order).encode()

    refund_topic = await deliver(api.http, body, topic="refunds/create")
    no_id = await api.http.post(
        "/channels/shopify/orders",
        content=body,
        headers={k: v for k, v in headers_for(body).items() if k != WEBHOOK_ID_HEADER},
    )

    assert refund_topic.status_code == 422, refund_topic.text
    assert refund_topic.json()["refusals"][0]["code"] == "NOT_AN_ORDER"
    assert no_id.status_code == 400, no_id.text
    assert WEBHOOK_ID_HEADER in no_id.json()["detail"]
    await assert_nothing_started(api, order)


class _Gateway:
    """An order gateway whose `submit` does what a test says."""

    def __init__(self, outcome: BaseException) -> None:
        self.outcome = outcome
        self.submitted: list[str] = []

    async def submit(self, order_id: str, submission: OrderSubmission) -> SubmitVerdict:
        self.submitted.append(order_id)
        raise self.outcome

    async def view(self, order_id: str) -> OrderView:
        return OrderView(order_id=order_id, status=OrderStatus.RECEIVED, customer_id="1000001")


@pytest.fixture
def overrides(api: ApiHarness) -> Iterator[dict[Any, Any]]:
    yield api.app.dependency_overrides
    api.app.dependency_overrides.clear()


async def test_a_delivery_that_fails_is_not_taken_for_seen(
    api: ApiHarness, overrides: dict[Any, Any]
) -> None:
    order = store_order()
    webhook_id = f"wh-{uuid.uuid4()}"
    overrides[get_gateway] = lambda: _Gateway(RPCError("down", RPCStatusCode.UNAVAILABLE, b""))

    failed = await deliver(api.http, order, webhook_id=webhook_id)
    assert failed.status_code == 503, failed.text

    # The engine is back: Shopify's retry of the same delivery goes through.
    overrides.pop(get_gateway)
    retried = await deliver(api.http, order, webhook_id=webhook_id)
    assert retried.status_code == 201, retried.text
    view = await view_of(api.http, retried.json()["order_id"])
    assert view.channel.value == "store"


async def test_a_pending_verdict_is_202(api: ApiHarness, overrides: dict[Any, Any]) -> None:
    order = store_order()
    order_id = order_id_for(SHOP, str(order["id"]))
    gateway = _Gateway(VerdictPending(order_id))
    overrides[get_gateway] = lambda: gateway

    response = await deliver(api.http, order)

    assert response.status_code == 202, response.text
    assert response.json()["status"] == OrderStatus.RECEIVED.value
    assert gateway.submitted == [order_id]
