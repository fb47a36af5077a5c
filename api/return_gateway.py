"""How the API talks to return workflows: request (with the verdict), read, approve or
refuse, cancel, and hand over the warehouse's receipt."""

import contextlib
import hashlib
from typing import Any, cast

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.workflow_presence import has_ended
from canonical.events import ExecutionEvent
from canonical.returns import ReturnRequest, ReturnView
from runtime.correlation import bound_order
from workflows.return_contracts import (
    APPROVAL_UPDATE,
    AUTHORIZATION_UPDATE,
    RECORD_RETURN_EVENT_UPDATE,
    RETURN_VIEW_QUERY,
    RETURN_WORKFLOW,
    ApprovalDecision,
    ReturnWorkflowInput,
    return_workflow_id,
)


class ReturnNotFound(Exception):
    """No return with that RMA number."""


class ReturnRefused(Exception):
    """The return workflow refused the call; `kind` is the refusal's type."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def derived_rma_id(order_id: str, request: ReturnRequest) -> str:
    """An RMA number from the order and the request, so the same request twice is one
    return (a caller wanting two identical returns names them with `rma_id`)."""
    body = request.model_dump_json(exclude={"rma_id"})
    digest = hashlib.sha256(f"{order_id}\x00{body}".encode()).hexdigest()
    return f"RMA-{digest[:12].upper()}"


class ReturnGateway:
    """Starts and talks to return workflows.

    Args:
        client: The Temporal client.
        task_queue: Where return workflows run.
        erp_task_queue: Where their ERP activities run.
    """

    def __init__(self, client: Client, *, task_queue: str, erp_task_queue: str) -> None:
        self._client = client
        self._task_queue = task_queue
        self._erp_task_queue = erp_task_queue

    async def request(self, order_id: str, request: ReturnRequest) -> ReturnView:
        """Start the return (or join the same one) and answer with its verdict."""
        rma_id = request.rma_id or derived_rma_id(order_id, request)
        start: WithStartWorkflowOperation[Any, Any] = WithStartWorkflowOperation(
            RETURN_WORKFLOW,
            ReturnWorkflowInput(
                rma_id=rma_id,
                order_id=order_id,
                request=request.model_copy(update={"rma_id": rma_id}),
                erp_task_queue=self._erp_task_queue,
            ),
            id=return_workflow_id(rma_id),
            task_queue=self._task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
        try:
            # A return belongs to its order: its spans and log lines say which.
            with bound_order(order_id):
                view = await self._client.execute_update_with_start_workflow(
                    AUTHORIZATION_UPDATE, start_workflow_operation=start, result_type=ReturnView
                )
        except WorkflowAlreadyStartedError:
            with contextlib.suppress(WorkflowAlreadyStartedError):
                await start.workflow_handle()
            return await self.view(rma_id)
        return cast(ReturnView, view)

    async def view(self, rma_id: str) -> ReturnView:
        try:
            view = await self._handle(rma_id).query(RETURN_VIEW_QUERY, result_type=ReturnView)
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise ReturnNotFound(rma_id) from err
            raise
        return cast(ReturnView, view)

    async def decide(self, rma_id: str, decision: ApprovalDecision) -> ReturnView:
        """Approve or refuse a return waiting for approval.

        Raises:
            ReturnNotFound: No such return, or it has ended.
            ReturnRefused: It is not waiting for approval.
        """
        try:
            view = await self._handle(rma_id).execute_update(
                APPROVAL_UPDATE, decision, result_type=ReturnView
            )
        except WorkflowUpdateFailedError as err:
            raise _refusal(err) from err
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise ReturnNotFound(rma_id) from err
            raise
        return cast(ReturnView, view)

    async def cancel(self, rma_id: str) -> None:
        try:
            await self._handle(rma_id).cancel()
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise ReturnNotFound(rma_id) from err
            raise

    async def deliver_event(self, event: ExecutionEvent) -> str:
        """The warehouse's receipt for a return: `accepted`, `duplicate`,
        `unknown_return` or `return_closed`.

        Raises:
            ReturnRefused: The event is not a receipt for this return.
        """
        handle = self._handle(event.rma_id)
        try:
            outcome = await handle.execute_update(
                RECORD_RETURN_EVENT_UPDATE, event, result_type=str
            )
        except WorkflowUpdateFailedError as err:
            raise _refusal(err) from err
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            return "return_closed" if await has_ended(handle) else "unknown_return"
        return cast(str, outcome)

    def _handle(self, rma_id: str) -> WorkflowHandle[object, object]:
        return self._client.get_workflow_handle(return_workflow_id(rma_id))


def _refusal(err: WorkflowUpdateFailedError) -> Exception:
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type:
        return ReturnRefused(cause.type, cause.message)
    return err
