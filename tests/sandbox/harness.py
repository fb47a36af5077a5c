"""Test support for the sandbox: fast settings, a webhook receiver, an app under test.

The adapter tests import this too, so it is a module rather than fixtures: fixtures
in `conftest.py` build on it.
"""

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine

from canonical.events import ExecutionEvent
from canonical.signing import SIGNATURE_HEADER, verify
from sandbox.app import create_app, dispatcher_of
from sandbox.outbox import Dispatcher
from sandbox.settings import SandboxSettings

WEBHOOK_BASE = "http://receiver.test/webhooks"

ADDRESS: dict[str, str] = {
    "name": "Becker Berlin",
    "street": "Friedrichstrasse 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
}


def fast_settings(tmp_path: Path, **overrides: Any) -> SandboxSettings:
    """Settings with a temp SQLite file and delays of a few milliseconds."""
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'sandbox.db'}",
        "webhook_base_url": WEBHOOK_BASE,
        "pick_delay": 0.01,
        "pack_delay": 0.01,
        "ship_delay": 0.01,
        "in_transit_delay": 0.01,
        "deliver_delay": 0.02,
        "dispatch_interval": 0.005,
        "retry_initial": 0.01,
        "retry_max": 0.05,
        "random_seed": 7,
    }
    values.update(overrides)
    return SandboxSettings(**values)


def reservation_body(
    order_id: str = "O1", warehouse: str = "W1", lines: list[tuple[str, int]] | None = None
) -> dict[str, Any]:
    """A `PUT /wms/reservations/{id}` body; lines as (sku, quantity)."""
    lines = lines if lines is not None else [("TG11", 5)]
    return {
        "order_id": order_id,
        "warehouse": warehouse,
        "lines": [
            {"line_no": 10 * (i + 1), "sku": sku, "quantity": quantity, "uom": "PC"}
            for i, (sku, quantity) in enumerate(lines)
        ],
    }


def label_body(order_id: str = "O1", country: str = "DE", weight_kg: str = "2.5") -> dict[str, Any]:
    """A `PUT /carrier/labels/{id}` body (the default carrier's `standard`)."""
    return {
        "order_id": order_id,
        "ship_from": "W1",
        "ship_to": {**ADDRESS, "country": country},
        "weight_kg": weight_kg,
        "service": "standard",
    }


def quote_body(
    weight_kg: str = "2.5", country: str = "DE", shipment_id: str = "O1-S1"
) -> dict[str, Any]:
    """A `POST /tms/quotes` body (a `QuoteRequest` as JSON)."""
    return {
        "shipment_id": shipment_id,
        "ship_from": "W1",
        "ship_to": {**ADDRESS, "country": country},
        "weight_kg": weight_kg,
    }


async def eventually(predicate: Callable[[], bool], within: float = 5.0) -> None:
    """Wait until `predicate()` holds; fail the test after `within` seconds."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(0.005)


@dataclass
class Delivery:
    """One webhook as the receiver got it."""

    source: str
    body: bytes
    signature: str | None
    event: ExecutionEvent


@dataclass
class Receiver:
    """Ordermesh's webhook endpoint, played by an `httpx.MockTransport` handler.

    Checks every signature with the secret of the source in the URL and answers
    401 to a bad one; otherwise answers with the next scripted outcome (a status
    code, or an exception to raise such as `httpx.ConnectError`), 200 by default.
    """

    secrets: Mapping[str, str]
    deliveries: list[Delivery] = field(default_factory=list)
    refused: list[tuple[str, int]] = field(default_factory=list)
    bad_signatures: int = 0
    script: deque[int | Exception] = field(default_factory=deque)

    def respond_next(self, *outcomes: int | Exception) -> None:
        """Answer the next requests with these outcomes, in order."""
        self.script.extend(outcomes)

    def handler(self, request: httpx.Request) -> httpx.Response:
        source = request.url.path.rsplit("/", 1)[-1]
        body = request.content
        signature = request.headers.get(SIGNATURE_HEADER)
        assert request.headers["content-type"] == "application/json"
        if not verify(self.secrets[source], body, signature):
            self.bad_signatures += 1
            return httpx.Response(401, json={"detail": "bad signature"})
        outcome = self.script.popleft() if self.script else 200
        if isinstance(outcome, Exception):
            raise outcome
        event = ExecutionEvent.model_validate_json(body)
        if outcome >= 300:
            self.refused.append((event.event_id, outcome))
            return httpx.Response(outcome, json={"detail": f"scripted {outcome}"})
        self.deliveries.append(Delivery(source, body, signature, event))
        return httpx.Response(outcome, json={"ok": True})

    @property
    def events(self) -> list[ExecutionEvent]:
        """Events accepted (2xx), in arrival order, duplicates included."""
        return [d.event for d in self.deliveries]

    def kinds(self, shipment_id: str | None = None) -> list[str]:
        """Kinds of the accepted events, optionally of one shipment."""
        return [
            e.kind.value for e in self.events if shipment_id is None or e.shipment_id == shipment_id
        ]


@dataclass
class SandboxUnderTest:
    """A sandbox app, a client talking to it in-process, and its webhook receiver."""

    app: FastAPI
    client: httpx.AsyncClient
    receiver: Receiver
    clock: float = field(default_factory=lambda: time.time() + 100)

    @property
    def dispatcher(self) -> Dispatcher:
        return dispatcher_of(self.app)

    async def step(self, times: int = 1) -> None:
        """Run the dispatcher `times` times, each 100 s of simulated time after the
        last, so every step makes the next scheduled event due (one floor step)."""
        for _ in range(times):
            self.clock += 100
            await self.dispatcher.run_once(now=self.clock)

    async def events(self, **params: str) -> list[dict[str, Any]]:
        """`GET /sandbox/events` rows."""
        response = await self.client.get("/sandbox/events", params=params)
        response.raise_for_status()
        rows: list[dict[str, Any]] = response.json()
        return rows

    async def wait_for_kinds(self, shipment_id: str, kinds: list[str], within: float = 5.0) -> None:
        """Wait until the receiver has accepted exactly `kinds` for the shipment."""
        await eventually(lambda: self.receiver.kinds(shipment_id) == kinds, within)


@asynccontextmanager
async def open_sandbox(
    settings: SandboxSettings, *, run_dispatcher: bool = False
) -> AsyncIterator[SandboxUnderTest]:
    """A sandbox app for one test; the dispatcher runs (via the lifespan) if asked."""
    receiver = Receiver({"wms": settings.wms_secret, "carrier": settings.carrier_secret})
    webhook_client = httpx.AsyncClient(transport=httpx.MockTransport(receiver.handler))
    app = create_app(settings, webhook_client=webhook_client)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox")
    engine: Engine = app.state.engine
    try:
        if run_dispatcher:
            async with app.router.lifespan_context(app):
                yield SandboxUnderTest(app, client, receiver)
        else:
            yield SandboxUnderTest(app, client, receiver)
    finally:
        await client.aclose()
        await webhook_client.aclose()
        engine.dispose()
