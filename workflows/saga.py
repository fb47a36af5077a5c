"""The saga: every compensation is recorded before its forward step, and undone in
reverse when the order fails or is cancelled.

Recording first matters: if the forward call times out after the outside system
acted, the compensation is already there to undo it. That is why every compensation
must be safe to run when its forward step never happened, and safe to run twice.
"""

import asyncio
from collections.abc import Awaitable, Callable

from temporalio import workflow
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    ChildWorkflowError,
    is_cancelled_exception,
)

from canonical.view import CompensationRecord

Undo = Callable[[], Awaitable[object]]


def is_saga_exit(err: BaseException) -> bool:
    """Failures a saga answers by unwinding: an activity or child that failed for
    good, a business refusal, or a cancellation request. Anything else (a bug, a cache
    eviction) must not compensate: the workflow task is retried instead."""
    return isinstance(err, ActivityError | ChildWorkflowError | ApplicationError) or (
        is_cancelled_exception(err)
    )


def describe_failure(err: BaseException) -> str:
    """What failed, in a line: the innermost cause, with its type when it has one."""
    inner: BaseException = err
    while isinstance(inner, ActivityError | ChildWorkflowError) and inner.cause is not None:
        inner = inner.cause
    kind = getattr(inner, "type", None)
    return f"{kind}: {inner}" if kind else str(inner)


class Saga:
    """A stack of compensations with a record of each, for the order view."""

    def __init__(self) -> None:
        self._stack: list[tuple[CompensationRecord, Undo]] = []
        self.records: list[CompensationRecord] = []
        self.closed = False

    def record(self, step: str, undo: Undo, detail: str = "") -> None:
        """Register `undo` for the step about to run; `detail` names what it is for
        (e.g. the shipment)."""
        entry = CompensationRecord(step=step, detail=detail)
        self._stack.append((entry, undo))
        self.records.append(entry)

    def close(self) -> None:
        """Past the point of no return (goods shipped): nothing is undone any more."""
        for entry, _ in self._stack:
            entry.state = "not_needed"
        self._stack.clear()
        self.closed = True

    async def unwind(self) -> list[CompensationRecord]:
        """Run every compensation, last first. A compensation that fails for good is
        marked `failed` and the rest still run: a half-unwound order is worse than one
        with a named leftover. Returns the records in the order they ran."""
        ran: list[CompensationRecord] = []
        while self._stack:
            entry, undo = self._stack.pop()
            try:
                await undo()
            except ActivityError as err:
                entry.state = "failed"
                entry.detail = f"{entry.detail} {err.cause or err}".strip()
            else:
                entry.state = "done"
            entry.at = workflow.now()
            ran.append(entry)
        return ran


async def until_done_or_undone(
    work: "asyncio.Future[None]",
    cancellable: Callable[[], bool],
    refuse: Callable[[], None],
) -> BaseException | None:
    """Await the saga's forward work, deciding what a cancellation request means.

    The work runs as its own task so that a cancellation request reaches the caller
    first: while `cancellable()` holds, the work is cancelled and the request is
    returned for the caller to unwind; past the point of no return, `refuse()` records
    the refusal and the work goes on. A failure the saga answers (`is_saga_exit`) is
    returned too; anything else (a bug, an eviction) is raised, so nothing compensates
    and the workflow task retries. None when the work finished.
    """
    while True:
        try:
            await asyncio.shield(work)
            return None
        except BaseException as err:
            cancel_request = is_cancelled_exception(err) and not work.done()
            if cancel_request and not cancellable():
                refuse()
                continue
            if cancel_request:
                work.cancel()
                await workflow.wait([work])
            elif not is_saga_exit(err):
                raise
            return err
