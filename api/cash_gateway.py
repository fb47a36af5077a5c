"""How the API runs cash application: a run now, an ops decision on unapplied cash.

Both are workflows (the scheduled run's own, and `CashDecisionWorkflow`), waited for
here, so the answer says what was applied; a decision the workflow refuses comes back
as `CashDecisionRefused` with the refusal's type for the route to map to a status.
"""

import uuid

from temporalio.client import Client, WorkflowFailureError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.cash_contracts import (
    CASH_APPLICATION_WORKFLOW,
    CASH_DECISION_WORKFLOW,
    CashDecisionInput,
    CashRunInput,
    CashRunResult,
    cash_decision_workflow_id,
)


class CashDecisionRefused(Exception):
    """The decision could not be applied; `kind` is the refusal's type."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class CashGateway:
    """Starts cash-application workflows and waits for their result.

    Args:
        client: The Temporal client.
        task_queue: Where workflows run.
        erp_task_queue: Where their ERP activities run.
        account: The bank account cash application reads.
    """

    def __init__(self, client: Client, task_queue: str, erp_task_queue: str, account: str) -> None:
        self._client = client
        self._task_queue = task_queue
        self._erp_task_queue = erp_task_queue
        self.account = account

    async def run_now(self) -> CashRunResult:
        """One run, started now and waited for."""
        result: CashRunResult = await self._client.execute_workflow(
            CASH_APPLICATION_WORKFLOW,
            CashRunInput(account=self.account, erp_task_queue=self._erp_task_queue),
            id=f"cash-run-{self.account}-manual-{uuid.uuid4().hex[:12]}",
            task_queue=self._task_queue,
            result_type=CashRunResult,
        )
        return result

    async def decide(
        self, unapplied_id: int, invoices: list[str], decided_by: str
    ) -> CashRunResult:
        """Apply unapplied cash to `invoices`; a concurrent request for the same item
        joins the running decision.

        Raises:
            CashDecisionRefused: Unknown item, already decided, or invoices not open.
        """
        try:
            result: CashRunResult = await self._client.execute_workflow(
                CASH_DECISION_WORKFLOW,
                CashDecisionInput(
                    unapplied_id=unapplied_id,
                    invoices=invoices,
                    decided_by=decided_by,
                    erp_task_queue=self._erp_task_queue,
                ),
                id=cash_decision_workflow_id(unapplied_id),
                task_queue=self._task_queue,
                result_type=CashRunResult,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            )
        except WorkflowFailureError as err:
            cause: BaseException | None = err.cause
            while isinstance(cause, ActivityError) and cause.cause is not None:
                cause = cause.cause
            if isinstance(cause, ApplicationError) and cause.type:
                raise CashDecisionRefused(cause.type, cause.message) from err
            raise
        return result
