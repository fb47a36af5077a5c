"""`make bench`: the embedded stack under a bounded load, with figures printed.

Starts the same processes as `make run` on free ports in a temporary folder (the
sandbox with short delays, the cash schedule off), submits N orders at a given
concurrency to 127.0.0.1, and follows each until it is fulfilled: INVOICED, every
shipment that was not voided DELIVERED, so all that is left is the customer's
payment. Then a cash round (`bench.cash_round`): every invoice is paid at mock-bank,
the bank's day closes, and one `POST /cash/run` is timed; then each order's workflow
is awaited until it is PAID and COMPLETED.

Reports the verdict latency (p50/p95/p99/max), the time from submission to fulfilled
(seen by polling `GET /orders/{id}` every 1.5 s, so to within that), orders fulfilled
per second, what the cash run saw and applied and how long it took, and orders
completed. Writes a Markdown table and a JSON file to `bench/results/`. Bounded in
count and time; stops by itself; exits 0 only when every order completed.

    python -m bench.order_flow --orders 100 --concurrency 10   # closed loop: capacity
    python -m bench.order_flow --orders 100 --rate 2 --concurrency 100   # open loop
"""

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client, WorkflowFailureError

from api.auth import DEV_OPS_KEY, DEV_PORTAL_KEY
from bench.cash_round import CashRoundResult, InvoiceDue, cash_round
from canonical.statuses import OrderStatus
from canonical.view import OrderView
from runtime.settings import TemporalSettings
from runtime.temporal import connect
from sandbox.stack import disposable_stack
from workflows.contracts import order_workflow_id

SHIP_TO = {"name": "Bench", "street": "Bench 1", "city": "Berlin", "country": "DE"}
POLL_SECONDS = 1.5
# Statuses after which an order will never be fulfilled: stop polling it.
GIVEN_UP = {OrderStatus.REJECTED.value, OrderStatus.CANCELLED.value}
# Awaiting the results after the cash round gets at least this long, even when the
# budget is spent, so orders the run has already completed are still counted.
RESULT_GRACE_SECONDS = 15.0


@dataclass
class OrderOutcome:
    """One order as the bench saw it.

    Attributes:
        verdict: Seconds from submission to the API's verdict.
        fulfilled_after: Seconds from submission to fulfilled; None if it never was.
        invoices: Its invoices, once fulfilled.
        completed: Its workflow ended with the order COMPLETED.
    """

    order_id: str
    verdict: float
    fulfilled_after: float | None = None
    invoices: list[InvoiceDue] = field(default_factory=list)
    completed: bool = False


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def is_fulfilled(view: dict[str, Any]) -> bool:
    """Every shipment delivered and billed: all that is left is the customer's payment."""
    live = [s for s in view["shipments"] if s["status"] != "VOIDED"]
    return view["status"] == "INVOICED" and all(s["status"] == "DELIVERED" for s in live)


def invoices_due(view: dict[str, Any]) -> list[InvoiceDue]:
    """What the customer owes per invoice: gross, or net for an invoice without tax."""
    return [
        InvoiceDue(
            billing_document=invoice["billing_document"],
            gross=Decimal(str((invoice.get("gross") or invoice["net"])["amount"])),
        )
        for invoice in view["invoices"]
    ]


async def one_order(
    api: httpx.AsyncClient, gate: asyncio.Semaphore, deadline: float
) -> OrderOutcome:
    """Submit one order, then poll its view until it is fulfilled or the deadline."""
    key = uuid.uuid4().hex
    body = {
        "customer_id": "1000001",
        "customer_po": f"BENCH-{key[:12]}",
        "lines": [{"sku": "TG11", "quantity": 1}, {"sku": "TG12", "quantity": 1}],
        "ship_to": SHIP_TO,
    }
    async with gate:
        started = time.monotonic()
        response = await api.post("/orders", json=body, headers={"Idempotency-Key": key})
        verdict = time.monotonic() - started
    if response.status_code != 201:
        raise RuntimeError(f"order refused: {response.status_code} {response.text}")
    outcome = OrderOutcome(order_id=response.json()["order_id"], verdict=verdict)
    # Each poll is a workflow query on the worker: at ~1.5 s per order the poller is
    # part of the load, and fulfilment is timed to within one interval.
    while (left := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(POLL_SECONDS, left))
        try:
            polled = await api.get(f"/orders/{outcome.order_id}")
        except httpx.TransportError:
            continue  # a slow answer under load is not the order's failure
        if polled.status_code != 200:
            continue
        view = polled.json()
        if is_fulfilled(view):
            outcome.fulfilled_after = time.monotonic() - started
            outcome.invoices = invoices_due(view)
            break
        if view["status"] in GIVEN_UP:
            break
    return outcome


async def paced(rate: float, index: int, work: Any) -> OrderOutcome:
    """Open loop: order `index` is submitted at `index / rate` seconds, whatever the
    state of the ones before, as real arrivals are."""
    await asyncio.sleep(index / rate)
    result: OrderOutcome = await work
    return result


