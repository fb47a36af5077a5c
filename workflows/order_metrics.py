"""An order's business metrics, recorded by its own workflow: how long each leg of
the cycle took, and how long backordered lines waited.

A watcher runs beside the order's work and wakes whenever the order's state has
something new to report: `workflow.wait_condition` checks it after every change the
workflow makes, in the workflow task that made it, so the time taken is the
`workflow.now()` of the status transition itself. It issues no commands, so it changes
nothing in an order's history (orders started before it existed replay as they did),
and `workflow.metric_meter()` records nothing while a workflow replays.

- `ordermesh_order_cycle_duration{leg}`: from the first moment the order reached one
  milestone to the first it reached the next (`CYCLE_LEGS`). A status is the
  furthest milestone, so one reached together with a later one (in the same
  workflow task) counts as reached then, and its leg is zero.
- `ordermesh_backorder_age{outcome}`: from when a line was backordered until it was
  planned onto a shipment (`released`) or its window passed (`cancelled`).

While the order waits in NEEDS_ATTENTION, progress it makes meanwhile (a delivery
event, say) is timed when it happens: the watcher reads the milestone held beneath.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from canonical.metric_names import BACKORDER_AGE, ORDER_CYCLE_DURATION
    from canonical.shipments import Backorder
    from canonical.statuses import ORDER_MILESTONES, TERMINAL_ORDER_STATUSES, OrderStatus
    from workflows.order_state import OrderState

# (leg, from, to), in the order the legs are run.
CYCLE_LEGS: tuple[tuple[str, OrderStatus, OrderStatus], ...] = (
    ("accepted_to_shipped", OrderStatus.ACCEPTED, OrderStatus.SHIPPED),
    ("shipped_to_invoiced", OrderStatus.SHIPPED, OrderStatus.INVOICED),
    ("invoiced_to_paid", OrderStatus.INVOICED, OrderStatus.PAID),
)
_TIMED = tuple(dict.fromkeys(s for _, start, end in CYCLE_LEGS for s in (start, end)))

_DESCRIPTIONS = {
    ORDER_CYCLE_DURATION: "Time between an order's milestones, by leg.",
    BACKORDER_AGE: "How long a backordered line waited, by outcome.",
}


@dataclass(frozen=True)
class Observation:
    """One value for one histogram."""

    metric: str
    seconds: float
    attributes: dict[str, str] = field(default_factory=dict)


class OrderMetrics:
    """What of an order's progress has been measured; pure, apart from `watching`.

    Args:
        state: The order's state, read, never written.
    """

    def __init__(self, state: OrderState) -> None:
        self._state = state
        self._reached: dict[OrderStatus, datetime] = {}
        self._legs_done: set[str] = set()
        # Backorders are only ever appended to the view: an index names one for good.
        self._aged: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def watching(cls, state: OrderState) -> "OrderMetrics":
        """Metrics for the order, with the watcher that records them running."""
        metrics = cls(state)
        metrics._task = asyncio.ensure_future(metrics._watch())
        return metrics

    def pending(self) -> bool:
        """Whether `observe` has something to report; cheap, as it is asked often."""
        return bool(self._due_milestones() or self._due_backorders())

    def observe(self, now: datetime) -> list[Observation]:
        """What is new since the last call, timed at `now`."""
        for status in self._due_milestones():
            self._reached[status] = now
        observed = []
        for leg, start, end in CYCLE_LEGS:
            if leg in self._legs_done or start not in self._reached or end not in self._reached:
                continue
            self._legs_done.add(leg)
            seconds = (self._reached[end] - self._reached[start]).total_seconds()
            observed.append(Observation(ORDER_CYCLE_DURATION, seconds, {"leg": leg}))
        for i, backorder in self._due_backorders():
            self._aged.add(i)
            seconds = (now - backorder.since).total_seconds()
            observed.append(Observation(BACKORDER_AGE, seconds, {"outcome": backorder.state}))
        return observed

    def _due_milestones(self) -> list[OrderStatus]:
        # `pending` and `observe` share these two, so whatever wakes the watcher is
        # recorded, and the watcher never wakes for nothing.
        status = self._state.milestone
        if status not in ORDER_MILESTONES:
            return []
        index = ORDER_MILESTONES.index(status)
        return [
            timed
            for timed in _TIMED
            if timed not in self._reached and ORDER_MILESTONES.index(timed) <= index
        ]

    def _due_backorders(self) -> list[tuple[int, Backorder]]:
        return [
            (i, backorder)
            for i, backorder in enumerate(self._state.view.backorders)
            if i not in self._aged and backorder.state != "waiting"
        ]

    def _finished(self) -> bool:
        return self._state.status in TERMINAL_ORDER_STATUSES and not self.pending()

    async def _watch(self) -> None:
        meter = workflow.metric_meter()
        histograms = {
            name: meter.create_histogram_float(name, description, "s")
            for name, description in _DESCRIPTIONS.items()
        }
        while not self._finished():
            await workflow.wait_condition(lambda: self.pending() or self._finished())
            for observation in self.observe(workflow.now()):
                histograms[observation.metric].record(
                    max(observation.seconds, 0.0), observation.attributes
                )
