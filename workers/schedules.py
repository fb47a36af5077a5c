"""The Temporal Schedule that runs cash application, created or brought up to date
when a worker starts (so changing the interval is a restart, not a manual step)."""

import logging
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from runtime.settings import TemporalSettings
from workflows.cash_contracts import CASH_APPLICATION_WORKFLOW, CashRunInput, cash_schedule_id

log = logging.getLogger("ordermesh.worker")


def cash_schedule(temporal: TemporalSettings, account: str, every: timedelta) -> Schedule:
    """Every `every`, one run over `account`; a run still going when the next is due
    makes the next one skip (two runs at once would only race for the same credits)."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            CASH_APPLICATION_WORKFLOW,
            CashRunInput(account=account, erp_task_queue=temporal.erp_task_queue),
            id=f"cash-run-{account}",
            task_queue=temporal.task_queue,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def ensure_cash_schedule(
    client: Client, temporal: TemporalSettings, account: str, every: timedelta
) -> str:
    """Create the schedule, or update it to these settings if it exists. Returns its id."""
    schedule_id = cash_schedule_id(account)
    schedule = cash_schedule(temporal, account, every)
    try:
        await client.create_schedule(schedule_id, schedule)
        log.info("created schedule %s (every %s)", schedule_id, every)
    except ScheduleAlreadyRunningError:

        def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(schedule_id).update(replace)
        log.info("updated schedule %s (every %s)", schedule_id, every)
    return schedule_id
