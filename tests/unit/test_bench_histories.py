"""The benchmark's counting rule for history events and Temporal Cloud actions, on
synthetic histories."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import (
    ActivityTaskStartedEventAttributes,
    ChildWorkflowExecutionStartedEventAttributes,
    HistoryEvent,
)
from temporalio.client import Client

from bench.histories import count_history, counts_of, per_execution

DONE_AT = datetime(2026, 3, 2, 10, 30, 5, tzinfo=UTC)


def event(event_id: int, kind: EventType.ValueType, **attributes: object) -> HistoryEvent:
    return HistoryEvent(event_id=event_id, event_type=kind, **attributes)  # type: ignore[arg-type]


def started(event_id: int, scheduled: int, attempt: int) -> HistoryEvent:
    return event(
        event_id,
        EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
        activity_task_started_event_attributes=ActivityTaskStartedEventAttributes(
            scheduled_event_id=scheduled, attempt=attempt
        ),
    )


def workflow_task(first_id: int) -> list[HistoryEvent]:
    return [
        event(first_id, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
        event(first_id + 1, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED),
        event(first_id + 2, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    ]


def order_history() -> list[HistoryEvent]:
    """An order started by update-with-start: an activity that took three attempts,
    one cancelled before it started, a child, a signal in and one out, a timer, two
    upserts, a marker, and its completion."""
    completed = event(22, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
    completed.event_time.FromDatetime(DONE_AT)
    return [
        event(1, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
        *workflow_task(2),
        event(5, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED),
        event(6, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
        started(7, scheduled=6, attempt=3),
        event(8, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED),
        event(9, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED),
        event(10, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
        event(11, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED),
        event(
            12,
            EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
            child_workflow_execution_started_event_attributes=(
                ChildWorkflowExecutionStartedEventAttributes(
                    workflow_execution=WorkflowExecution(workflow_id="ship-1", run_id="run-1")
                )
            ),
        ),
        event(13, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
        event(14, EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED),
        event(15, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
        event(16, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED),
        event(17, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED),
        event(18, EventType.EVENT_TYPE_TIMER_STARTED),
        event(19, EventType.EVENT_TYPE_TIMER_FIRED),
        event(20, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
        event(21, EventType.EVENT_TYPE_MARKER_RECORDED),
        completed,
    ]


def shipment_history() -> list[HistoryEvent]:
    return [
        event(1, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
        *workflow_task(2),
        event(5, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
        started(6, scheduled=5, attempt=1),
        event(7, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED),
        event(8, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
        event(9, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
    ]


def test_each_billable_event_counts_once_and_an_activity_once_per_attempt() -> None:
    counts = count_history(order_history())

    assert counts.events == 22
    assert counts.activities == 2
    assert dict(counts.actions) == {
        "workflow started": 1,
        "update accepted": 1,
        "activity attempts": 4,  # three attempts, and one cancelled before it started
        "search attributes upserted": 2,
        "child workflow started": 1,
        "signal received": 1,  # the signal sent out is counted where it is received
        "timer started": 1,
        "marker recorded": 1,
    }
    assert counts.total_actions == 12
    assert counts.children == [("ship-1", "run-1")]
    assert counts.completed_at == DONE_AT


def test_a_history_that_did_not_complete_has_no_completion_time() -> None:
    running = count_history(order_history()[:-1])

    assert running.completed_at is None
    assert running.total_actions == 12


@dataclass
class FakeHistory:
    events: list[HistoryEvent]


class FakeHandle:
    def __init__(self, events: list[HistoryEvent]) -> None:
        self._events = events

    async def fetch_history(self) -> FakeHistory:
        return FakeHistory(self._events)


class FakeClient:
    """Histories by workflow id; remembers which run each fetch asked for."""

    def __init__(self, histories: dict[str, list[HistoryEvent]]) -> None:
        self._histories = histories
        self.fetched: list[tuple[str, str | None]] = []

    def get_workflow_handle(self, workflow_id: str, run_id: str | None = None) -> FakeHandle:
        self.fetched.append((workflow_id, run_id))
        return FakeHandle(self._histories[workflow_id])


async def test_an_order_counts_with_its_children_and_keeps_its_own_completion() -> None:
    fake = FakeClient({"order-1": order_history(), "ship-1": shipment_history()})

    # Only `get_workflow_handle(...).fetch_history()` of a client is used.
    [counts] = await counts_of(cast(Client, fake), ["order-1"])

    assert fake.fetched == [("order-1", None), ("ship-1", "run-1")]
    assert counts.executions == 2
    assert counts.events == 22 + 9
    assert counts.activities == 3
    assert counts.actions["workflow started"] == 2
    assert counts.actions["signal received"] == 2
    assert counts.total_actions == 12 + 3
    assert counts.completed_at == DONE_AT


def test_means_per_order() -> None:
    one = count_history(order_history())
    other = count_history(shipment_history())

    means = per_execution([one, other])

    assert means["events"] == (22 + 9) / 2
    assert means["actions"] == (12 + 3) / 2
    assert means["activities"] == 1.5
    assert means["workflows"] == 1
    assert means["actions: activity attempts"] == 2.5
    assert per_execution([]) == {}
