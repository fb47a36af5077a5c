"""Connecting to Temporal, the one way every Ordermesh process does it."""

from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime

from runtime.settings import TemporalSettings


async def connect(settings: TemporalSettings, *, runtime: Runtime | None = None) -> Client:
    """A client with the pydantic data converter, which every workflow and activity
    payload in Ordermesh needs, and Temporal's OpenTelemetry interceptor: spans for
    its starts, updates, queries and signals and, on workers made from it, for every
    workflow and activity, all carrying the caller's trace on. Without a tracer
    provider set up (`runtime.telemetry`) those spans cost next to nothing.

    Args:
        settings: Where Temporal is.
        runtime: A Temporal runtime of its own, e.g. one serving SDK metrics
            (`runtime.worker_metrics`); by default the process's shared one.
    """
    return await Client.connect(
        settings.address,
        namespace=settings.namespace,
        data_converter=pydantic_data_converter,
        interceptors=[TracingInterceptor()],
        runtime=runtime,
    )
