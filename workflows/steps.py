"""Running activities from a workflow with one set of timeouts and retry budgets.

Forward steps get a bounded budget, so an outside system that stays down fails the
order (and unwinds it) rather than holding stock for ever. Patient steps
(compensations, the verdict) keep trying: an undo that gives up leaves stock held or
an ERP order open. Rejections are non-retryable and end either kind at once.
"""

from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import RetryBudget

R = TypeVar("R")

STEP_TIMEOUT = timedelta(seconds=20)


class Steps:
    """Runs activities for one workflow.

    Args:
        budget: The retry budget of forward steps.
        erp_task_queue: Where ERP activities run; empty means the workflow's own queue.
    """

    def __init__(self, budget: RetryBudget, erp_task_queue: str) -> None:
        self._erp_task_queue = erp_task_queue or None
        self._bounded = RetryPolicy(
            initial_interval=timedelta(seconds=budget.initial_interval_seconds),
            backoff_coefficient=2.0,
            maximum_interval=timedelta(seconds=budget.maximum_interval_seconds),
            maximum_attempts=budget.maximum_attempts,
        )
        self._patient = RetryPolicy(
            initial_interval=timedelta(seconds=budget.initial_interval_seconds),
            backoff_coefficient=2.0,
            maximum_interval=timedelta(seconds=2 * budget.maximum_interval_seconds),
        )

    async def run(
        self,
        name: str,
        arg: Any,
        result_type: type[R],
        *,
        erp: bool = False,
        patient: bool = False,
    ) -> R:
        result: R = await workflow.execute_activity(
            name,
            arg,
            result_type=result_type,
            task_queue=self._erp_task_queue if erp else None,
            start_to_close_timeout=STEP_TIMEOUT,
            retry_policy=self._patient if patient else self._bounded,
        )
        return result
