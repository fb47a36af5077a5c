"""`make bench`: the embedded stack under a bounded load, with figures printed.

Starts the same processes as `make run` on free ports in a temporary folder (the
sandbox with short delays), submits N orders at a given concurrency to 127.0.0.1,
and reports the verdict latency (p50/p95/p99/max), the time from submission to
COMPLETED, and orders completed per second. Writes a Markdown table and a JSON file
to `bench/results/`. Bounded in count and time; stops by itself.

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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client

from runtime.settings import TemporalSettings
from runtime.temporal import connect
from sandbox.stack import disposable_stack
from workflows.contracts import order_workflow_id

SHIP_TO = {"name": "Bench", "street": "Bench 1", "city": "Berlin", "country": "DE"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def one_order(
    api: httpx.AsyncClient, temporal: Client, gate: asyncio.Semaphore, deadline: float
) -> tuple[float, float | None]:
    """(seconds to the verdict, seconds to COMPLETED or None)."""
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
    # Waiting on the workflow's result is a long poll on the server; polling the
    # view would load the workers with queries and measure the poller.
    handle = temporal.get_workflow_handle(order_workflow_id(response.json()["order_id"]))
    try:
        await asyncio.wait_for(handle.result(), timeout=max(0.0, deadline - time.monotonic()))
    except TimeoutError:
        return verdict, None
    return verdict, time.monotonic() - started


async def paced(rate: float, index: int, work: Any) -> tuple[float, float | None]:
    """Open loop: order `index` is submitted at `index / rate` seconds, whatever the
    state of the ones before, as real arrivals are."""
    await asyncio.sleep(index / rate)
    result: tuple[float, float | None] = await work
    return result


async def run(
    orders: int, concurrency: int, budget_seconds: float, rate: float = 0.0
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ordermesh-bench-") as tmp:
        stack, ports = disposable_stack(Path(tmp), step_delay_seconds=0.1)
        await stack.start()
        try:
            temporal = await connect(TemporalSettings(address=f"127.0.0.1:{ports.temporal}"))
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{ports.api}", timeout=60
            ) as api:
                gate = asyncio.Semaphore(concurrency)
                started = time.monotonic()
                work = [
                    one_order(api, temporal, gate, started + budget_seconds) for _ in range(orders)
                ]
                if rate > 0:
                    work = [paced(rate, i, w) for i, w in enumerate(work)]
                results = await asyncio.gather(*work)
                elapsed = time.monotonic() - started
        finally:
            await stack.stop()
    verdicts = [v for v, _ in results]
    completions = [c for _, c in results if c is not None]
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "orders": orders,
        "concurrency": concurrency,
        "arrival_rate_per_second": rate or "closed loop",
        "verdict_p50_ms": round(percentile(verdicts, 50) * 1000, 1),
        "verdict_p95_ms": round(percentile(verdicts, 95) * 1000, 1),
        "verdict_p99_ms": round(percentile(verdicts, 99) * 1000, 1),
        "verdict_max_ms": round(max(verdicts) * 1000, 1),
        "completed": len(completions),
        "completion_p50_s": round(statistics.median(completions), 2) if completions else None,
        "completed_per_second": round(len(completions) / elapsed, 2),
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
