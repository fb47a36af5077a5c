"""`make bench`: N orders through the embedded stack, and the same server's ceiling.

Starts the same processes as `make run` on free ports in a temporary folder, with the
sandbox's warehouse and carrier at zero latency (every step delay 0 s, no added
latency), the cash schedule off, and two changes, both in the table:

- the ERP call budget (`ORDERMESH_ERP_CALLS_PER_SECOND`) is `--erp-calls-per-second`
  (200 by default): at its production default of 20/s, 500 orders of ~9 ERP calls
  each would measure the budget (~4 minutes of it) rather than Ordermesh. It
  protects a real ERP; the one here is mock-sap on this machine. The table gives the
  busiest second of mock-sap's log, to show how far the run stayed from it.
- the Temporal dev server keeps its state in memory, not in its SQLite file: the
  folder is thrown away after the run anyway, and on the file the server's writes
  bound the run (the ceiling drops to about half), so 500 orders would not fit in ten
  minutes. `--temporal-file` runs it on the file, as `make run` does.

Tracing is on, as in `make run` (every span written to the stack's `traces-*.jsonl`);
`--no-tracing` turns the SDK off in every process (`OTEL_SDK_DISABLED`), to measure
what tracing costs.

Then, in one run, against 127.0.0.1 only:

1. Submits `--orders` orders to `POST /orders` (`bench.submission`), at most
   `--concurrency` requests in flight. The acceptance latency is each request's
   time to its answer (201 with the verdict, or 202 when the verdict took longer than
   the API waits), a 503's tries again included.
2. Waits until every accepted order is INVOICED or beyond (Temporal visibility,
   `bench.visibility`), reads each order's view once for its invoices, then runs the
   cash round of `bench.cash_round`: every invoice paid at mock-bank, the bank's day
   closed, one `POST /cash/run`.
3. Waits until every order is COMPLETED: delivered, billed, paid and cleared, its
   workflow closed. That is "done". Orders completed per second run from the first
   submission to the last order's completion (its history's completion event), so
   they include the one cash round, which starts only once every order is billed,
   as a nightly cash run would; the table also gives orders invoiced per second
   (first submission until visibility counts every order INVOICED, to within 2 s).
4. Fetches every order's history with its children's and counts events and actions
   per order (`bench.histories` gives the rule), reads mock-sap's request log for the
   ERP calls per order (every request it served: the verdict's lookups, the writes,
   the cash run's clearing), and the peak resident memory and CPU time of every
   process of the stack (`bench.memory`).
5. Runs the ceiling (`bench.ceiling`): as many bare workflows as orders were
   accepted, each with as many no-op activities as an order scheduled on average, on
   the same Temporal server, with the same concurrency: what this machine's Temporal
   and one Python worker can do at all. The table gives Ordermesh's rates over the
   ceiling's: orders completed per second (the cash round's wait included) and
   orders invoiced per second (by then every activity of an order has run).

Prints the table and writes `bench/results/order_flow.{md,json}`. Bounded: at most
800 orders (the sandbox's stock of each SKU), `--budget-seconds` for the orders and
`CEILING_SECONDS` for the ceiling; stops by itself; exits 0 only when every order and
every bare workflow completed.

    python -m bench.order_flow --orders 500 --concurrency 20 --erp-calls-per-second 200
"""

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client

from api.auth import DEV_OPS_KEY, DEV_PORTAL_KEY
from bench.cash_round import CashRoundResult, InvoiceDue, cash_round
from bench.ceiling import Ceiling, measure_ceiling
from bench.erp_rate import FULFILLED, GIVEN_UP, peak_second, request_log
from bench.histories import HistoryCounts, counts_of, per_execution
from bench.memory import cpu_seconds_by_name, peaks_mib
from bench.report import latency_ms, machine, per_second, write_results
from bench.submission import Submitted, note, order_body, submit
from bench.visibility import await_count, status_query
from runtime.settings import TemporalSettings
from runtime.temporal import connect
from sandbox.stack import Stack, StackPorts, disposable_stack
from workflows.contracts import order_workflow_id

CUSTOMER = "1000001"
MAX_ORDERS = 800
CEILING_SECONDS = 120.0
READ_CONCURRENCY = 10
COMPLETED = "WorkflowType = 'OrderToCash' AND OrderStatus = 'COMPLETED'"
COMPLETED += " AND ExecutionStatus = 'Completed'"


@dataclass
class OrdersRun:
    """What the orders did, as the bench saw it.

    Attributes:
        began: Wall-clock time of the first submission.
        invoiced_seconds: From `began` until visibility counted every order invoiced
            (or the budget ran out).
    """

    submitted: list[Submitted]
    began: float
    invoiced: int
    invoiced_seconds: float
    cash: CashRoundResult | None
    completed: int


def client(port: int, key: str | None, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {key}"} if key else {},
        timeout=60,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )


