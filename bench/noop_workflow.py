"""The ceiling's bare workflow: N activities that do nothing, one after another.

It has what an order's workflows need of Temporal and nothing of Ordermesh: a
pydantic input through the same data converter, activities run one at a time on the
workflow's task queue with a start-to-close timeout, a result. No outside system,
no signals, updates, children or search attributes. `bench.ceiling` runs it.
"""

from datetime import timedelta

from pydantic import BaseModel, Field
from temporalio import activity, workflow

NOOP_WORKFLOW = "BenchNoop"
NOOP_ACTIVITY = "bench_noop"


class NoopInput(BaseModel):
    """How many no-op activities the workflow runs."""

    activities: int = Field(ge=0, le=1000)


@activity.defn(name=NOOP_ACTIVITY)
async def noop(step: int) -> int:
    return step


@workflow.defn(name=NOOP_WORKFLOW)
class NoopWorkflow:
    @workflow.run
    async def run(self, input: NoopInput) -> int:
        for step in range(input.activities):
            await workflow.execute_activity(
                noop, step, start_to_close_timeout=timedelta(seconds=20)
            )
        return input.activities
