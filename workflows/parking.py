"""Parking: a forward step that fails for good waits for a person instead of failing
the workflow.

A business rejection, or a transient failure that used up its retry budget, leaves the
step parked: the workflow says what failed (step, error type, message) and waits for
an ops decision. `retry` runs the step again, from exactly where it stopped (ops may
have fixed the data in the outside system meanwhile); `skip` passes it by where the
step allows it. `cancel` is not decided here: the workflow answers it by unwinding,
which reaches the parked wait as a cancellation.

A cancellation request reaches a parked step like any other wait, so Temporal's own
Cancel still unwinds a parked order.
"""

from collections.abc import Awaitable, Callable, Collection
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from canonical.view import ParkedStep
    from workflows.contracts import OpsDecision

R = TypeVar("R")

OnPark = Callable[[ParkedStep], Awaitable[None]]
OnResume = Callable[[ParkedStep, OpsDecision], Awaitable[None]]


class Parking:
    """The parked step of one workflow (steps run one at a time, so at most one).

    Args:
        on_park: Told when a step parks (to record it and tell whoever watches).
        on_resume: Told when a decision lets the workflow go on.
        shipment_id: Stamped on each parked step, for a shipment's workflow.
    """

    def __init__(
        self, on_park: OnPark, on_resume: OnResume, shipment_id: str = "", workflow_id: str = ""
    ) -> None:
        self._on_park, self._on_resume = on_park, on_resume
        self._shipment_id = shipment_id
        self._workflow_id = workflow_id
        self.parked: ParkedStep | None = None
        self._decision: OpsDecision | None = None

    def refusal(self, decision: OpsDecision) -> str | None:
        """Why `decision` cannot be taken now; None when it can."""
        if self.parked is None:
            return "nothing is waiting for a decision"
        if decision.action == "skip" and not self.parked.skippable:
            return f"{self.parked.step} cannot be skipped; retry it or cancel the order"
        return None

    def decide(self, decision: OpsDecision) -> None:
        """Hand a retry or skip to the parked step (checked with `refusal` first)."""
        self._decision = decision

    async def run(
        self,
        step: str,
        call: Callable[[], Awaitable[R]],
        *,
        skippable: bool = False,
        handled: Collection[str] = (),
    ) -> R | None:
        """Run `call` until it succeeds; None when ops skipped it. A rejection whose
        type is in `handled` is raised as it is: the caller acts on it itself."""
        retries = 0
        while True:
            try:
                return await call()
            except ActivityError as err:
                if is_cancelled_exception(err) or _type_of(err) in handled:
                    raise
                error_type, message = _classify(err)
            decision = await self.hold(
                step, error_type, message, retries=retries, skippable=skippable
            )
            if decision.action == "skip":
                return None
            retries += 1

    async def hold(
        self,
        step: str,
        error_type: str,
        message: str,
        *,
        retries: int = 0,
        skippable: bool = False,
    ) -> OpsDecision:
        """Park on a problem found without an activity failing (a partner refused our
        document), and return ops' retry or skip."""
        problem = ParkedStep(
            step=step,
            shipment_id=self._shipment_id,
            workflow_id=self._workflow_id,
            error_type=error_type,
            message=message,
            since=workflow.now(),
            retries=retries,
            skippable=skippable,
        )
        self.parked = problem
        await self._on_park(problem)
        await workflow.wait_condition(lambda: self._decision is not None)
        decision, self._decision = self._decision, None
        assert decision is not None
        self.parked = None
        await self._on_resume(problem, decision)
        return decision


def _type_of(err: ActivityError) -> str | None:
    return err.cause.type if isinstance(err.cause, ApplicationError) else None


def _classify(err: ActivityError) -> tuple[str, str]:
    """The error type and message a parked step shows."""
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type and cause.non_retryable:
        return cause.type, cause.message
    # Retries ran out on a transient failure (or on an unclassified one).
    return "RETRIES_EXHAUSTED", str(cause or err)
