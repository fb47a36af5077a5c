"""OrderToCashWorkflow: one order, from verdict to delivered and invoiced.

validate -> reserve stock -> create the ERP sales order -> release to the warehouse
-> (packed) buy the label and hand it to the warehouse -> (shipped) bill in the ERP
-> (delivered) COMPLETED.

Until the goods ship, a failure or a cancellation unwinds the saga: void the label,
recall the warehouse release, cancel the sales order, release the reservation, in
that order. Once shipped, the order can no longer be cancelled, only returned.
"""

import asyncio
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    ChildWorkflowError,
    is_cancelled_exception,
)

with workflow.unsafe.imports_passed_through():
    from activities.contracts import (
        BUY_LABEL,
        CANCEL_SALES_ORDER,
        CHECK_STOCK,
        CREATE_BILLING_DOCUMENT,
        CREATE_SALES_ORDER,
        HAND_LABEL_TO_WAREHOUSE,
        RECALL_FROM_WAREHOUSE,
        RELEASE_INVENTORY,
        RELEASE_TO_WAREHOUSE,
        RESERVE_INVENTORY,
        VALIDATE_ORDER,
        VOID_LABEL,
        BuyLabelInput,
        BuyLabelResult,
        CancelSalesOrderInput,
        CancelSalesOrderResult,
        CheckStockInput,
        CheckStockResult,
        CreateBillingDocumentInput,
        CreateBillingDocumentResult,
        CreateSalesOrderInput,
        CreateSalesOrderResult,
        HandLabelInput,
        ShipmentInput,
        ShipmentStepResult,
        ValidateOrderInput,
        ValidateOrderResult,
    )
    from canonical.events import ExecutionEvent
    from canonical.fulfillment import StockFact, single_warehouse_plan
    from canonical.orders import Order
    from canonical.shipments import Shipment
    from canonical.statuses import OrderStatus, ShipmentStatus, furthest_shipment
    from canonical.view import OrderView
    from workflows.contracts import (
        EXECUTION_EVENT_SIGNAL,
        ORDER_TO_CASH_WORKFLOW,
        RECORD_EVENT_UPDATE,
        SUBMIT_UPDATE,
        UNKNOWN_SHIPMENT,
        VERDICT_QUERY,
        VIEW_QUERY,
        OrderToCashInput,
        RetryBudget,
        SubmitVerdict,
    )
    from workflows.order_state import OrderState, shipment_reached
    from workflows.saga import Saga

R = TypeVar("R")

STEP_TIMEOUT = timedelta(seconds=20)


