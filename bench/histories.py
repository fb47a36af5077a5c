"""History events and Temporal Cloud actions per order, counted from the histories.

An order is its `OrderToCash` workflow and every workflow it started as a child
(`Shipment`, and the partner workflows of an EDI order), found through the
`ChildWorkflowExecutionStarted` events and counted with their own children.

Events are every event of those histories. Actions follow Temporal Cloud's billing
rules (https://docs.temporal.io/cloud/actions) as far as a history shows them, one
each:

- a workflow started: `WorkflowExecutionStarted`, a child's included (the client's
  update-with-start is this plus the update below);
- a child workflow started by its parent: `StartChildWorkflowExecutionInitiated` (so
  a child costs two, as Cloud counts it: the spawn and the child's own start);
- an activity attempt: every `ActivityTaskScheduled` counts once per attempt, read
  from the `attempt` of its `ActivityTaskStarted` (a retry is written there, not as
  an event of its own); one never started counts one;
- a timer started: `TimerStarted` (the SDK's timers for `wait_condition` timeouts
  included);
- a signal: `WorkflowExecutionSignaled`, counted where it is received, so a signal
  from the client, the API or another workflow counts once (the sender's
  `SignalExternalWorkflowExecutionInitiated` is not counted again);
- an update: `WorkflowExecutionUpdateAccepted` (the webhooks' `record_event` and
  the submission's verdict);
- a search-attribute upsert: `UpsertWorkflowSearchAttributes`;
- a marker: `MarkerRecorded` (patches, local activities; the Python SDK has no side
  effects).

Not counted, since no history shows them: queries (the API's `GET /orders/{id}`
reads, the bench's own reads of each order once), rejected updates, activity
heartbeats (no Ordermesh activity heartbeats), and the workflows that are not an
order's children (the cash run's `CashApplication`).
"""

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

ACTION_KINDS: dict[EventType.ValueType, str] = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: "workflow started",
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: "child workflow started",
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: "activity attempts",
    EventType.EVENT_TYPE_TIMER_STARTED: "timer started",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: "signal received",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: "update accepted",
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: "search attributes upserted",
    EventType.EVENT_TYPE_MARKER_RECORDED: "marker recorded",
}


@dataclass
class HistoryCounts:
    """What the histories of one or more workflow executions hold.

    Attributes:
        executions: Histories counted.
        events: Their events.
        activities: Activities scheduled (each once, whatever its attempts).
        actions: Actions by kind, as `ACTION_KINDS` names them.
        completed_at: When the first history counted (the order's own) completed;
            None when it has not, or ended otherwise.
        children: Child executions (workflow id, run id) the histories started.
    """

    executions: int = 0
    events: int = 0
    activities: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    completed_at: datetime | None = None
    children: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total_actions(self) -> int:
        return sum(self.actions.values())

    def absorb(self, other: "HistoryCounts") -> None:
        """Add a child's counts to these (the child's completion is not the order's)."""
        self.executions += other.executions
        self.events += other.events
        self.activities += other.activities
        self.actions.update(other.actions)
        self.children += other.children


def count_history(events: Iterable[HistoryEvent]) -> HistoryCounts:
    """Count one execution's history by the rule of the module docstring."""
    counts = HistoryCounts(executions=1)
    attempts: dict[int, int] = {}
    scheduled: list[int] = []
    for event in events:
        counts.events += 1
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled.append(event.event_id)
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = event.activity_task_started_event_attributes
            attempts[started.scheduled_event_id] = started.attempt
        elif kind in ACTION_KINDS:
            counts.actions[ACTION_KINDS[kind]] += 1
        if kind == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
            child = event.child_workflow_execution_started_event_attributes.workflow_execution
            counts.children.append((child.workflow_id, child.run_id))
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
            counts.completed_at = event.event_time.ToDatetime(tzinfo=UTC)
    counts.activities = len(scheduled)
    activity_attempts = sum(max(1, attempts.get(event_id, 1)) for event_id in scheduled)
    if activity_attempts:
        counts.actions[ACTION_KINDS[EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]] = (
            activity_attempts
        )
    return counts


async def execution_counts(
    client: Client, workflow_id: str, gate: asyncio.Semaphore, run_id: str = ""
) -> HistoryCounts:
    """One execution's counts with those of all its children, theirs included."""
    async with gate:
        history = await client.get_workflow_handle(
            workflow_id, run_id=run_id or None
        ).fetch_history()
    counts = count_history(history.events)
    # The gate is held per fetch, not across the children, so a deep tree cannot
    # hold every place while it waits for its own children.
    children = await asyncio.gather(
        *(execution_counts(client, wid, gate, rid) for wid, rid in counts.children)
    )
    for child in children:
        counts.absorb(child)
    return counts


async def counts_of(
    client: Client, workflow_ids: list[str], concurrency: int = 10
) -> list[HistoryCounts]:
    """The counts of each workflow (with its children), `concurrency` fetches at once."""
    gate = asyncio.Semaphore(concurrency)
    return list(await asyncio.gather(*(execution_counts(client, w, gate) for w in workflow_ids)))


def per_execution(counts: list[HistoryCounts]) -> dict[str, float]:
    """Means over the counted orders (or bare workflows): events, actions, activities,
    workflows, and actions by kind."""
    if not counts:
        return {}
    n = len(counts)
    kinds: Counter[str] = Counter()
    for one in counts:
        kinds.update(one.actions)
    means = {
        "events": sum(c.events for c in counts) / n,
        "actions": sum(c.total_actions for c in counts) / n,
        "activities": sum(c.activities for c in counts) / n,
        "workflows": sum(c.executions for c in counts) / n,
    }
    means.update({f"actions: {kind}": total / n for kind, total in sorted(kinds.items())})
    return {name: round(value, 2) for name, value in means.items()}
