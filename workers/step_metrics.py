"""Step metrics: how long each activity attempt took, how it ended, and how often
steps are retried, per outside system.

A worker interceptor records them through `activity.metric_meter()`, so they go out
with Temporal's own metrics on the worker's runtime (`runtime.worker_metrics`, where
the names and buckets are). Each attempt is one observation: a step that fails once
and then succeeds records a `transient` and an `ok` duration, one failure and one
retry.

How an attempt that raised is classified, as Temporal will treat it:

- `rejected`: the outside system said no, and retrying will not help. A
  non-retryable `ApplicationError` (what `activities.errors` makes of an adapter's
  `RejectionError`, and what activities raise for their own refusals), an error
  whose type the step's retry policy names non-retryable, or a `RejectionError` that
  escaped unconverted (a bug, but still a refusal).
- `transient`: anything else, which Temporal retries (`TransientError`, timeouts,
  and unexpected errors alike).
- `cancelled`: the activity was cancelled (the workflow asked, or the worker is
  shutting down); not counted as a failure.
"""

import asyncio
import time
from collections.abc import Mapping
from typing import Any, Literal

from temporalio import activity
from temporalio.common import MetricMeter, RetryPolicy
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from adapters.errors import RejectionError
from canonical.metric_names import STEP_DURATION, STEP_FAILURES, STEP_RETRIES
from workers.registry import ACTIVITY_SYSTEMS

Outcome = Literal["ok", "transient", "rejected", "cancelled"]

# An activity the table does not know still gets its metrics, under this system; the
# registry's test keeps the table complete.
UNKNOWN_SYSTEM = "other"


class StepMetricsInterceptor(Interceptor):
    """Records `ordermesh_step_duration`, `ordermesh_step_retries` and
    `ordermesh_step_failures` for every activity the worker runs.

    Args:
        systems: Activity type -> the outside system it talks to.
    """

    def __init__(self, systems: Mapping[str, str] = ACTIVITY_SYSTEMS) -> None:
        self._systems = systems

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _StepMetrics(next, self._systems)


class _StepMetrics(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, systems: Mapping[str, str]) -> None:
        super().__init__(next)
        self._systems = systems

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        meter = activity.metric_meter()
        step = {
            "system": self._systems.get(info.activity_type, UNKNOWN_SYSTEM),
            "step": info.activity_type,
        }
        if info.attempt > 1:
            meter.create_counter(STEP_RETRIES, "Activity attempts after the first.").add(1, step)
        started = time.monotonic()
        # Whatever else ends an attempt (an activity completing asynchronously raises a
        # BaseException of its own) is not the step's end, and is not recorded.
        try:
            result = await self.next.execute_activity(input)
        except asyncio.CancelledError:
            _record_duration(meter, step, "cancelled", started)
            raise
        except Exception as err:
            kind = failure_kind(err, info.retry_policy)
            meter.create_counter(
                STEP_FAILURES, "Failed activity attempts, transient or rejected."
            ).add(1, {**step, "kind": kind})
            _record_duration(meter, step, kind, started)
            raise
        _record_duration(meter, step, "ok", started)
        return result


def _record_duration(
    meter: MetricMeter, step: Mapping[str, str], outcome: Outcome, started: float
) -> None:
    meter.create_histogram_float(
        STEP_DURATION, "One activity attempt, by system, step and outcome.", "s"
    ).record(time.monotonic() - started, {**step, "outcome": outcome})


def failure_kind(err: Exception, policy: RetryPolicy | None) -> Literal["transient", "rejected"]:
    """`rejected` for a refusal Temporal will not retry (or, unconverted, should
    not); `transient` for what it retries."""
    if isinstance(err, RejectionError):
        return "rejected"
    if isinstance(err, ApplicationError):
        if err.non_retryable:
            return "rejected"
        error_type = err.type or ""  # an untyped one matches no retry-policy type
    else:
        error_type = type(err).__name__
    if policy is not None and error_type in (policy.non_retryable_error_types or ()):
        return "rejected"
    return "transient"
