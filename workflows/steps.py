"""Running activities from a workflow with one set of timeouts and retry budgets.

Forward steps get a bounded budget; when it runs out, or the outside system rejects
the step, the step parks (`workflows.parking`) and waits for ops to retry, skip or
cancel, rather than failing the order. Patient steps (compensations, the verdict) keep
trying: an undo that gives up leaves stock held or an ERP order open. Rejections are
non-retryable and end a patient step at once.
"""

from collections.abc import Collection
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import RetryBudget
    from workflows.parking import Parking

R = TypeVar("R")

STEP_TIMEOUT = timedelta(seconds=20)


class Steps:
    """Runs activities for one workflow.

    Args:
        budget: The retry budget of forward steps.
        erp_task_queue: Where ERP activities run; empty means the workflow's own queue.
        parking: Where forward steps that fail for good wait for a decision; without
            one, they raise.
    """

    def __init__(
        self, budget: RetryBudget, erp_task_queue: str, parking: Parking | None = None
    ) -> None:
        self._erp_task_queue = erp_task_queue or None
        self._parking = parking
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
        handled: Collection[str] = (),
        task_queue: str = "",
    ) -> R:
        """Run one activity. A forward step parks when it fails for good, except for
        the rejection types in `handled`, which the caller acts on itself. `task_queue`
        sends an ERP step to a queue of its own (the verdict's lookups)."""
        if patient or self._parking is None:
            return await self._execute(
                name, arg, result_type, erp=erp, patient=patient, task_queue=task_queue
            )
        result = await self._parking.run(
            name,
            lambda: self._execute(name, arg, result_type, erp=erp, patient=False),
            handled=handled,
        )
        assert result is not None  # not skippable, so never skipped
        return result

    async def run_skippable(
        self, name: str, arg: Any, result_type: type[R], *, erp: bool = False
    ) -> R | None:
        """A forward step ops may skip when it parks (they did it by hand); None then."""
        if self._parking is None:
            return await self._execute(name, arg, result_type, erp=erp, patient=False)
        return await self._parking.run(
            name,
            lambda: self._execute(name, arg, result_type, erp=erp, patient=False),
            skippable=True,
        )

    async def _execute(
        self,
        name: str,
        arg: Any,
        result_type: type[R],
        *,
        erp: bool,
        patient: bool,
        task_queue: str = "",
    ) -> R:
        result: R = await workflow.execute_activity(
            name,
            arg,
            result_type=result_type,
            task_queue=task_queue or (self._erp_task_queue if erp else None),
            start_to_close_timeout=STEP_TIMEOUT,
            retry_policy=self._patient if patient else self._bounded,
        )
        return result
