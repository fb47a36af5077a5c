"""`/channels/shopify/orders`: Shopify's `orders/create` webhook starts an order.

A shop authenticates by its signature, not an API key: `X-Shopify-Hmac-Sha256` is
the base64 HMAC-SHA256 of the raw body under the shop's secret
(`ApiSettings.shopify_secrets`, by the `X-Shopify-Shop-Domain` header). Deliveries are
deduplicated by `X-Shopify-Webhook-Id` in the inbox, and the order id is derived from
the shop and Shopify's order id, so the same store order twice is one order. The
store's customer is mapped to an ERP customer through `StoreCustomers`; the order is
mapped by `canonical.channels.shopify` and started as `POST /orders` starts one.
Nothing is claimed or started for a delivery that is refused.
"""

import json
from collections.abc import Mapping
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from api.deps import GatewayDep, InboxDep, PartnerRegistryDep, SettingsDep
from api.models import OrderPublic, OrderRejected, Problem, WebhookReceipt, problem
from api.order_gateway import VerdictPending
from api.routes.orders import _json
from api.routes.webhooks import _claim_kept_only_if_handled
from api.settings import ApiSettings
from canonical.channels.shopify import RefusedOrder, to_submission
from canonical.channels.shopify_payload import NotAnOrder, Refusal, RefusalCode, parse_order
from canonical.channels.shopify_webhook import (
    HMAC_HEADER,
    ORDERS_CREATE,
    SHOP_HEADER,
    TOPIC_HEADER,
    WEBHOOK_ID_HEADER,
    StoreCustomerTable,
    order_id_for,
    verify,
)
from canonical.statuses import OrderStatus
from store.partners import PartnerRegistry
from workflows.contracts import SubmitVerdict

router = APIRouter(prefix="/channels/shopify", tags=["channels"])

# The inbox's source for Shopify deliveries (webhook ids are Shopify-wide).
INBOX_SOURCE = "shopify"
_MAX_WEBHOOK_ID = 100  # the inbox's event_id column


class StoreCustomers(Protocol):
    """Which ERP customer a store's customer buys as; None when none is known."""

    def customer_for(
        self, shop_domain: str, store_customer_id: str | None, email: str | None
    ) -> str | None: ...


class ConfiguredStoreCustomers:
    """`StoreCustomers` from `ORDERMESH_STORE_CUSTOMERS` (`ApiSettings.store_customers`).

    Args:
        tables: One table per shop domain (case-insensitive).
    """

    def __init__(self, tables: Mapping[str, StoreCustomerTable]) -> None:
        self._tables = {shop.strip().lower(): table for shop, table in tables.items()}

    def customer_for(
        self, shop_domain: str, store_customer_id: str | None, email: str | None
    ) -> str | None:
        table = self._tables.get(shop_domain.strip().lower())
        return None if table is None else table.customer_for(store_customer_id, email)


class RegisteredStoreCustomers:
    """`StoreCustomers` from the partner registry: the shop's store partner, its
    customer mappings and default customer (`POST /partners`); a shop the registry
    does not know falls back to `fallback`.

    Args:
        registry: The trading-partner registry.
        fallback: For shops configured only in the environment.
    """

    def __init__(self, registry: PartnerRegistry, fallback: StoreCustomers) -> None:
        self._registry, self._fallback = registry, fallback

    def customer_for(
        self, shop_domain: str, store_customer_id: str | None, email: str | None
    ) -> str | None:
        store = self._registry.store_by_domain(shop_domain)
        if store is None:
            return self._fallback.customer_for(shop_domain, store_customer_id, email)
        return self._registry.customer_for_store(store.partner_id, store_customer_id, email)


def get_store_customers(settings: SettingsDep, registry: PartnerRegistryDep) -> StoreCustomers:
    """The store-customer mapping; replace it with `app.dependency_overrides`."""
    return RegisteredStoreCustomers(registry, ConfiguredStoreCustomers(settings.store_customers))


StoreCustomersDep = Annotated[StoreCustomers, Depends(get_store_customers)]


class StoreOrderRefused(BaseModel):
    """The body of a refused delivery: `detail` in a line, then every reason."""

    detail: str
    refusals: list[Refusal]


class StoreOrderDuplicate(WebhookReceipt):
    """A delivery seen before (`duplicate`), and the order it started."""

    order_id: str


