"""What the metrics tests share: a time-skipping server whose clients and workers
record into a `MetricBuffer`, and a way to read what they recorded."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from temporalio.runtime import (
    BufferedMetricUpdate,
    MetricBuffer,
    MetricBufferDurationFormat,
    Runtime,
    TelemetryConfig,
)
from temporalio.testing import WorkflowEnvironment

from tests.helpers import start_time_skipping


@dataclass
class Recorded:
    """Every metric update a runtime made, kept as it is drained from the buffer."""

    buffer: MetricBuffer
    updates: list[BufferedMetricUpdate] = field(default_factory=list)

    def values(self, name: str, **attributes: str) -> list[float]:
        """The values recorded for `name` whose attributes include `attributes`."""
        self.updates.extend(self.buffer.retrieve_updates())
        return [
            update.value
            for update in self.updates
            if update.metric.name == name
            and all(update.attributes.get(k) == v for k, v in attributes.items())
        ]

    def attribute_sets(self, name: str, *keys: str) -> set[tuple[object, ...]]:
        """The distinct values of `keys` recorded for `name`."""
        self.values(name)
        return {
            tuple(update.attributes.get(k) for k in keys)
            for update in self.updates
            if update.metric.name == name
        }


@asynccontextmanager
async def metered_time_skipping_env() -> AsyncIterator[tuple[WorkflowEnvironment, Recorded]]:
    """A time-skipping server (`tests.helpers.start_time_skipping`), its client (and so every
    worker made from it) on a runtime of its own that buffers metrics, durations in
    seconds as `runtime.worker_metrics` exports them."""
    buffer = MetricBuffer(200_000, MetricBufferDurationFormat.SECONDS)
    runtime = Runtime(telemetry=TelemetryConfig(metrics=buffer), worker_heartbeat_interval=None)
    env = await start_time_skipping(runtime)
    try:
        yield env, Recorded(buffer)
    finally:
        await env.shutdown()
