"""Ops decisions for one order in NEEDS_ATTENTION: its own parked step, or a
shipment's.

The order's own forward steps park in its `Parking`; a shipment's park in the
shipment's workflow, which reports it. Either way the order shows NEEDS_ATTENTION
with the step, and takes the decision: `retry` and `skip` go to whichever workflow
waits, `cancel` unwinds the whole order (until anything has shipped).
"""

import asyncio
import contextlib
from collections.abc import Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from canonical.view import ParkedStep
    from workflows.contracts import (
        DECIDE_SIGNAL,
        DECISION_REFUSED,
        NOT_PARKED,
        OpsDecision,
        shipment_workflow_id,
    )
    from workflows.order_state import OrderState
    from workflows.parking import Parking

# How long the API's decision waits to see the order go on before answering.
DECISION_SETTLE_TIMEOUT_SECONDS = 30


class OrderAttention:
    """What waits for ops on one order, and what their decisions do.

    Args:
        state: The order's state, where parked steps show.
        on_change: Called when something was parked or resumed (to publish the
            `NeedsAttentionReason` search attribute).
    """

    def __init__(self, state: OrderState, on_change: Callable[[], None]) -> None:
        self._state = state
        self._on_change = on_change
        self.parking = Parking(self._parked, self._resumed)
        self._work: asyncio.Future[None] | None = None
        self.cancelled_by: OpsDecision | None = None

    def watch(self, work: "asyncio.Future[None]") -> None:
        """The order's forward work, which a `cancel` decision cancels."""
        self._work = work

    # -- what waits ---------------------------------------------------------------

    async def _parked(self, problem: ParkedStep) -> None:
        self.note_parked(problem)

    async def _resumed(self, problem: ParkedStep, decision: OpsDecision) -> None:
        self.note_resumed(problem, describe(problem, decision))

    def note_parked(self, problem: ParkedStep) -> None:
        """A step parked, the order's own or (reported) a shipment's."""
        self._state.park(workflow.now(), problem)
        self._on_change()

    def note_resumed(self, problem: ParkedStep, detail: str) -> None:
        """A parked step goes on; `detail` is the decision, as the timeline tells it."""
        self._state.unpark(workflow.now(), problem, detail)
        self._on_change()

    # -- decisions ------------------------------------------------------------------

    def refusal(self, decision: OpsDecision) -> tuple[str, str] | None:
        """Why `decision` cannot be taken, as (error type, message); None if it can."""
        problem = self._state.parked(decision.shipment_id)
        if problem is None:
            where = f" for shipment {decision.shipment_id}" if decision.shipment_id else ""
            return NOT_PARKED, f"nothing waits for a decision{where}"
        if decision.action == "cancel" and self._state.shipped_any():
            return DECISION_REFUSED, (
                "goods already shipped; a shipped order is returned, not cancelled"
                f" (retry {problem.step} instead)"
            )
        if decision.action == "skip" and not problem.skippable:
            return DECISION_REFUSED, (
                f"{problem.step} cannot be skipped; retry it or cancel the order"
            )
        return None

    async def decide(self, decision: OpsDecision, *, settle: bool = False) -> None:
        """Take a decision `refusal` allowed. With `settle`, return only once the
        order has gone on (or after a while, if a shipment is slow to say so)."""
        problem = self._state.parked(decision.shipment_id)
        assert problem is not None
        if decision.action == "cancel":
            self.cancelled_by = decision
            if self._work is not None:
                self._work.cancel()
        elif problem.where:
            child = problem.workflow_id or shipment_workflow_id(problem.shipment_id)
            await workflow.get_external_workflow_handle(child).signal(DECIDE_SIGNAL, decision)
        else:
            self.parking.decide(decision)
        if not settle:
            return
        # Past the timeout the decision is still passed on; the view shows it later.
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: problem not in self._state.view.attention,
                timeout=DECISION_SETTLE_TIMEOUT_SECONDS,
            )


def describe(problem: ParkedStep, decision: OpsDecision) -> str:
    """A decision as the timeline tells it."""
    where = f" of {problem.shipment_id}" if problem.shipment_id else ""
    note = f": {decision.note}" if decision.note else ""
    return f"{decision.action} {problem.step}{where} by {decision.by}{note}"
