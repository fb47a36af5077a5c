"""Step metrics, as a worker with `StepMetricsInterceptor` records them: real
warehouse activities over the fake WMS, on a time-skipping server whose runtime
buffers every metric; and the worker runtime's Prometheus endpoint, scraped."""

import asyncio
import dataclasses
import socket
import urllib.request
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.runtime import MetricBuffer, Runtime, TelemetryConfig
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Worker

from activities.contracts import CheckStockInput, ShipmentInput
from activities.warehouse import WarehouseActivities
from adapters.errors import RejectionError, TransientError
from adapters.wms.fake import FakeWms
from canonical.metric_names import STEP_DURATION, STEP_FAILURES, STEP_RETRIES
from canonical.quantities import UnitOfMeasure
from canonical.shipments import Shipment, ShipmentLine
from runtime.worker_metrics import worker_runtime
from sandbox.stack import free_port
from tests.metrics_support import Recorded, metered_time_skipping_env
from tests.workers.step_runner import RUN_STEP_WORKFLOW, RunStepWorkflow
from workers.step_metrics import StepMetricsInterceptor, failure_kind


@pytest.fixture(scope="module")
async def metered() -> AsyncIterator[tuple[WorkflowEnvironment, Recorded]]:
    async with metered_time_skipping_env() as pair:
        yield pair


@asynccontextmanager
async def warehouse_worker(client: Client, wms: FakeWms) -> AsyncIterator[str]:
    """A worker with the step interceptor and the warehouse activities; its queue."""
    warehouse = WarehouseActivities(wms)
    task_queue = f"tq-{uuid.uuid4()}"
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[RunStepWorkflow],
        activities=[warehouse.check_stock, warehouse.reserve_inventory],
        interceptors=[StepMetricsInterceptor()],
    ):
        yield task_queue


async def run_step(client: Client, task_queue: str, step: str, arg: Any, attempts: int = 3) -> None:
    await client.execute_workflow(
        RUN_STEP_WORKFLOW,
        args=[step, arg.model_dump(mode="json"), attempts],
        id=f"step-{uuid.uuid4()}",
        task_queue=task_queue,
    )


def _reservation(quantity: int) -> ShipmentInput:
    return ShipmentInput(
        order_id="M-1",
        shipment=Shipment(
            shipment_id="M-1-S1",
            warehouse="W1",
            lines=[
                ShipmentLine(
                    line_no=10, sku="TG11", quantity=Decimal(quantity), uom=UnitOfMeasure.PC
                )
            ],
        ),
    )


async def test_a_step_that_succeeds_records_one_ok_duration_and_nothing_else(
    metered: tuple[WorkflowEnvironment, Recorded],
) -> None:
    env, recorded = metered
    async with warehouse_worker(env.client, FakeWms(on_hand={("W1", "TG11"): 5})) as queue:
        await run_step(env.client, queue, "check_stock", CheckStockInput(skus=["TG11"]))

    step = {"task_queue": queue, "system": "wms", "step": "check_stock"}
    (seconds,) = recorded.values(STEP_DURATION, **step)
    assert 0 <= seconds < 5
    assert recorded.attribute_sets(STEP_DURATION, "task_queue", "outcome") >= {(queue, "ok")}
    assert recorded.values(STEP_RETRIES, task_queue=queue) == []
    assert recorded.values(STEP_FAILURES, task_queue=queue) == []


async def test_a_transient_failure_is_counted_and_its_retry_too(
    metered: tuple[WorkflowEnvironment, Recorded],
) -> None:
    env, recorded = metered
    wms = FakeWms(on_hand={("W1", "TG11"): 5})
    wms.fail_next("stock", TransientError("WMS busy", system="wms"))
    async with warehouse_worker(env.client, wms) as queue:
        await run_step(env.client, queue, "check_stock", CheckStockInput(skus=["TG11"]))

    step = {"task_queue": queue, "system": "wms", "step": "check_stock"}
    assert len(recorded.values(STEP_DURATION, **step, outcome="transient")) == 1
    assert len(recorded.values(STEP_DURATION, **step, outcome="ok")) == 1
    assert recorded.values(STEP_FAILURES, **step, kind="transient") == [1]
    assert recorded.values(STEP_FAILURES, **step, kind="rejected") == []
    assert recorded.values(STEP_RETRIES, **step) == [1]


async def test_a_rejection_is_counted_once_and_never_retried(
    metered: tuple[WorkflowEnvironment, Recorded],
) -> None:
    env, recorded = metered
    wms = FakeWms(on_hand={("W1", "TG11"): 2})
    async with warehouse_worker(env.client, wms) as queue:
        with pytest.raises(WorkflowFailureError):
            await run_step(env.client, queue, "reserve_inventory", _reservation(quantity=9))

    step = {"task_queue": queue, "system": "wms", "step": "reserve_inventory"}
    assert len(recorded.values(STEP_DURATION, **step, outcome="rejected")) == 1
    assert recorded.values(STEP_DURATION, **step, outcome="ok") == []
    assert recorded.values(STEP_FAILURES, **step, kind="rejected") == [1]
    assert recorded.values(STEP_FAILURES, **step, kind="transient") == []
    assert recorded.values(STEP_RETRIES, **step) == []