def invoices_due(view: dict[str, Any]) -> list[InvoiceDue]:
    """What the customer owes per invoice: gross, or net for an invoice without tax."""
    return [
        InvoiceDue(
            billing_document=invoice["billing_document"],
            gross=Decimal(str((invoice.get("gross") or invoice["net"])["amount"])),
        )
        for invoice in view["invoices"]
    ]


async def invoices_of(api: httpx.AsyncClient, order_ids: list[str]) -> list[InvoiceDue]:
    """Each order's invoices, from its view read once (a workflow query each)."""
    gate = asyncio.Semaphore(READ_CONCURRENCY)

    async def one(order_id: str) -> list[InvoiceDue]:
        async with gate:
            response = await api.get(f"/orders/{order_id}")
        return invoices_due(response.json()) if response.status_code == 200 else []

    return [due for dues in await asyncio.gather(*(one(o) for o in order_ids)) for due in dues]


async def drive_orders(
    temporal: Client,
    ports: StackPorts,
    orders: int,
    concurrency: int,
    budget_seconds: float,
) -> OrdersRun:
    deadline = time.monotonic() + budget_seconds
    async with (
        # The stack's API has the development keys: the portal submits and reads,
        # ops runs cash application.
        client(ports.api, DEV_PORTAL_KEY, concurrency + READ_CONCURRENCY) as api,
        client(ports.api, DEV_OPS_KEY, 2) as ops,
        client(ports.mock_bank, None, 20) as bank,
    ):
        gate = asyncio.Semaphore(concurrency)
        submitted = await asyncio.gather(
            *(submit(api, order_body(CUSTOMER, f"BENCH-{n:04d}"), gate) for n in range(orders))
        )
        began = min(s.started_at for s in submitted)
        order_ids = [s.order_id for s in submitted if s.order_id]
        note(f"{len(order_ids)}/{orders} accepted or pending in {time.time() - began:.1f} s")
        invoiced = await await_count(
            temporal,
            status_query(FULFILLED),
            status_query(GIVEN_UP),
            len(order_ids),
            deadline,
        )
        invoiced_seconds = time.time() - began
        note(f"{invoiced}/{len(order_ids)} invoiced in {invoiced_seconds:.1f} s")
        cash: CashRoundResult | None = None
        invoices = await invoices_of(api, order_ids)
        if invoices:
            try:
                cash = await cash_round(ops, bank, invoices)
                note(f"cash round: {cash}")
            except (RuntimeError, httpx.HTTPError) as err:
                note(f"cash round failed: {err!r}")
        completed = await await_count(
            temporal, COMPLETED, status_query(GIVEN_UP), len(order_ids), deadline
        )
        note(f"{completed}/{len(order_ids)} completed in {time.time() - began:.1f} s")
    return OrdersRun(submitted, began, invoiced, invoiced_seconds, cash, completed)


def temporal_in_memory(stack: Stack) -> None:
    """Run the stack's Temporal dev server without its SQLite file."""
    service = stack.services["temporal"]
    argv = list(service.argv)
    at = argv.index("--db-filename")
    del argv[at : at + 2]
    stack.services["temporal"] = replace(service, argv=argv)


async def run(
    orders: int,
    concurrency: int,
    erp_calls_per_second: float,
    budget_seconds: float,
    temporal_file: bool,
    tracing: bool = True,
) -> dict[str, Any]:
    started = time.monotonic()
    settings = {
        "machine": machine(),
        "sandbox": "zero latency (step delays 0 s)",
        "temporal_store": "SQLite file" if temporal_file else "in memory",
        "erp_calls_per_second_budget": erp_calls_per_second,
        "tracing": "on (every span to traces-*.jsonl)" if tracing else "off",
        "orders": orders,
        "concurrency (requests in flight)": concurrency,
    }
    env = {"ORDERMESH_ERP_CALLS_PER_SECOND": str(erp_calls_per_second)}
    if not tracing:
        # The SDK's own switch: its tracers become no-ops, so nothing is recorded or sent.
        env["OTEL_SDK_DISABLED"] = "true"
    with tempfile.TemporaryDirectory(prefix="ordermesh-bench-") as tmp:
        stack, ports = disposable_stack(Path(tmp), step_delay_seconds=0.0, env=env)
        if not temporal_file:
            temporal_in_memory(stack)
        await stack.start()
        try:
            temporal = await connect(TemporalSettings(address=f"127.0.0.1:{ports.temporal}"))
            flow = await drive_orders(temporal, ports, orders, concurrency, budget_seconds)
            # Read before the ceiling runs on the same server, so the server's peak
            # is the orders'.
            pids = {name: p.pid for name, p in stack.processes.items()}
            processes = {
                "peak_memory_mib": peaks_mib(pids),
                "cpu_seconds (stack start to last order)": cpu_seconds_by_name(pids),
            }
            rows = await request_log(f"http://127.0.0.1:{ports.mock_sap}")
            order_ids = [s.order_id for s in flow.submitted if s.order_id]
            counts = await counts_of(temporal, [order_workflow_id(o) for o in order_ids])
            activities = round(per_execution(counts).get("activities", 0))
            note(f"ceiling: {len(order_ids)} bare workflows of {activities} no-op activities")
            ceiling = await measure_ceiling(
                temporal,
                f"127.0.0.1:{ports.temporal}",
                len(order_ids),
                activities,
                concurrency,
                CEILING_SECONDS,
            )
            note(f"ceiling: {ceiling.completed} completed in {ceiling.seconds} s")
        finally:
            await stack.stop()
    return (
        settings
        | order_figures(flow, counts, rows)
        | processes
        | ceiling_figures(ceiling, flow, counts)
        | {"bench_wall_s": round(time.monotonic() - started, 1)}
    )


