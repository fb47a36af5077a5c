"""Following the benches' orders in Temporal's visibility: count queries on the
orders' search attributes every 2 s, which cost the workers nothing (a poll of each
order's view would be a workflow query on the worker, part of the load measured)."""

import asyncio
import time

from temporalio.client import Client

from canonical.statuses import OrderStatus

WATCH_SECONDS = 2.0


def status_query(statuses: tuple[OrderStatus, ...]) -> str:
    names = ", ".join(f"'{s.value}'" for s in statuses)
    return f"WorkflowType = 'OrderToCash' AND OrderStatus IN ({names})"


async def await_count(
    temporal: Client, done: str, given_up: str, expected: int, deadline: float
) -> int:
    """Wait until `expected` workflows match `done` or `given_up` (visibility
    queries), or the deadline (`time.monotonic()`); the number matching `done`."""
    matched = 0
    while True:
        matched = (await temporal.count_workflows(done)).count
        lost = (await temporal.count_workflows(given_up)).count
        if matched + lost >= expected or time.monotonic() >= deadline:
            return matched
        await asyncio.sleep(min(WATCH_SECONDS, max(0.0, deadline - time.monotonic())))
