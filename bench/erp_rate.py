"""`make bench-erp`: does the ERP call budget hold when orders arrive all at once?

Starts the embedded stack (as `make run`, on free ports in a temporary folder, the
sandbox at 0.1 s a step, the cash schedule off) with `ORDERMESH_ERP_CALLS_PER_SECOND`
set to `--limit`, submits `--orders` orders to `POST /orders` at the same moment
(one connection each, from 127.0.0.1; a 503, the order engine too busy to answer in
time, is sent again with the same `Idempotency-Key` after 2 s, 4 s, ..., as a portal
would, up to six tries), and waits until every order is fulfilled as far as the ERP
is concerned: `INVOICED` or beyond (its sales order, outbound delivery, billing
document and receivable are in SAP). It watches that in Temporal's visibility (one
count query every 2 s, which costs the workers nothing), then reads each order's
view once.

Then it reads mock-sap's request log (`GET /_mock/requests`: one row per HTTP request
it served, any kind, stamped to the second) and reports: ERP calls in all and per
order, the most in any one second of the log and when, the configured limit, how
much of the budget the run used, orders accepted and fulfilled, and the wall time.
mock-sap stamps to the second, so a sliding 1-second window over its log is a
second of it; `adapters.erp.rate_limit` explains why the bound holds for any
window. Writes `bench/results/erp_rate.{md,json}`. Bounded by `--budget-seconds`;
stops by itself; exits 0 only when every order was fulfilled and no second of the
log went over the limit.

    python -m bench.erp_rate --orders 200 --limit 20
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.report import write_results
from bench.submission import Submitted, note, order_body, submit
from bench.visibility import await_count, status_query
from canonical.statuses import OrderStatus
from runtime.settings import TemporalSettings
from runtime.temporal import connect
from sandbox.stack import disposable_stack

CUSTOMER = "1000001"
API_KEY = "bench-portal"
# The API's keys for the run: one portal, scoped to the bench's customer.
API_KEYS = f"portal:{CUSTOMER}:{API_KEY}"
# An order the ERP is done with: billed, then only the customer's payment is left.
FULFILLED = (OrderStatus.INVOICED, OrderStatus.PAID, OrderStatus.COMPLETED)
GIVEN_UP = (OrderStatus.REJECTED, OrderStatus.CANCELLED, OrderStatus.NEEDS_ATTENTION)
LOG_LIMIT = 1_000_000
READ_CONCURRENCY = 10


def stack_env(limit: float) -> dict[str, str]:
    """What the bench's stack runs with: the ERP budget, and the bench's API key."""
    return {"ORDERMESH_ERP_CALLS_PER_SECOND": str(limit), "ORDERMESH_API_KEYS": API_KEYS}


def api_client(port: int, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=60,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )


async def submit_one(api: httpx.AsyncClient, start: asyncio.Event, n: int) -> Submitted:
    await start.wait()
    return await submit(api, order_body(CUSTOMER, f"ERP-{n:04d}"))


async def submit_all(api: httpx.AsyncClient, orders: int) -> list[Submitted]:
    """Every submission connected and waiting, then all let go at once."""
    start = asyncio.Event()
    tasks = [asyncio.ensure_future(submit_one(api, start, n)) for n in range(orders)]
    await asyncio.sleep(0)
    start.set()
    return list(await asyncio.gather(*tasks))


async def final_statuses(api: httpx.AsyncClient, order_ids: list[str]) -> Counter[str]:
    """Each order's status as its view shows it, once."""
    gate = asyncio.Semaphore(READ_CONCURRENCY)

    async def one(order_id: str) -> str:
        async with gate:
            try:
                response = await api.get(f"/orders/{order_id}")
            except httpx.HTTPError:
                return "unreadable"
        return str(response.json()["status"]) if response.status_code == 200 else "unreadable"

    return Counter(await asyncio.gather(*(one(o) for o in order_ids)))


async def request_log(sap_base_url: str) -> list[dict[str, Any]]:
    """mock-sap's request log, oldest first (its control plane is not logged)."""
    async with httpx.AsyncClient(base_url=sap_base_url, timeout=60) as sap:
        response = await sap.get("/_mock/requests", params={"limit": LOG_LIMIT})
        response.raise_for_status()
        rows: list[dict[str, Any]] = response.json()["results"]
    return sorted(rows, key=lambda row: int(row["id"]))


def per_second(rows: list[dict[str, Any]]) -> Counter[str]:
    """Requests per second of the log (its stamps are to the second)."""
    return Counter(str(row["ts"]) for row in rows)


