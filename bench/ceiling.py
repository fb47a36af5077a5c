"""The ceiling: how many bare workflows a second this machine completes.

`measure_ceiling` starts a worker process for `bench.noop_workflow` against a given
Temporal server (the bench's stack's), starts N bare workflows with K no-op
activities each, at most `concurrency` starts in flight, and times them from the
first start to the last completion (the completion event's time in each history, on
the same machine's clock). The worker has Ordermesh's worker's shape: one Python
process, the pydantic data converter, the SDK's default slots and the default
workflow sandbox; unlike Ordermesh's it has one task queue and no ERP rate limit,
since the no-op activities call nothing. Its peak memory is read before it stops.

    python -m bench.ceiling --serve --address 127.0.0.1:7233   # the worker alone
"""

import argparse
import asyncio
import contextlib
import signal
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from temporalio.client import Client
from temporalio.worker import Worker

from bench.histories import counts_of, per_execution
from bench.memory import peak_mib
from bench.noop_workflow import NOOP_WORKFLOW, NoopInput, NoopWorkflow, noop
from runtime.settings import TemporalSettings
from runtime.temporal import connect

TASK_QUEUE = "bench-ceiling"
READY = b"ready"
STARTUP_SECONDS = 60.0


@dataclass(frozen=True)
class Ceiling:
    """What the bare workflows did.

    Attributes:
        seconds: First start to last completion; None when none completed.
        per_workflow: Mean events, actions and activities per workflow, by
            `bench.histories`' rule.
        worker_peak_mib: The worker process's peak resident memory.
    """

    workflows: int
    activities_each: int
    completed: int
    seconds: float | None
    per_workflow: dict[str, float]
    worker_peak_mib: float | None

    @property
    def per_second(self) -> float | None:
        return round(self.completed / self.seconds, 2) if self.seconds else None


async def serve(address: str, task_queue: str) -> None:
    """Run the bare worker until SIGTERM or SIGINT; print `ready` once it polls."""
    client = await connect(TemporalSettings(address=address))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    worker = Worker(client, task_queue=task_queue, workflows=[NoopWorkflow], activities=[noop])
    async with worker:
        sys.stdout.buffer.write(READY + b"\n")
        sys.stdout.flush()
        await stop.wait()


async def run_bare(
    client: Client, workflows: int, activities: int, concurrency: int, budget_seconds: float
) -> tuple[list[str], datetime]:
    """Start and await the bare workflows; their ids and when the first started."""
    gate = asyncio.Semaphore(concurrency)
    run = uuid.uuid4().hex[:8]
    ids = [f"bench-noop-{run}-{n}" for n in range(workflows)]

    async def one(workflow_id: str) -> None:
        async with gate:
            handle = await client.start_workflow(
                NOOP_WORKFLOW,
                NoopInput(activities=activities),
                id=workflow_id,
                task_queue=TASK_QUEUE,
                result_type=int,
            )
        await handle.result()

    began = datetime.now(UTC)
    # Past the budget the unfinished ones are left running: the histories say which
    # completed, and the stack's server goes with the stack.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(one(i) for i in ids)), budget_seconds)
    return ids, began


async def measure_ceiling(
    client: Client,
    address: str,
    workflows: int,
    activities: int,
    concurrency: int,
    budget_seconds: float,
) -> Ceiling:
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.ceiling",
        "--serve",
        "--address",
        address,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert worker.stdout is not None
        line = await asyncio.wait_for(worker.stdout.readline(), STARTUP_SECONDS)
        if line.strip() != READY:
            raise RuntimeError(f"the ceiling's worker did not start: {line!r}")
        ids, began = await run_bare(client, workflows, activities, concurrency, budget_seconds)
        worker_peak = peak_mib(worker.pid)
    finally:
        if worker.returncode is None:
            worker.terminate()
        try:
            await asyncio.wait_for(worker.wait(), 10)
        except TimeoutError:
            worker.kill()
            await worker.wait()
    counts = await counts_of(client, ids)
    done = [c.completed_at for c in counts if c.completed_at is not None]
    return Ceiling(
        workflows=workflows,
        activities_each=activities,
        completed=len(done),
        seconds=(max(done) - began).total_seconds() if done else None,
        per_workflow=per_execution(counts),
        worker_peak_mib=worker_peak,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--serve", action="store_true", help="run the bare worker")
    parser.add_argument("--address", default="127.0.0.1:7233")
    args = parser.parse_args()
    if not args.serve:
        parser.error("bench.ceiling runs from bench.order_flow; alone it only --serve's")
    asyncio.run(serve(args.address, TASK_QUEUE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
