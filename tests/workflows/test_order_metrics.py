"""An order's business metrics, recorded by its workflow on a time-skipping server
whose runtime buffers them: the cycle legs, backorder ages, nothing on replay."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import MetricBuffer, Runtime, TelemetryConfig
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from adapters.wms.fake import FakeWms
from canonical.metric_names import BACKORDER_AGE, ORDER_CYCLE_DURATION
from canonical.statuses import OrderStatus
from tests.metrics_support import Recorded, metered_time_skipping_env
from tests.workflows.support import result_of, running_stack, ship_through, until
from workers.registry import WORKFLOWS
from workflows.contracts import STOCK_ARRIVED_SIGNAL, StockArrival

HOUR = 3600.0
DAY = 24 * HOUR
# What the test itself takes between the server's clock moves, generously.
SLACK = 120.0


@pytest.fixture(scope="module")
async def metered() -> AsyncIterator[tuple[WorkflowEnvironment, Recorded]]:
    async with metered_time_skipping_env() as pair:
        yield pair


def _about(values: list[float], seconds: float) -> bool:
    """One value, `seconds` plus whatever the test's own steps took."""
    return len(values) == 1 and seconds <= values[0] < seconds + SLACK


async def test_each_leg_of_the_cycle_is_timed_once_from_status_to_status(
    metered: tuple[WorkflowEnvironment, Recorded],
) -> None:
    env, recorded = metered
    async with running_stack(env.client) as stack:
        _, handle = await stack.submit("CYCLE-1")
        await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        await env.sleep(timedelta(hours=2))  # the warehouse takes its time
        await ship_through(handle, "CYCLE-1-S1", at=await env.get_current_time())
        await until(handle, lambda v: v.status is OrderStatus.INVOICED)
        await env.sleep(timedelta(days=1))  # the customer pays the next day
        result = await result_of(handle)
        assert result.status is OrderStatus.COMPLETED

        legs = {"task_queue": stack.task_queue}
        shipped = recorded.values(ORDER_CYCLE_DURATION, **legs, leg="accepted_to_shipped")
        invoiced = recorded.values(ORDER_CYCLE_DURATION, **legs, leg="shipped_to_invoiced")
        paid = recorded.values(ORDER_CYCLE_DURATION, **legs, leg="invoiced_to_paid")
        assert _about(shipped, 2 * HOUR), shipped
        assert _about(invoiced, 0), invoiced  # billed as it ships
        assert _about(paid, DAY), paid
        assert recorded.values(BACKORDER_AGE, **legs) == []
        history = await handle.fetch_history()

    # Replaying the order (what a worker does after a restart) records nothing again.
    buffer = MetricBuffer(10_000)
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=pydantic_data_converter,
        runtime=Runtime(telemetry=TelemetryConfig(metrics=buffer), worker_heartbeat_interval=None),
    )
    await replayer.replay_workflow(history)
    assert Recorded(buffer).values(ORDER_CYCLE_DURATION) == []


async def test_a_backorder_released_by_stock_is_aged_from_backorder_to_release(
    metered: tuple[WorkflowEnvironment, Recorded],
) -> None:
    env, recorded = metered
    wms = FakeWms(on_hand={("W1", "TG11"): 10})  # TG12 waits
    async with running_stack(env.client, wms=wms) as stack:
        _, handle = await stack.submit("AGE-1")
        view = await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        assert [b.state for b in view.backorders] == ["waiting"]
        await env.sleep(timedelta(days=3))
        stack.wms.set_stock("W3", "TG12", 5)
        await handle.signal(STOCK_ARRIVED_SIGNAL, StockArrival(warehouse="W3", skus=["TG12"]))
        await until(handle, lambda v: [b.state for b in v.backorders] == ["released"])

        ages = {"task_queue": stack.task_queue}
        assert _about(recorded.values(BACKORDER_AGE, **ages, outcome="released"), 3 * DAY)
        assert recorded.values(BACKORDER_AGE, **ages, outcome="cancelled") == []
        # Nothing has shipped in full yet: no leg is over.
        assert recorded.values(ORDER_CYCLE_DURATION, **ages) == []


async def test_a_backorder_past_its_window_is_aged_to_its_cancellation(
    metered: tuple[WorkflowEnvironment, Recorded],
) -> None:
    env, recorded = metered
    wms = FakeWms(on_hand={("W1", "TG11"): 10})
    async with running_stack(env.client, wms=wms) as stack:
        _, handle = await stack.submit("AGE-2")
        await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        await ship_through(handle, "AGE-2-S1", at=await env.get_current_time())
        await env.sleep(timedelta(days=15))  # the window is 14 days
        result = await result_of(handle)
        assert [b.state for b in result.backorders] == ["cancelled"]

        ages = {"task_queue": stack.task_queue}
        assert _about(recorded.values(BACKORDER_AGE, **ages, outcome="cancelled"), 14 * DAY)
        # The order counts as shipped once the line it waited for was given up.
        shipped = recorded.values(ORDER_CYCLE_DURATION, **ages, leg="accepted_to_shipped")
        assert _about(shipped, 14 * DAY), shipped
