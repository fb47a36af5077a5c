"""How the API talks to order workflows: start-with-verdict, view, cancel.

Routes stay about HTTP; this module is about Temporal, and maps its errors to the
few outcomes routes need to tell apart.
"""

import asyncio
import contextlib
import hashlib
import re
import time
from datetime import timedelta
from typing import Any, cast

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.metrics import ApiMetrics
from api.workflow_presence import has_ended
from canonical.events import ExecutionEvent
from canonical.orders import OrderSubmission
from canonical.statuses import OrderStatus
from canonical.view import OrderView
from canonical.x12.answers import PartnerOrder
from runtime.correlation import bound_order
from workflows.contracts import (
    DECIDE_UPDATE,
    DECISION_REFUSED,
    NOT_PARKED,
    ORDER_TO_CASH_WORKFLOW,
    RECORD_EVENT_UPDATE,
    STOCK_ARRIVED_SIGNAL,
    SUBMIT_UPDATE,
    UNKNOWN_SHIPMENT,
    VERDICT_QUERY,
    VIEW_QUERY,
    OpsDecision,
    OrderToCashInput,
    StockArrival,
    SubmitVerdict,
    order_workflow_id,
)

# SKUs go into a visibility query: only plain ones, so nothing can be injected.
_SAFE_SKU = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


class OrderNotFound(Exception):
    """No order with that id."""


class DecisionRefused(Exception):
    """The order cannot take that decision now (nothing waits, or not that one)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VerdictPending(Exception):
    """The order is received but not judged yet (the ERP is slow or down)."""

    def __init__(self, order_id: str) -> None:
        super().__init__(order_id)
        self.order_id = order_id


def derived_order_id(customer_id: str, idempotency_key: str) -> str:
    """An order id from the caller's idempotency key, scoped to the customer so two
    customers' keys never collide."""
    digest = hashlib.sha256(f"{customer_id}\x00{idempotency_key}".encode()).hexdigest()
    return f"OM-{digest[:16].upper()}"


