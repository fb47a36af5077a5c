"""Shopify's webhook around the order: its headers, the shop's signature, and what a
shop's deliveries are on our side.

`X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body under the shop's
secret (`sign`, `verify`). `order_id_for` gives a store order its Ordermesh order id,
so the same shop and order are one order; `StoreCustomerTable` says which ERP
customer buys a shop's orders.
"""

import base64
import hashlib
import hmac

from pydantic import BaseModel, ConfigDict

# The webhook's headers (https://shopify.dev/docs/apps/build/webhooks).
HMAC_HEADER = "X-Shopify-Hmac-Sha256"
SHOP_HEADER = "X-Shopify-Shop-Domain"
WEBHOOK_ID_HEADER = "X-Shopify-Webhook-Id"
TOPIC_HEADER = "X-Shopify-Topic"
ORDERS_CREATE = "orders/create"


def sign(secret: str, body: bytes) -> str:
    """The `X-Shopify-Hmac-Sha256` value for `body`: base64 of its HMAC-SHA256."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(secret: str, body: bytes, header_value: str | None) -> bool:
    """True when `header_value` is the shop's signature of the raw `body`; constant time."""
    if not header_value:
        return False
    value = header_value.strip()
    if not value.isascii():
        # compare_digest raises TypeError on non-ASCII str; such a header is no signature.
        return False
    return hmac.compare_digest(sign(secret, body), value)


def order_id_for(shop_domain: str, shopify_order_id: str) -> str:
    """The Ordermesh order id of a store order: the same shop and order are one order."""
    key = f"{shop_domain.strip().lower()}\x00{shopify_order_id}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"SHOP-{digest[:16].upper()}"


class StoreCustomerTable(BaseModel):
    """Which ERP customer buys a shop's orders: `customers` by the store's customer id
    or email (case-insensitive), else `default` (e.g. the shop's own account for a
    consumer store); None when neither says.

    Typical usage example (`ORDERMESH_STORE_CUSTOMERS`, one table per shop domain):

        {"ordermesh-demo.myshopify.com":
            {"default": "1000001", "customers": {"207119551": "1000002"}}}
    """

    # A misspelt key in the setting is an error, not a table that maps no one.
    model_config = ConfigDict(frozen=True, extra="forbid")

    default: str | None = None
    customers: dict[str, str] = {}

    def customer_for(self, store_customer_id: str | None, email: str | None) -> str | None:
        by_key = {key.strip().lower(): erp for key, erp in self.customers.items()}
        for key in (store_customer_id, email):
            if key and key.strip().lower() in by_key:
                return by_key[key.strip().lower()]
        return self.default or None