def completed_seconds(flow: OrdersRun, counts: list[HistoryCounts]) -> float | None:
    """From the first submission to the last order's completion event."""
    done = [c.completed_at.timestamp() for c in counts if c.completed_at is not None]
    return max(done) - flow.began if done else None


def order_figures(
    flow: OrdersRun, counts: list[HistoryCounts], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    answers = [s.status_code for s in flow.submitted]
    accepted = sum(code in (201, 202) for code in answers)
    seconds = completed_seconds(flow, counts)
    peak, peak_at = peak_second(rows)
    cash = flow.cash
    return {
        "answered_201_accepted": answers.count(201),
        "answered_202_pending": answers.count(202),
        "refused": len(answers) - accepted,
        "submissions_tried_again": sum(s.attempts > 1 for s in flow.submitted),
        **latency_ms([s.verdict_seconds for s in flow.submitted if s.order_id], "acceptance"),
        "invoiced": flow.invoiced,
        "invoiced_per_second": per_second(flow.invoiced, flow.invoiced_seconds),
        "cash_round_credits_applied": cash.applied if cash else None,
        "cash_run_seconds": round(cash.run_seconds, 1) if cash else None,
        "completed": flow.completed,
        "first_submission_to_last_completed_s": round(seconds, 1) if seconds else None,
        "completed_per_second": per_second(flow.completed, seconds),
        "per_order (order + child workflows)": per_execution(counts),
        "erp_calls_total": len(rows),
        "erp_calls_per_order": round(len(rows) / accepted, 2) if accepted else None,
        "erp_peak_calls_in_one_second": f"{peak} at {peak_at}",
    }


def ceiling_figures(
    ceiling: Ceiling, flow: OrdersRun, counts: list[HistoryCounts]
) -> dict[str, Any]:
    """The ceiling, and Ordermesh's rates over it: completed (the cash round's wait
    included) and invoiced (every activity of an order done by then)."""
    completed = per_second(flow.completed, completed_seconds(flow, counts))
    invoiced = per_second(flow.invoiced, flow.invoiced_seconds)

    def over_ceiling(rate: float | None) -> float | None:
        return round(rate / ceiling.per_second, 3) if rate and ceiling.per_second else None

    return {
        "ceiling_workflows": ceiling.workflows,
        "ceiling_completed": ceiling.completed,
        "ceiling_activities_each": ceiling.activities_each,
        "ceiling_seconds": round(ceiling.seconds, 1) if ceiling.seconds else None,
        "ceiling_per_second": ceiling.per_second,
        "ceiling_per_workflow": ceiling.per_workflow,
        "ceiling_worker_peak_mib": ceiling.worker_peak_mib,
        "completed_over_ceiling": over_ceiling(completed),
        "invoiced_over_ceiling": over_ceiling(invoiced),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20, help="requests in flight")
    parser.add_argument(
        "--erp-calls-per-second",
        type=float,
        default=200.0,
        help="the ERP call budget of the bench's stack (production default 20)",
    )
    parser.add_argument(
        "--budget-seconds", type=float, default=420.0, help="for the orders, ceiling apart"
    )
    parser.add_argument(
        "--temporal-file",
        action="store_true",
        help="the Temporal dev server on its SQLite file, as `make run` (default: in memory)",
    )
    parser.add_argument(
        "--no-tracing",
        action="store_true",
        help="the processes record no spans (default: traced, as in `make run`)",
    )
    args = parser.parse_args()
    if not 0 < args.orders <= MAX_ORDERS or not 0 < args.concurrency <= args.orders:
        parser.error(f"--orders must be 1..{MAX_ORDERS}, --concurrency 1..--orders")
    if not args.erp_calls_per_second > 0:
        parser.error("--erp-calls-per-second must be positive")
    figures = asyncio.run(
        run(
            args.orders,
            args.concurrency,
            args.erp_calls_per_second,
            args.budget_seconds,
            args.temporal_file,
            tracing=not args.no_tracing,
        )
    )
    print(write_results("order_flow", figures))
    all_bare = figures["ceiling_completed"] == figures["ceiling_workflows"]
    return 0 if figures["completed"] == args.orders and all_bare else 1


if __name__ == "__main__":
    sys.exit(main())
