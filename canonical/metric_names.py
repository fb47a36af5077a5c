"""Names of the metrics workers record, shared by the workflows and activities that
record them and the runtime that serves them (`runtime.worker_metrics` says what
each one measures)."""

STEP_DURATION = "ordermesh_step_duration"
STEP_RETRIES = "ordermesh_step_retries"
STEP_FAILURES = "ordermesh_step_failures"
ORDER_CYCLE_DURATION = "ordermesh_order_cycle_duration"
BACKORDER_AGE = "ordermesh_backorder_age"