@router.post(
    "/orders",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderPublic,
    responses={
        200: {"model": StoreOrderDuplicate, "description": "A delivery seen before."},
        202: {"model": OrderPublic, "description": "Received; the verdict is still pending."},
        400: {"model": Problem, "description": "Not JSON, or no X-Shopify-Webhook-Id."},
        401: {"model": Problem, "description": "Unknown shop, or a bad signature."},
        422: {
            "model": OrderRejected | StoreOrderRefused,
            "description": "REJECTED by the ERP, or a store order that cannot map.",
        },
    },
)
async def receive_shopify_order(
    request: Request,
    settings: SettingsDep,
    inbox: InboxDep,
    gateway: GatewayDep,
    customers: StoreCustomersDep,
) -> Response:
    """Take an `orders/create` webhook: 201 ACCEPTED with the order, 422 REJECTED or
    refused with the reasons, 202 while the verdict is pending, 200 for a duplicate."""
    shop = (request.headers.get(SHOP_HEADER) or "").strip().lower()
    secret = _secret_of(settings, shop)
    if secret is None:
        return problem(401, f"unknown shop {shop[:100]!r} in {SHOP_HEADER}")
    body = await request.body()
    if not verify(secret, body, request.headers.get(HMAC_HEADER)):
        return problem(401, f"bad or missing {HMAC_HEADER} for shop {shop}")
    topic = request.headers.get(TOPIC_HEADER)
    if topic is not None and topic.strip() != ORDERS_CREATE:
        wrong = f"not an order: {TOPIC_HEADER} is {topic!r}; this endpoint takes {ORDERS_CREATE}"
        return _refused(
            wrong, [Refusal(code=RefusalCode.NOT_AN_ORDER, field=TOPIC_HEADER, message=wrong)]
        )
    webhook_id = (request.headers.get(WEBHOOK_ID_HEADER) or "").strip()
    if not webhook_id or len(webhook_id) > _MAX_WEBHOOK_ID:
        return problem(400, f"send {WEBHOOK_ID_HEADER} (up to {_MAX_WEBHOOK_ID} characters)")
    try:
        payload = _decoded(body)
    except ValueError:
        return problem(400, "the body is not valid JSON")
    try:
        order = parse_order(payload)
    except NotAnOrder as refused:
        return _refused(str(refused), list(refused.refusals))

    customer_id = await run_in_threadpool(
        customers.customer_for, shop, order.store_customer_id, order.buyer_email
    )
    if customer_id is None:
        refusal = Refusal(
            code=RefusalCode.UNMAPPED_CUSTOMER,
            field="customer",
            message=(
                f"shop {shop} has no ERP customer for its customer"
                f" {order.store_customer_id or '(none)'} ({order.buyer_email or 'no email'})"
            ),
        )
        return _refused(f"store order {order.reference} refused: {refusal.message}", [refusal])
    mapped = to_submission(order, customer_id)
    if isinstance(mapped, RefusedOrder):
        return _refused(mapped.detail, list(mapped.refusals))

    order_id = order_id_for(shop, order.order_id)
    first = await run_in_threadpool(inbox.claim, INBOX_SOURCE, webhook_id, order_id, ORDERS_CREATE)
    if not first:
        duplicate = StoreOrderDuplicate(status="duplicate", event_id=webhook_id, order_id=order_id)
        return JSONResponse(status_code=200, content=duplicate.model_dump(mode="json"))
    # Started exactly as `POST /orders` starts an order. The same store order under
    # another webhook id joins the order it started, and is answered its verdict.
    async with _claim_kept_only_if_handled(inbox, INBOX_SOURCE, webhook_id):
        verdict: SubmitVerdict | None
        try:
            verdict = await gateway.submit(order_id, mapped.submission)
        except VerdictPending:
            verdict = None
        view = verdict.view if verdict is not None else await gateway.view(order_id)
    if verdict is None:
        outcome = "pending"
    else:
        outcome = "rejected" if verdict.status is OrderStatus.REJECTED else "accepted"
    await run_in_threadpool(inbox.settle, INBOX_SOURCE, webhook_id, outcome)
    if verdict is None:
        return _json(202, OrderPublic.model_validate(view.model_dump()), order_id)
    if verdict.status is OrderStatus.REJECTED:
        return _json(422, OrderRejected(order_id=order_id, reasons=verdict.reasons), order_id)
    return _json(201, OrderPublic.model_validate(view.model_dump()), order_id)


def _secret_of(settings: ApiSettings, shop: str) -> str | None:
    if not shop:
        return None
    secrets = {
        domain.strip().lower(): secret for domain, secret in settings.shopify_secrets.items()
    }
    return secrets.get(shop) or None


def _decoded(body: bytes) -> object:
    """The JSON of `body`.

    Raises:
        ValueError: Not JSON (nor UTF-8), or nested too deep to read.
    """
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("nested too deep") from None


def _refused(detail: str, refusals: list[Refusal]) -> JSONResponse:
    refused = StoreOrderRefused(detail=detail, refusals=refusals)
    return JSONResponse(status_code=422, content=refused.model_dump(mode="json"))
