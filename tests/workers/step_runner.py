"""A workflow that runs one activity, for tests of what workers record around
activities (kept apart from the tests so the sandbox imports little)."""

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

RUN_STEP_WORKFLOW = "RunStep"


@workflow.defn(name=RUN_STEP_WORKFLOW)
class RunStepWorkflow:
    """Runs activity `step` with `arg`, at most `attempts` times, 10 ms apart."""

    @workflow.run
    async def run(self, step: str, arg: dict[str, Any], attempts: int) -> None:
        await workflow.execute_activity(
            step,
            arg,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(milliseconds=10),
                backoff_coefficient=1.0,
                maximum_attempts=attempts,
            ),
        )