def peak_second(rows: list[dict[str, Any]]) -> tuple[int, str]:
    """The most requests in one second of the log, and which second (the first of
    them when several tie)."""
    counts = per_second(rows)
    if not counts:
        return 0, ""
    most = max(counts.values())
    return most, min(ts for ts, n in counts.items() if n == most)


def busy_seconds(rows: list[dict[str, Any]]) -> int:
    """Seconds from the log's first request to its last, both counted."""
    if not rows:
        return 0
    stamps = [datetime.fromisoformat(str(row["ts"]).replace("Z", "+00:00")) for row in rows]
    return int((max(stamps) - min(stamps)).total_seconds()) + 1


def by_kind(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Requests by method and service (or RFC function), most first."""

    def kind(row: dict[str, Any]) -> str:
        parts = [p for p in str(row["path"]).split("/") if p]
        service = next((p for p in parts if p.startswith("API_") or p.startswith("BAPI_")), "")
        if str(row["path"]).rstrip("/").endswith(service) and service.startswith("API_"):
            service += " (CSRF fetch / service root)"
        return f"{row['method']} {service or '/'.join(parts[-2:])}"

    return dict(Counter(kind(row) for row in rows).most_common())


async def run(orders: int, limit: float, budget_seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ordermesh-bench-erp-") as tmp:
        stack, ports = disposable_stack(Path(tmp), step_delay_seconds=0.1, env=stack_env(limit))
        await stack.start()
        try:
            temporal = await connect(TemporalSettings(address=f"127.0.0.1:{ports.temporal}"))
            async with api_client(ports.api, orders) as api:
                started = time.monotonic()
                deadline = started + budget_seconds
                submitted = await submit_all(api, orders)
                verdicts_done = time.monotonic() - started
                order_ids = [s.order_id for s in submitted if s.order_id]
                note(f"{len(order_ids)}/{orders} accepted or pending in {verdicts_done:.1f} s")
                fulfilled = await await_count(
                    temporal,
                    status_query(FULFILLED),
                    status_query(GIVEN_UP),
                    len(order_ids),
                    deadline,
                )
                wall = time.monotonic() - started
                note(f"{fulfilled}/{len(order_ids)} fulfilled in {wall:.1f} s")
                statuses = await final_statuses(api, order_ids)
            rows = await request_log(f"http://127.0.0.1:{ports.mock_sap}")
        finally:
            await stack.stop()
    return summary(orders, limit, submitted, statuses, rows, wall)


def summary(
    orders: int,
    limit: float,
    submitted: list[Submitted],
    statuses: Counter[str],
    rows: list[dict[str, Any]],
    wall: float,
) -> dict[str, Any]:
    fulfilled = sum(statuses[s.value] for s in FULFILLED)
    peak, peak_at = peak_second(rows)
    seconds = busy_seconds(rows)
    answers = Counter(s.status_code for s in submitted)
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "orders_submitted_at_once": orders,
        "verdicts_201_accepted": answers[201],
        "verdicts_202_pending": answers[202],
        "verdicts_refused": orders - answers[201] - answers[202],
        "submissions_tried_again": sum(s.attempts > 1 for s in submitted),
        "verdict_p50_s": round(statistics.median(s.verdict_seconds for s in submitted), 2),
        "verdict_max_s": round(max(s.verdict_seconds for s in submitted), 2),
        "orders_fulfilled": fulfilled,
        "final_statuses": dict(statuses.most_common()),
        "configured_limit_calls_per_second": limit,
        "erp_calls_total": len(rows),
        "erp_calls_per_order": round(len(rows) / fulfilled, 2) if fulfilled else None,
        "peak_calls_in_one_second": peak,
        "peak_second": peak_at,
        "seconds_over_limit": sum(n > limit for n in per_second(rows).values()),
        "erp_busy_seconds": seconds,
        "mean_calls_per_busy_second": round(len(rows) / seconds, 2) if seconds else 0,
        "erp_errors_5xx": sum(int(row["status"] or 0) >= 500 for row in rows),
        "calls_by_kind": by_kind(rows),
        "log_resolution": "1 s (mock-sap stamps to the second)",
        "wall_seconds": round(wall, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--limit", type=float, default=20.0, help="ERP calls per second")
    parser.add_argument("--budget-seconds", type=float, default=600.0)
    args = parser.parse_args()
    if not 0 < args.orders <= 1000 or not args.limit > 0:
        parser.error("--orders must be 1..1000 and --limit positive")
    figures = asyncio.run(run(args.orders, args.limit, args.budget_seconds))
    print(write_results("erp_rate", figures))
    held = figures["peak_calls_in_one_second"] <= args.limit
    return 0 if held and figures["orders_fulfilled"] == args.orders else 1


if __name__ == "__main__":
    sys.exit(main())
