"""The worker's metrics: Temporal's SDK metrics and Ordermesh's own, on one endpoint.

Every metric a worker records goes through its Temporal `Runtime`, the SDK's and ours
alike (activities and workflows record through `activity.metric_meter()` and
`workflow.metric_meter()`, which the runtime owns, and a workflow's are not recorded
again when it replays). `worker_runtime` builds a runtime that serves them all as
Prometheus text at `http://<bind_address>/metrics`, so one scrape of a worker has it
all; the API's business metrics stay at its own `GET /metrics` (`api.metrics`).

Durations are seconds throughout (`durations_as_seconds=True`). Counters carry no
`_total` suffix and names no unit suffix: Temporal's SDK dashboards expect the names
below as they are. Every series carries `service_name="temporal-core-sdk"`.

Ordermesh's metrics (names are the constants of `canonical.metric_names`):

- `ordermesh_step_duration` (histogram, s): one activity attempt, labelled `system`
  (erp, wms, carrier, tms, bank, edi, ordermesh), `step` (the activity type) and
  `outcome` (ok, transient, rejected, cancelled); `workers.step_metrics`.
- `ordermesh_step_retries` (counter): attempts after the first, by `system`, `step`.
- `ordermesh_step_failures` (counter): failed attempts by `system`, `step` and `kind`
  (transient: Temporal retries it; rejected: the outside system said no).
- `ordermesh_order_cycle_duration` (histogram, s): an order's time between
  milestones, labelled `leg` (accepted_to_shipped, shipped_to_invoiced,
  invoiced_to_paid); `workflows.order_metrics`.
- `ordermesh_backorder_age` (histogram, s): how long a backordered line waited, with
  `outcome` released (planned onto a shipment) or cancelled (its window passed).

Activity metrics also carry `namespace`, `task_queue` and `activity_type`; workflow
metrics `namespace`, `task_queue` and `workflow_type` (the SDK adds them).

The SDK's main metrics (prefix `temporal_`): `temporal_request`,
`temporal_request_failure`, `temporal_request_latency` (client calls to the server);
`temporal_workflow_completed`, `_failed`, `_canceled`, `_continue_as_new`,
`temporal_workflow_endtoend_latency`; `temporal_workflow_task_schedule_to_start_latency`,
`temporal_workflow_task_execution_latency`, `temporal_workflow_task_replay_latency`,
`temporal_workflow_task_execution_failed` (a workflow bug or nondeterminism);
`temporal_activity_schedule_to_start_latency` (how long activities wait for a slot:
the ERP queue's backlog), `temporal_activity_execution_latency`,
`temporal_activity_succeed_endtoend_latency`, `temporal_activity_execution_failed`,
`temporal_activity_execution_cancelled`; `temporal_worker_task_slots_available` and
`_used`, `temporal_num_pollers`, `temporal_sticky_cache_size`,
`temporal_sticky_cache_hit`, `temporal_workflow_task_queue_poll_empty`.
"""

from collections.abc import Mapping, Sequence

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from canonical.metric_names import BACKORDER_AGE, ORDER_CYCLE_DURATION, STEP_DURATION


def _minutes(*counts: float) -> tuple[float, ...]:
    return tuple(60.0 * c for c in counts)


def _hours(*counts: float) -> tuple[float, ...]:
    return tuple(3600.0 * c for c in counts)


def _days(*counts: float) -> tuple[float, ...]:
    return tuple(86400.0 * c for c in counts)


# The SDK's default seconds buckets stop at 10 s: right for a step (its timeout is
# 20 s), blind for an order, whose legs take hours to weeks.
HISTOGRAM_BUCKETS: Mapping[str, Sequence[float]] = {
    STEP_DURATION: (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0),
    ORDER_CYCLE_DURATION: _minutes(1, 5, 15) + _hours(1, 4, 12) + _days(1, 2, 4, 7, 14, 30, 60, 90),
    # The default backorder window is 14 days; a longer one lands in the last bucket.
    BACKORDER_AGE: _hours(1, 6, 12) + _days(1, 2, 4, 7, 14, 30),
}


def worker_runtime(bind_address: str | None) -> Runtime:
    """The Temporal runtime a worker process connects with.

    Build it once per process, before connecting (each runtime has its own threads,
    and with an address, its own HTTP server).

    Args:
        bind_address: `host:port` to serve Prometheus text at `/metrics`, e.g.
            `0.0.0.0:9464`; None for the process's default runtime, which records
            nothing.

    Returns:
        The runtime to pass to `Client.connect(..., runtime=...)`.

    Raises:
        ValueError: The address is malformed or cannot be bound (in use, say); the
            SDK's message says which.
    """
    if bind_address is None:
        return Runtime.default()
    return Runtime(
        telemetry=TelemetryConfig(
            metrics=PrometheusConfig(
                bind_address=bind_address,
                durations_as_seconds=True,
                histogram_bucket_overrides=HISTOGRAM_BUCKETS,
            )
        )
    )
