"""Helpers for the API tests (not fixtures): bodies, polling the view, signed events."""

import asyncio
import json
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from canonical.signing import SIGNATURE_HEADER, sign
from canonical.statuses import OrderStatus
from canonical.view import OrderView
from store.inbox import Inbox
from tests.workflows.support import Stack

# The defaults of `ApiSettings.webhook_secrets`: what a dev sender signs with.
WMS_SECRET = "dev-wms-secret"
CARRIER_SECRET = "dev-carrier-secret"


@dataclass
class ApiHarness:
    """The app under test, a client for it, and the fakes behind it."""

    app: FastAPI
    http: httpx.AsyncClient
    stack: Stack
    inbox: Inbox


# `make_api(**settings)`: an app with some `ApiSettings` changed, lifespan entered;
# `make_api(real_auth=True, ...)` checks API keys as in production.
AppFactory = Callable[..., AbstractAsyncContextManager[ApiHarness]]


def order_body(**changes: Any) -> dict[str, Any]:
    """The demo order as JSON: customer 1000001, TG11 x 5 PC and TG12 x 2 PC."""
    body: dict[str, Any] = {
        "customer_id": "1000001",
        "customer_po": "PO-4711",
        "ship_to": {
            "name": "Becker Berlin",
            "street": "Unter den Linden 1",
            "city": "Berlin",
            "postal_code": "10117",
            "country": "DE",
        },
        "lines": [
            {"sku": "TG11", "quantity": "5", "uom": "PC"},
            {"sku": "TG12", "quantity": 2},
        ],
    }
    body.update(changes)
    return body


def new_key() -> str:
    return f"key-{uuid.uuid4()}"


def new_order_id() -> str:
    return f"API-{uuid.uuid4().hex[:12]}"


async def submit(
    http: httpx.AsyncClient, body: dict[str, Any] | None = None, *, key: str | None = None
) -> httpx.Response:
    """POST /orders with `body` (the demo order by default) and a fresh key unless given."""
    return await http.post(
        "/orders",
        json=order_body() if body is None else body,
        headers={"Idempotency-Key": key or new_key()},
    )


async def accepted(http: httpx.AsyncClient, body: dict[str, Any] | None = None) -> str:
    """Submit an order that must be accepted; its id."""
    response = await submit(http, body)
    assert response.status_code == 201, response.text
    order_id: str = response.json()["order_id"]
    return order_id


async def view_of(http: httpx.AsyncClient, order_id: str) -> OrderView:
    response = await http.get(f"/orders/{order_id}")
    assert response.status_code == 200, response.text
    return OrderView.model_validate(response.json())


async def until(
    http: httpx.AsyncClient,
    order_id: str,
    check: Callable[[OrderView], bool],
    seconds: float = 15,
) -> OrderView:
    """Poll GET /orders/{id} until `check` holds; fail with the last view if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        view = await view_of(http, order_id)
        if check(view):
            return view
        if loop.time() > deadline:
            raise AssertionError(f"condition never held; last view: {view.model_dump_json()}")
        await asyncio.sleep(0.05)


async def eventually(check: Callable[[], bool], seconds: float = 15) -> None:
    """Poll `check` (say, on what a fake recorded) until it holds, or fail."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():
        if loop.time() > deadline:
            raise AssertionError("condition never held")
        await asyncio.sleep(0.02)


def has_status(*statuses: OrderStatus) -> Callable[[OrderView], bool]:
    return lambda view: view.status in statuses


async def released(http: httpx.AsyncClient, order_id: str) -> OrderView:
    """Wait until the order is RELEASED to the warehouse, its shipment planned."""
    return await until(http, order_id, has_status(OrderStatus.RELEASED))


def event_body(
    order_id: str,
    kind: str,
    *,
    shipment_id: str | None = None,
    event_id: str | None = None,
    source: str = "wms",
    tracking_number: str = "",
) -> bytes:
    """An execution event as a sender puts it on the wire."""
    return json.dumps(
        {
            "event_id": event_id or f"evt-{uuid.uuid4().hex}",
            "source": source,
            "kind": kind,
            "order_id": order_id,
            "shipment_id": f"{order_id}-S1" if shipment_id is None else shipment_id,
            "occurred_at": datetime.now(UTC).isoformat(),
            "tracking_number": tracking_number,
        }
    ).encode()


async def post_event(
    http: httpx.AsyncClient,
    body: bytes,
    *,
    source: str = "wms",
    secret: str | None = WMS_SECRET,
) -> httpx.Response:
    """POST /webhooks/{source}, signed with `secret` (unsigned when None)."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SIGNATURE_HEADER] = sign(secret, body)
    return await http.post(f"/webhooks/{source}", content=body, headers=headers)


async def send(
    http: httpx.AsyncClient, order_id: str, kind: str, *, source: str = "wms", **fields: Any
) -> httpx.Response:
    """Send one correctly signed event for the order's first shipment; must be accepted."""
    secret = {"wms": WMS_SECRET, "carrier": CARRIER_SECRET}[source]
    body = event_body(order_id, kind, source=source, **fields)
    response = await post_event(http, body, source=source, secret=secret)
    assert response.status_code == 202, response.text
    return response


def timeline_with(view: OrderView, event_id: str) -> list[str]:
    """The kinds of the timeline entries that record one outside event."""
    return [entry.kind for entry in view.timeline if entry.event_id == event_id]
