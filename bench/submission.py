"""Submitting the benches' orders to `POST /orders`, as a portal would.

One order is two lines (TG11 and TG12, one each) for one customer to Berlin. A 503
(the order engine too busy to answer in time) or a dropped connection is sent again
with the same `Idempotency-Key` after 2 s, 4 s, ..., up to six tries: a repeat joins
the order the first try started, it does not make a second one.
"""

import asyncio
import contextlib
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

SHIP_TO = {"name": "Bench", "street": "Bench 1", "city": "Berlin", "country": "DE"}
SUBMIT_ATTEMPTS = 6
RETRY_SECONDS = 2.0


def note(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def order_body(customer_id: str, customer_po: str) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "customer_po": customer_po,
        "lines": [{"sku": "TG11", "quantity": 1}, {"sku": "TG12", "quantity": 1}],
        "ship_to": SHIP_TO,
    }


@dataclass
class Submitted:
    """One submission: its order id ("" when refused) and the API's last answer (201
    accepted, 202 verdict still pending, anything else refused), how long from the
    first try to that answer, and how many tries it took.

    Attributes:
        started_at: Wall-clock time (`time.time()`) of the first try, to compare with
            the server's event times (the same machine's clock).
    """

    order_id: str
    status_code: int
    verdict_seconds: float
    attempts: int
    started_at: float


async def submit(
    api: httpx.AsyncClient, body: dict[str, Any], gate: asyncio.Semaphore | None = None
) -> Submitted:
    """Submit one order until it is answered for good. `gate` bounds the requests in
    flight; it is let go while waiting to try again, so a retry does not hold a place
    another order could use."""
    key = f"bench-{uuid.uuid4().hex}"
    began, started_at = time.monotonic(), time.time()
    status, answer, attempt = 0, "", 0
    for attempt in range(1, SUBMIT_ATTEMPTS + 1):
        status, answer = 0, ""
        try:
            async with gate if gate is not None else contextlib.nullcontext():
                if attempt == 1:
                    # Timed from when the request can go out, not from when the
                    # bench queued it behind the gate.
                    began, started_at = time.monotonic(), time.time()
                response = await api.post("/orders", json=body, headers={"Idempotency-Key": key})
            status, answer = response.status_code, response.text
            if status in (201, 202):
                return Submitted(
                    str(response.json()["order_id"]),
                    status,
                    time.monotonic() - began,
                    attempt,
                    started_at,
                )
        except httpx.TransportError as err:
            answer = repr(err)
        if status not in (0, 503):
            break
        await asyncio.sleep(RETRY_SECONDS * attempt)
    note(f"order {body['customer_po']} refused after {attempt} tries: {status} {answer[:200]}")
    return Submitted("", status, time.monotonic() - began, attempt, started_at)