class OrderGateway:
    """Starts, reads and cancels order workflows.

    Args:
        client: A Temporal client with the pydantic data converter.
        task_queue: Where order workflows run.
        erp_task_queue: Passed to each workflow for its ERP activities.
        erp_lookup_task_queue: Passed to each workflow for its verdict's lookups.
        metrics: Where submissions and their verdicts are counted.
        warehouse_preference: Passed to each workflow.
        verdict_timeout: How long a submission waits for its verdict.
    """

    def __init__(
        self,
        client: Client,
        *,
        task_queue: str,
        erp_task_queue: str,
        warehouse_preference: list[str],
        verdict_timeout: timedelta,
        erp_lookup_task_queue: str = "",
        metrics: ApiMetrics | None = None,
    ) -> None:
        self._metrics = metrics
        self._client = client
        self._task_queue = task_queue
        self._erp_task_queue = erp_task_queue
        self._erp_lookup_task_queue = erp_lookup_task_queue
        self._warehouse_preference = warehouse_preference
        self._verdict_timeout = verdict_timeout

    async def submit(self, order_id: str, submission: OrderSubmission) -> SubmitVerdict:
        """Start the order (or join the one already started) and wait for its verdict.

        Raises:
            VerdictPending: No verdict within the timeout; the order stays RECEIVED.
        """
        began = time.monotonic()
        try:
            with bound_order(order_id):
                verdict = await self._submit(order_id, submission)
        except VerdictPending:
            self._count(submission, "pending", began)
            raise
        outcome = "rejected" if verdict.status is OrderStatus.REJECTED else "accepted"
        self._count(submission, outcome, began)
        return verdict

    def _count(self, submission: OrderSubmission, verdict: str, began: float) -> None:
        if self._metrics is not None:
            self._metrics.verdict(submission.channel.value, verdict, time.monotonic() - began)

    async def _submit(self, order_id: str, submission: OrderSubmission) -> SubmitVerdict:
        start: WithStartWorkflowOperation[Any, Any] = WithStartWorkflowOperation(
            ORDER_TO_CASH_WORKFLOW,
            self._input(order_id, submission),
            id=order_workflow_id(order_id),
            task_queue=self._task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            # A closed order is never started again by a repeated submission.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
        try:
            return await asyncio.wait_for(
                self._client.execute_update_with_start_workflow(
                    SUBMIT_UPDATE,
                    start_workflow_operation=start,
                    # No fixed update id: each submission asks afresh, so a repeat
                    # gets the order as it is now. The workflow id is what makes
                    # repeats one order.
                    result_type=SubmitVerdict,
                ),
                timeout=self._verdict_timeout.total_seconds(),
            )
        except WorkflowAlreadyStartedError:
            # The start operation holds the same error; read it so it is not
            # reported as never retrieved.
            with contextlib.suppress(WorkflowAlreadyStartedError):
                await start.workflow_handle()
            verdict = await self.verdict(order_id)
            if verdict is None:
                raise VerdictPending(order_id) from None
            return verdict
        except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
            # `wait_for` cancels the update call on timeout, and the client turns that
            # cancellation into its own error, which `wait_for` then raises as it is.
            raise VerdictPending(order_id) from None

    async def start(
        self, order_id: str, submission: OrderSubmission, partner: PartnerOrder | None = None
    ) -> bool:
        """Start an order without waiting for its verdict (an EDI partner hears it in
        the 855). False when the order exists already: the same PO again."""
        try:
            with bound_order(order_id):
                await self._client.start_workflow(
                    ORDER_TO_CASH_WORKFLOW,
                    self._input(order_id, submission, partner),
                    id=order_workflow_id(order_id),
                    task_queue=self._task_queue,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                )
        except WorkflowAlreadyStartedError:
            return False
        if self._metrics is not None:
            self._metrics.received(submission.channel.value)
        return True

    async def verdict(self, order_id: str) -> SubmitVerdict | None:
        result = await self._query(order_id, VERDICT_QUERY, SubmitVerdict | None)
        return cast(SubmitVerdict | None, result)

    async def view(self, order_id: str) -> OrderView:
        return cast(OrderView, await self._query(order_id, VIEW_QUERY, OrderView))

    async def cancel(self, order_id: str) -> None:
        try:
            with bound_order(order_id):
                await self._handle(order_id).cancel()
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise OrderNotFound(order_id) from err
            raise

    async def decide(self, order_id: str, decision: OpsDecision) -> OrderView:
        """Retry, skip or cancel what a parked order waits on; the order as it then is.

        Raises:
            OrderNotFound: No such order, or its workflow has ended.
            DecisionRefused: The order does not wait for that decision.
        """
        handle = self._handle(order_id)
        try:
            with bound_order(order_id):
                view = await handle.execute_update(DECIDE_UPDATE, decision, result_type=OrderView)
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type in (NOT_PARKED, DECISION_REFUSED):
                raise DecisionRefused(cause.message) from err
            raise
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                if await has_ended(handle):
                    raise DecisionRefused(f"order {order_id} has ended") from err
                raise OrderNotFound(order_id) from err
            raise
        return cast(OrderView, view)

    async def deliver_event(self, event: ExecutionEvent) -> str:
        """Hand an event to its order, in one round trip.

        Returns:
            `accepted`, `duplicate`, `unknown_order`, `unknown_shipment`, or
            `order_closed` (the order's workflow has ended).
        """
        handle = self._handle(event.order_id)
        try:
            with bound_order(event.order_id):
                outcome = await handle.execute_update(RECORD_EVENT_UPDATE, event, result_type=str)
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == UNKNOWN_SHIPMENT:
                return "unknown_shipment"
            raise
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            return "order_closed" if await has_ended(handle) else "unknown_order"
        return cast(str, outcome)

    async def notify_stock(self, warehouse: str, skus: list[str]) -> int:
        """Tell every running order that waits for one of `skus` that stock arrived.

        Orders waiting for stock carry the SKUs in their `BackorderedSkus` search
        attribute, so no table of backorders is kept outside the orders themselves.
        Returns how many orders were told.
        """
        wanted = sorted({sku for sku in skus if _SAFE_SKU.fullmatch(sku)})
        if not wanted:
            return 0
        listed = ", ".join(f"'{sku}'" for sku in wanted)
        query = f"BackorderedSkus IN ({listed}) AND ExecutionStatus = 'Running'"
        arrival = StockArrival(warehouse=warehouse, skus=wanted)
        told = 0
        async for execution in self._client.list_workflows(query):
            handle = self._client.get_workflow_handle(execution.id)
            try:
                await handle.signal(STOCK_ARRIVED_SIGNAL, arrival)
            except RPCError as err:
                if err.status != RPCStatusCode.NOT_FOUND:  # finished meanwhile: fine
                    raise
                continue
            told += 1
        return told

    def _input(
        self, order_id: str, submission: OrderSubmission, partner: PartnerOrder | None = None
    ) -> OrderToCashInput:
        return OrderToCashInput(
            order_id=order_id,
            submission=submission,
            fingerprint=submission.fingerprint(),
            erp_task_queue=self._erp_task_queue,
            erp_lookup_task_queue=self._erp_lookup_task_queue,
            warehouse_preference=self._warehouse_preference,
            partner=partner,
        )

    def _handle(self, order_id: str) -> WorkflowHandle[object, object]:
        return self._client.get_workflow_handle(order_workflow_id(order_id))

    async def _query(self, order_id: str, name: str, result_type: Any) -> object:
        try:
            with bound_order(order_id):
                return await self._handle(order_id).query(name, result_type=result_type)
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise OrderNotFound(order_id) from err
            raise