@workflow.defn(name=ORDER_TO_CASH_WORKFLOW)
class OrderToCashWorkflow:
    @workflow.init
    def __init__(self, input: OrderToCashInput) -> None:
        self._input = input
        self._state = OrderState(input.order_id, input.submission, workflow.now())
        self._saga = Saga()
        self._verdict: SubmitVerdict | None = None
        self._step_retry = _step_retry(input.retry)
        self._patient_retry = _patient_retry(input.retry)

    @workflow.run
    async def run(self, input: OrderToCashInput) -> OrderView:
        order = await self._judge()
        if order is not None:
            shipment = await self._fulfil_or_unwind(order)
            self._saga.close()
            await self._finish_after_shipping(order, shipment)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._view()

    @workflow.update(name=SUBMIT_UPDATE)
    async def submit(self) -> SubmitVerdict:
        """The synchronous verdict for update-with-start, with the order as it is now
        (a repeated submission sees the order's progress, not its first answer)."""
        await workflow.wait_condition(lambda: self._verdict is not None)
        verdict = self.verdict()
        assert verdict is not None
        return verdict

    @workflow.query(name=VIEW_QUERY)
    def view(self) -> OrderView:
        return self._view()

    @workflow.query(name=VERDICT_QUERY)
    def verdict(self) -> SubmitVerdict | None:
        """The verdict with the current view; None while still being judged."""
        if self._verdict is None:
            return None
        return self._verdict.model_copy(update={"view": self._view()})

    @workflow.update(name=RECORD_EVENT_UPDATE)
    def record_event(self, event: ExecutionEvent) -> str:
        """Progress from the WMS and the carrier, as the webhook receiver delivers it:
        `accepted`, or `duplicate` when the event id was seen before."""
        return "accepted" if self._state.apply_event(event) else "duplicate"

    @record_event.validator
    def _for_a_known_shipment(self, event: ExecutionEvent) -> None:
        # Refused before it is written to history: an event for a shipment this order
        # does not have is the sender's mistake, not the order's.
        if self._state.shipment(event.shipment_id) is None:
            raise ApplicationError(
                f"order {self._input.order_id} has no shipment {event.shipment_id!r}",
                type=UNKNOWN_SHIPMENT,
            )

    @workflow.signal(name=EXECUTION_EVENT_SIGNAL)
    def execution_event(self, event: ExecutionEvent) -> None:
        """The same as `record_event`, fire-and-forget: for ops sending an event by
        hand from the Temporal UI or CLI."""
        self._state.apply_event(event)

    # -- phases ----------------------------------------------------------------

    async def _judge(self) -> Order | None:
        result = await self._act(
            VALIDATE_ORDER,
            ValidateOrderInput(order_id=self._input.order_id, submission=self._input.submission),
            ValidateOrderResult,
            erp=True,
            patient=True,  # an order waits RECEIVED until the ERP answers
        )
        if result.order is None:
            self._state.reject(workflow.now(), result.reasons)
        else:
            self._state.accept(workflow.now(), result.order)
        self._verdict = SubmitVerdict(
            order_id=self._input.order_id,
            status=self._state.status,
            reasons=result.reasons,
            fingerprint=self._input.fingerprint,
            view=self._view(),
        )
        return result.order

    async def _fulfil_or_unwind(self, order: Order) -> Shipment:
        try:
            return await self._fulfil(order)
        except BaseException as err:
            if not _is_saga_exit(err):
                # Evictions and bugs must not compensate: the workflow task retries.
                raise
            await self._unwind(err)
            await workflow.wait_condition(workflow.all_handlers_finished)
            if is_cancelled_exception(err):
                raise
            raise ApplicationError(
                self._state.view.failure, type="ORDER_FAILED", non_retryable=True
            ) from None

    async def _fulfil(self, order: Order) -> Shipment:
        order_id = order.order_id
        stock = await self._act(
            CHECK_STOCK, CheckStockInput(skus=[line.sku for line in order.lines]), CheckStockResult
        )
        facts = [
            StockFact(warehouse=level.warehouse, sku=level.sku, available=level.available)
            for level in stock.levels
        ]
        shipment = single_warehouse_plan(order, facts, self._input.warehouse_preference)
        if shipment is None:
            raise ApplicationError(
                "no warehouse has stock for the whole order",
                type="INSUFFICIENT_STOCK",
                non_retryable=True,
            )
        self._state.add_shipment(shipment)
        step = ShipmentInput(order_id=order_id, shipment=shipment, ship_to=order.ship_to)

        self._saga.record(
            RELEASE_INVENTORY,
            lambda: self._act(RELEASE_INVENTORY, step, ShipmentStepResult, patient=True),
        )
        await self._act(RESERVE_INVENTORY, step, ShipmentStepResult)
        self._state.advance(workflow.now(), OrderStatus.ALLOCATED, "wms", shipment.warehouse)

        key = f"{workflow.info().workflow_id}:{CREATE_SALES_ORDER}"
        self._saga.record(
            CANCEL_SALES_ORDER,
            lambda: self._act(
                CANCEL_SALES_ORDER,
                CancelSalesOrderInput(
                    idempotency_key=key,
                    sales_order=self._state.view.erp_order_id,
                    reason=f"Ordermesh order {order_id} unwound",
                ),
                CancelSalesOrderResult,
                erp=True,
                patient=True,
            ),
        )
        created = await self._act(
            CREATE_SALES_ORDER,
            CreateSalesOrderInput(idempotency_key=key, order=order),
            CreateSalesOrderResult,
            erp=True,
        )
        self._state.view.erp_order_id = created.sales_order
        self._state.record(
            workflow.now(), "SALES_ORDER_CREATED", "erp", f"sales order {created.sales_order}"
        )

        self._saga.record(
            RECALL_FROM_WAREHOUSE,
            lambda: self._act(RECALL_FROM_WAREHOUSE, step, ShipmentStepResult, patient=True),
        )
        await self._act(RELEASE_TO_WAREHOUSE, step, ShipmentStepResult)
        shipment.status = furthest_shipment(shipment.status, ShipmentStatus.RELEASED)
        self._state.advance(workflow.now(), OrderStatus.RELEASED, "wms", shipment.shipment_id)

        await workflow.wait_condition(lambda: shipment_reached(shipment, ShipmentStatus.PACKED))
        self._saga.record(
            VOID_LABEL, lambda: self._act(VOID_LABEL, step, ShipmentStepResult, patient=True)
        )
        label = await self._act(
            BUY_LABEL,
            BuyLabelInput(order_id=order_id, shipment=shipment, ship_to=order.ship_to),
            BuyLabelResult,
        )
        shipment.carrier, shipment.service = label.carrier, label.service
        shipment.tracking_number, shipment.label_id = label.tracking_number, label.label_id
        shipment.status = furthest_shipment(shipment.status, ShipmentStatus.LABELLED)
        self._state.record(
            workflow.now(),
            "LABEL_BOUGHT",
            "carrier",
            f"{shipment.shipment_id} {label.carrier} {label.tracking_number}",
        )
        await self._act(
            HAND_LABEL_TO_WAREHOUSE,
            HandLabelInput(
                shipment_id=shipment.shipment_id,
                carrier=label.carrier,
                tracking_number=label.tracking_number,
            ),
            ShipmentStepResult,
        )
        await workflow.wait_condition(lambda: shipment_reached(shipment, ShipmentStatus.SHIPPED))
        return shipment

    async def _finish_after_shipping(self, order: Order, shipment: Shipment) -> None:
        try:
            await self._refusing_cancellation(self._bill_and_deliver(order, shipment))
        except ActivityError as err:
            # Nothing can be unwound once goods left: a person has to look.
            self._state.view.failure = _describe(err)
            self._state.set_status(OrderStatus.NEEDS_ATTENTION)
            self._state.record(workflow.now(), "NEEDS_ATTENTION", "ordermesh", _describe(err))
            await workflow.wait_condition(workflow.all_handlers_finished)
            raise ApplicationError(
                self._state.view.failure, type="ORDER_FAILED", non_retryable=True
            ) from None

    async def _bill_and_deliver(self, order: Order, shipment: Shipment) -> None:
        billed = await self._act(
            CREATE_BILLING_DOCUMENT,
            CreateBillingDocumentInput(
                idempotency_key=f"{workflow.info().workflow_id}:bill:{shipment.shipment_id}",
                sales_order=self._state.view.erp_order_id,
                order=order,
                shipment=shipment,
            ),
            CreateBillingDocumentResult,
            erp=True,
        )
        self._state.add_invoice(workflow.now(), billed.invoice)
        await workflow.wait_condition(lambda: shipment_reached(shipment, ShipmentStatus.DELIVERED))
        # Until cash application exists, delivered and invoiced is the end.
        self._state.advance(workflow.now(), OrderStatus.COMPLETED, "ordermesh")

    async def _refusing_cancellation(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        while True:
            try:
                await asyncio.shield(task)
                return
            except asyncio.CancelledError:
                if task.cancelled():
                    raise
                self._state.record(
                    workflow.now(),
                    "CANCEL_REFUSED",
                    "ordermesh",
                    "goods already shipped; a shipped order is returned, not cancelled",
                )

    async def _unwind(self, err: BaseException) -> None:
        cancelled = is_cancelled_exception(err)
        self._state.set_status(OrderStatus.CANCELLING)
        if cancelled:
            self._state.record(workflow.now(), "CANCEL_REQUESTED", "ops")
        else:
            self._state.view.failure = _describe(err)
            self._state.record(workflow.now(), "FAILED", "ordermesh", _describe(err))
        ran = await self._saga.unwind()
        for entry in ran:
            self._state.record(
                workflow.now(),
                "COMPENSATED" if entry.state == "done" else "COMPENSATION_FAILED",
                "ordermesh",
                f"{entry.step} {entry.detail}".strip(),
            )
        # A compensation that failed for good leaves something behind that a person
        # must clear up; the order says so rather than claiming to be cancelled.
        failed = any(entry.state == "failed" for entry in ran)
        self._state.set_status(OrderStatus.NEEDS_ATTENTION if failed else OrderStatus.CANCELLED)
        self._state.record(workflow.now(), self._state.status.value, "ordermesh")

    # -- helpers ---------------------------------------------------------------

    async def _act(
        self,
        name: str,
        arg: Any,
        result_type: type[R],
        *,
        erp: bool = False,
        patient: bool = False,
    ) -> R:
        result: R = await workflow.execute_activity(
            name,
            arg,
            result_type=result_type,
            task_queue=(self._input.erp_task_queue or None) if erp else None,
            start_to_close_timeout=STEP_TIMEOUT,
            retry_policy=self._patient_retry if patient else self._step_retry,
        )
        return result

    def _view(self) -> OrderView:
        self._state.compensations(list(self._saga.records))
        return self._state.view.model_copy(deep=True)


def _step_retry(budget: RetryBudget) -> RetryPolicy:
    """Forward steps: a bounded budget, so an outside system that stays down fails the
    order (and unwinds it) rather than holding stock for ever."""
    return RetryPolicy(
        initial_interval=timedelta(seconds=budget.initial_interval_seconds),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=budget.maximum_interval_seconds),
        maximum_attempts=budget.maximum_attempts,
    )


def _patient_retry(budget: RetryBudget) -> RetryPolicy:
    """Compensations and the verdict keep trying: an undo that gives up leaves stock
    held or an ERP order open, and a verdict cannot be skipped. Rejections, being
    non-retryable, still end them."""
    return RetryPolicy(
        initial_interval=timedelta(seconds=budget.initial_interval_seconds),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=2 * budget.maximum_interval_seconds),
    )


def _is_saga_exit(err: BaseException) -> bool:
    """Failures the saga answers by unwinding: an activity or child that failed for
    good, a business refusal raised here, or a cancellation request."""
    return isinstance(err, ActivityError | ChildWorkflowError | ApplicationError) or (
        is_cancelled_exception(err)
    )


def _describe(err: BaseException) -> str:
    cause = err.cause if isinstance(err, ActivityError | ChildWorkflowError) else None
    inner = cause or err
    kind = getattr(inner, "type", None)
    return f"{kind}: {inner}" if kind else str(inner)
