"""The ERP call budget end to end: orders submitted at once never make mock-sap serve
more requests in one second than `ORDERMESH_ERP_CALLS_PER_SECOND`.

A stack of its own (the session's `e2e` one runs the default budget): the budget at 5
calls per second, 30 orders at once. Each order needs about 9 ERP calls on its way to
being invoiced, so the ERP is kept busy at the budget for as long as the test looks;
it looks until every order has its verdict and mock-sap has served ten seconds' worth
of the budget, then reads mock-sap's request log (`bench/erp_rate.py` is the same
measurement at 200 orders).
"""

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bench.erp_rate import api_client, per_second, request_log, stack_env, submit_all
from sandbox.stack import StackPorts, disposable_stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(150)]

LIMIT = 5
ORDERS = 30
# Enough of the log to have seen the budget spent for a while: ten seconds of it.
LOGGED = 10 * LIMIT
DECIDED_SECONDS = 60.0


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[tuple[StackPorts, Path]]:
    stack, ports = disposable_stack(tmp_path, step_delay_seconds=0.3, env=stack_env(LIMIT))
    try:
        await stack.start()
        yield ports, tmp_path / "logs"
    finally:
        await stack.stop()


def log_tail(logs: Path, lines: int = 30) -> str:
    return "\n".join(
        f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
        for log in sorted(logs.glob("*.log"))
    )


async def decided(api: httpx.AsyncClient, order_id: str) -> str:
    """The order's status once the verdict is in (past RECEIVED), waiting for it."""
    deadline = time.monotonic() + DECIDED_SECONDS
    while time.monotonic() < deadline:
        response = await api.get(f"/orders/{order_id}")
        if response.status_code == 200 and response.json()["status"] != "RECEIVED":
            return str(response.json()["status"])
        await asyncio.sleep(1.0)
    return "RECEIVED"


async def test_orders_at_once_stay_within_the_erp_budget(
    limited: tuple[StackPorts, Path],
) -> None:
    ports, logs = limited
    sap_url = f"http://127.0.0.1:{ports.mock_sap}"
    async with api_client(ports.api, ORDERS) as api:
        submitted = await submit_all(api, ORDERS)
        assert all(s.status_code in (201, 202) for s in submitted), [
            s.status_code for s in submitted
        ]
        statuses = await asyncio.gather(*(decided(api, s.order_id) for s in submitted))
        assert all(s not in ("RECEIVED", "REJECTED") for s in statuses), (
            statuses,
            log_tail(logs),
        )
        deadline = time.monotonic() + 40
        rows = await request_log(sap_url)
        while len(rows) < LOGGED and time.monotonic() < deadline:
            await asyncio.sleep(1.0)
            rows = await request_log(sap_url)

    seconds = per_second(rows)
    assert len(rows) >= LOGGED, log_tail(logs)
    assert max(seconds.values()) <= LIMIT, {ts: n for ts, n in seconds.items() if n > LIMIT}
    # and the budget is used, not starved: some second of the log is at the limit
    assert max(seconds.values()) == LIMIT