async def test_transient_failures_that_use_up_the_attempts_stay_transient(
    metered: tuple[WorkflowEnvironment, Recorded],
) -> None:
    env, recorded = metered
    wms = FakeWms(on_hand={("W1", "TG11"): 5})
    wms.fail_next("stock", TransientError("WMS down", system="wms"), times=5)
    async with warehouse_worker(env.client, wms) as queue:
        with pytest.raises(WorkflowFailureError):
            await run_step(
                env.client, queue, "check_stock", CheckStockInput(skus=["TG11"]), attempts=2
            )

    step = {"task_queue": queue, "system": "wms", "step": "check_stock"}
    assert recorded.values(STEP_FAILURES, **step, kind="transient") == [1, 1]
    assert recorded.values(STEP_RETRIES, **step) == [1]
    assert len(recorded.values(STEP_DURATION, **step, outcome="transient")) == 2


class _Raising(ActivityInboundInterceptor):
    """The rest of the chain, as an activity that raises `err`."""

    def __init__(self, err: BaseException) -> None:
        self._err = err

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        raise self._err


async def _attempt(err: BaseException, retry_policy: RetryPolicy | None = None) -> Recorded:
    """One attempt of `buy_label` that raises `err`, outside any worker."""
    buffer = MetricBuffer(1000)
    env = ActivityEnvironment()
    env.metric_meter = Runtime(
        telemetry=TelemetryConfig(metrics=buffer), worker_heartbeat_interval=None
    ).metric_meter
    env.info = dataclasses.replace(
        env.info, activity_type="buy_label", attempt=1, retry_policy=retry_policy
    )
    inbound = StepMetricsInterceptor().intercept_activity(_Raising(err))

    async def attempt() -> None:
        await inbound.execute_activity(
            ExecuteActivityInput(fn=attempt, args=[], executor=None, headers={})
        )

    with pytest.raises(type(err)):
        await env.run(attempt)
    return Recorded(buffer)


async def test_a_cancelled_attempt_is_timed_but_not_a_failure() -> None:
    recorded = await _attempt(asyncio.CancelledError())
    assert len(recorded.values(STEP_DURATION, system="carrier", outcome="cancelled")) == 1
    assert recorded.values(STEP_FAILURES) == []


async def test_an_error_type_the_retry_policy_refuses_counts_as_rejected() -> None:
    policy = RetryPolicy(non_retryable_error_types=["LABEL_REFUSED"])
    recorded = await _attempt(ApplicationError("no", type="LABEL_REFUSED"), policy)
    assert recorded.values(STEP_FAILURES, system="carrier", kind="rejected") == [1]


def test_failures_are_classified_as_temporal_treats_them() -> None:
    assert failure_kind(TransientError("timeout"), None) == "transient"
    assert failure_kind(ValueError("a bug"), None) == "transient"
    assert failure_kind(ApplicationError("later"), None) == "transient"
    assert failure_kind(ApplicationError("no", non_retryable=True), None) == "rejected"
    assert failure_kind(RejectionError("no", code="UNKNOWN_CUSTOMER"), None) == "rejected"
    refusing = RetryPolicy(non_retryable_error_types=["ValueError"])
    assert failure_kind(ValueError("named"), refusing) == "rejected"


def test_without_an_address_the_default_runtime_is_used() -> None:
    assert worker_runtime(None) is Runtime.default()


async def test_the_worker_runtime_serves_sdk_and_step_metrics_in_seconds(
    metered: tuple[WorkflowEnvironment, Recorded],
) -> None:
    env, _ = metered
    address = f"127.0.0.1:{free_port()}"
    client = await Client.connect(
        env.client.service_client.config.target_host,
        namespace=env.client.namespace,
        data_converter=pydantic_data_converter,
        runtime=worker_runtime(address),
    )
    async with warehouse_worker(client, FakeWms(on_hand={("W1", "TG11"): 5})) as queue:
        await run_step(client, queue, "check_stock", CheckStockInput(skus=["TG11"]))
        text = await asyncio.to_thread(_scrape, address)

    ours = [
        line
        for line in text.splitlines()
        if line.startswith(f"{STEP_DURATION}_bucket{{") and f'task_queue="{queue}"' in line
    ]
    assert ours, text
    assert all('system="wms"' in line and 'outcome="ok"' in line for line in ours)
    # Our buckets, in seconds: a step of a few milliseconds is inside 1 s.
    assert any('le="1"' in line and line.endswith(" 1") for line in ours)
    for sdk_metric in (
        "temporal_activity_execution_latency_bucket",
        "temporal_workflow_completed",
        "temporal_request",
    ):
        assert any(line.startswith(sdk_metric) for line in text.splitlines()), sdk_metric


def _scrape(address: str) -> str:
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=5) as response:
        body: bytes = response.read()
        return body.decode()


def test_an_address_in_use_is_refused_at_once() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        host, port = taken.getsockname()
        with pytest.raises(ValueError, match="Prometheus"):
            worker_runtime(f"{host}:{port}")