async def await_completed(temporal: Client, outcome: OrderOutcome, deadline: float) -> None:
    """Wait on the order's workflow result (a long poll on the server, not on the
    workers) and note whether the order ended COMPLETED."""
    handle = temporal.get_workflow_handle(
        order_workflow_id(outcome.order_id), result_type=OrderView
    )
    timeout = max(RESULT_GRACE_SECONDS, deadline - time.monotonic())
    try:
        view: OrderView = await asyncio.wait_for(handle.result(), timeout=timeout)
    except (TimeoutError, WorkflowFailureError):
        return
    outcome.completed = view.status is OrderStatus.COMPLETED


def note(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


async def run(
    orders: int, concurrency: int, budget_seconds: float, rate: float = 0.0
) -> dict[str, Any]:
    cash: CashRoundResult | None = None
    with tempfile.TemporaryDirectory(prefix="ordermesh-bench-") as tmp:
        stack, ports = disposable_stack(Path(tmp), step_delay_seconds=0.1)
        await stack.start()
        try:
            temporal = await connect(TemporalSettings(address=f"127.0.0.1:{ports.temporal}"))
            async with (
                # The stack's API has the development keys: the portal submits and
                # reads, ops runs cash application.
                httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{ports.api}",
                    headers={"Authorization": f"Bearer {DEV_PORTAL_KEY}"},
                    timeout=60,
                ) as api,
                httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{ports.api}",
                    headers={"Authorization": f"Bearer {DEV_OPS_KEY}"},
                    timeout=60,
                ) as ops,
                httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{ports.mock_bank}", timeout=60
                ) as bank,
            ):
                gate = asyncio.Semaphore(concurrency)
                started = time.monotonic()
                deadline = started + budget_seconds
                work = [one_order(api, gate, deadline) for _ in range(orders)]
                if rate > 0:
                    work = [paced(rate, i, w) for i, w in enumerate(work)]
                outcomes = await asyncio.gather(*work)
                fulfilment_elapsed = time.monotonic() - started
                invoices = [due for outcome in outcomes for due in outcome.invoices]
                fulfilled = sum(o.fulfilled_after is not None for o in outcomes)
                note(f"{fulfilled}/{orders} fulfilled in {fulfilment_elapsed:.1f} s")
                if invoices:
                    try:
                        cash = await cash_round(ops, bank, invoices)
                        note(f"cash round: {cash}")
                    except (RuntimeError, httpx.HTTPError) as err:
                        note(f"cash round failed: {err!r}")
                await asyncio.gather(*(await_completed(temporal, o, deadline) for o in outcomes))
                elapsed = time.monotonic() - started
        finally:
            await stack.stop()
    return summary(orders, concurrency, rate, outcomes, fulfilment_elapsed, cash, elapsed)


def summary(
    orders: int,
    concurrency: int,
    rate: float,
    outcomes: list[OrderOutcome],
    fulfilment_elapsed: float,
    cash: CashRoundResult | None,
    elapsed: float,
) -> dict[str, Any]:
    verdicts = [o.verdict for o in outcomes]
    fulfilments = [o.fulfilled_after for o in outcomes if o.fulfilled_after is not None]
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "orders": orders,
        "concurrency": concurrency,
        "arrival_rate_per_second": rate or "closed loop",
        "verdict_p50_ms": round(percentile(verdicts, 50) * 1000, 1),
        "verdict_p95_ms": round(percentile(verdicts, 95) * 1000, 1),
        "verdict_p99_ms": round(percentile(verdicts, 99) * 1000, 1),
        "verdict_max_ms": round(max(verdicts) * 1000, 1),
        "fulfilled": len(fulfilments),
        "fulfilment_p50_s": round(statistics.median(fulfilments), 2) if fulfilments else None,
        "fulfilled_per_second": round(len(fulfilments) / fulfilment_elapsed, 2),
        "invoices": sum(len(o.invoices) for o in outcomes),
        "cash_credits": cash.credits if cash else None,
        "cash_applied": cash.applied if cash else None,
        "cash_run_seconds": round(cash.run_seconds, 2) if cash else None,
        "cash_applied_per_second": (
            round(cash.applied / cash.run_seconds, 2) if cash and cash.run_seconds else None
        ),
        "completed": sum(o.completed for o in outcomes),
        "wall_seconds": round(elapsed, 1),
    }


def as_markdown(figures: dict[str, Any]) -> str:
    rows = "\n".join(f"| {name} | {value} |" for name, value in figures.items())
    return f"| figure | value |\n| --- | --- |\n{rows}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--budget-seconds", type=float, default=300)
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="orders per second, open loop (default: closed loop at --concurrency)",
    )
    args = parser.parse_args()
    figures = asyncio.run(run(args.orders, args.concurrency, args.budget_seconds, args.rate))
    table = as_markdown(figures)
    print(table)
    out = Path("bench/results")
    out.mkdir(parents=True, exist_ok=True)
    name = f"order_flow_{'open' if args.rate else 'closed'}"
    (out / f"{name}.md").write_text(table)
    (out / f"{name}.json").write_text(json.dumps(figures, indent=2))
    return 0 if figures["completed"] == figures["orders"] else 1


if __name__ == "__main__":
    sys.exit(main())
