"""A store order end to end: Shopify's signed `orders/create` webhook reaches the real
API, the order runs through mock-sap and the sandbox, is paid at mock-bank, and
completes; a forged one starts nothing."""

import json
import random
from decimal import Decimal
from typing import Any

import httpx
import pytest

from canonical.channels.shopify_webhook import (
    HMAC_HEADER,
    SHOP_HEADER,
    TOPIC_HEADER,
    WEBHOOK_ID_HEADER,
    order_id_for,
    sign,
)
from tests.e2e.conftest import RunningStack
from tests.e2e.test_cash_e2e import send_credit
from tests.e2e.test_order_to_cash_e2e import (
    sap_orders_with_po,
    wait_for_status,
    wait_until_fulfilled,
)

pytestmark = pytest.mark.e2e

# The API's development shop (`ApiSettings.shopify_secrets` / `store_customers`).
SHOP, SECRET = "ordermesh-demo.myshopify.com", "dev-shopify-secret"


def store_order() -> dict[str, Any]:
    shopify_id = random.randrange(10**12, 10**13)
    return {
        "id": shopify_id,
        "name": f"#S{shopify_id % 1000000}",
        "email": "einkauf@becker.example",
        "currency": "EUR",
        "financial_status": "paid",
        "line_items": [
            {"id": 1, "sku": "TG11", "quantity": 3, "price": "95.00", "requires_shipping": True},
            {"id": 2, "sku": "TG12", "quantity": 1, "price": "149.50", "requires_shipping": True},
        ],
        "shipping_lines": [{"price": "4.90", "title": "Standard"}],
        "shipping_address": {
            "name": "Becker Berlin",
            "address1": "Unter den Linden 1",
            "city": "Berlin",
            "zip": "10117",
            "country_code": "DE",
        },
        "customer": {"id": 207119551, "email": "einkauf@becker.example"},
        "total_line_items_price": "434.50",
        "total_discounts": "0.00",
        "total_price": "439.40",
    }


async def deliver(api: httpx.AsyncClient, order: dict[str, Any], secret: str) -> httpx.Response:
    body = json.dumps(order).encode()
    return await api.post(
        "/channels/shopify/orders",
        content=body,
        headers={
            "Content-Type": "application/json",
            HMAC_HEADER: sign(secret, body),
            SHOP_HEADER: SHOP,
            TOPIC_HEADER: "orders/create",
            WEBHOOK_ID_HEADER: f"wh-{order['id']}",
        },
    )


async def test_a_signed_store_order_completes_and_a_forged_one_starts_nothing(
    e2e: RunningStack,
) -> None:
    # No API key: a shop authenticates by its signature alone.
    async with httpx.AsyncClient(base_url=str(e2e.api.base_url), timeout=30) as shop:
        forged = store_order()
        refused = await deliver(shop, forged, "not-the-shops-secret")
        assert refused.status_code == 401, refused.text
        order = store_order()
        accepted = await deliver(shop, order, SECRET)
    assert accepted.status_code == 201, accepted.text
    order_id = accepted.json()["order_id"]
    assert order_id == order_id_for(SHOP, str(order["id"]))

    view = await wait_until_fulfilled(e2e, order_id)
    [sales_order] = await sap_orders_with_po(e2e, order["name"])
    assert view["erp_order_id"] == sales_order["SalesOrder"]
    (invoice,) = view["invoices"]
    await send_credit(
        e2e, Decimal(invoice["gross"]["amount"]), reference=invoice["billing_document"]
    )
    run = await e2e.ops.post("/cash/run")
    assert run.status_code == 200, run.text
    await wait_for_status(e2e, order_id, {"COMPLETED"})

    missing = await e2e.ops.get(f"/orders/{order_id_for(SHOP, str(forged['id']))}")
    assert missing.status_code == 404, missing.text
    assert await sap_orders_with_po(e2e, forged["name"]) == []
