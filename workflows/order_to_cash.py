"""OrderToCashWorkflow: one order, from verdict to paid.

validate -> create the ERP sales order -> plan and reserve shipments (one child
ShipmentWorkflow per warehouse) -> ship what is in stock, backorder the rest, replan
when stock arrives or a pick comes up short -> cancel in the ERP what waited past its
backorder window -> wait until every invoice is paid (cash application signals each
payment; an invoice unpaid past its due date is recorded overdue and dunned) -> PAID,
then COMPLETED.

A step that fails for good (a rejection, or retries used up) parks the order in
NEEDS_ATTENTION until ops decide: retry, skip (where the step allows) or cancel
(`workflows.order_attention`).

Until anything ships, a cancellation unwinds it all, last step first:
each shipment undoes its own (void the label, recall the release), then the order
releases the reservations and cancels the sales order. Once goods have shipped, the
order can no longer be cancelled, only returned.
"""

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import (
    ApplicationError,
    is_cancelled_exception,
)

with workflow.unsafe.imports_passed_through():
    from activities.contracts import (
        CANCEL_SALES_ORDER,
        CREATE_SALES_ORDER,
        VALIDATE_ORDER,
        CancelSalesOrderInput,
        CancelSalesOrderResult,
        CreateSalesOrderInput,
        CreateSalesOrderResult,
        ValidateOrderInput,
        ValidateOrderResult,
    )
    from canonical.events import ExecutionEvent
    from canonical.invoices import Payment
    from canonical.orders import Order
    from canonical.statuses import OrderStatus
    from canonical.view import CompensationRecord, OrderView
    from workflows.allocation import Allocation
    from workflows.cash_contracts import PAYMENT_APPLIED_SIGNAL
    from workflows.contracts import (
        DECIDE_SIGNAL,
        DECIDE_UPDATE,
        EXECUTION_EVENT_SIGNAL,
        ORDER_TO_CASH_WORKFLOW,
        RECORD_EVENT_UPDATE,
        SHIPMENT_REPORT_SIGNAL,
        STOCK_ARRIVED_SIGNAL,
        SUBMIT_UPDATE,
        UNKNOWN_SHIPMENT,
        VERDICT_QUERY,
        VIEW_QUERY,
        OpsDecision,
        OrderToCashInput,
        ShipmentReport,
        StockArrival,
        SubmitVerdict,
    )
    from workflows.edi_contracts import PARTNER_REPORT_SIGNAL, PartnerReport
    from workflows.order_attention import OrderAttention
    from workflows.order_metrics import OrderMetrics
    from workflows.order_partner import PartnerConversation
    from workflows.order_payments import OrderPayments
    from workflows.order_state import OrderState
    from workflows.saga import Saga, describe_failure, until_done_or_undone
    from workflows.search import publish
    from workflows.steps import Steps


@workflow.defn(name=ORDER_TO_CASH_WORKFLOW)
class OrderToCashWorkflow:
    @workflow.init
    def __init__(self, input: OrderToCashInput) -> None:
        self._input = input
        self._state = OrderState(input.order_id, input.submission, workflow.now())
        self._saga = Saga()
        self._attention = OrderAttention(
            self._state, lambda: publish(self._state, self._allocation)
        )
        self._steps = Steps(input.retry, input.erp_task_queue, self._attention.parking)
        self._allocation = Allocation(
            self._state,
            self._saga,
            self._steps,
            input,
            window=timedelta(days=input.backorder_window_days),
            on_change=lambda: publish(self._state, self._allocation),
        )
        self._payments = OrderPayments(self._state)
        self._partner = PartnerConversation(
            input.order_id, input.partner, self._attention, self._view
        )
        self._allocation.on_planned = self._partner.acknowledge
        self._verdict: SubmitVerdict | None = None
        # Each shipment's own undo steps, as it last reported them.
        self._child_compensations: dict[str, list[CompensationRecord]] = {}

    @workflow.run
    async def run(self, input: OrderToCashInput) -> OrderView:
        self._metrics = OrderMetrics.watching(self._state)
        order = await self._judge()
        if order is not None:
            await self._fulfil_or_unwind(order)
        else:
            await self._partner.close(wait=False)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._view()

    # -- handlers --------------------------------------------------------------

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
    async def record_event(self, event: ExecutionEvent) -> str:
        """Progress from the WMS and the carrier, as the webhook receiver delivers it:
        `accepted`, or `duplicate` when the event id was seen before."""
        return await self._take_event(event)

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
    async def execution_event(self, event: ExecutionEvent) -> None:
        """The same as `record_event`, fire-and-forget: for ops sending an event by
        hand from the Temporal UI or CLI."""
        if self._state.shipment(event.shipment_id) is not None:
            await self._take_event(event)

    async def _take_event(self, event: ExecutionEvent) -> str:
        if not self._state.apply_event(event):
            return "duplicate"
        await self._allocation.forward(event)
        publish(self._state, self._allocation)
        return "accepted"

    @workflow.signal(name=STOCK_ARRIVED_SIGNAL)
    def stock_arrived(self, arrival: StockArrival) -> None:
        """Stock was booked in: plan again if it is something this order waits for."""
        self._allocation.stock_arrived(arrival)

    @workflow.signal(name=SHIPMENT_REPORT_SIGNAL)
    def shipment_report(self, report: ShipmentReport) -> None:
        """How a shipment goes, from its own workflow."""
        now = workflow.now()
        shipment = report.shipment
        self._state.merge_shipment(shipment)
        self._child_compensations[shipment.shipment_id] = report.compensations
        if report.kind == "released":
            self._state.record(now, "RELEASED", "wms", shipment.shipment_id)
        elif report.kind == "short":
            self._allocation.short_picked(now, shipment.shipment_id, report.short_lines)
        elif report.kind == "labelled":
            price = (
                f" {shipment.freight.amount} {shipment.freight.currency}"
                if shipment.freight
                else ""
            )
            self._state.record(
                now,
                "LABEL_BOUGHT",
                "carrier",
                f"{shipment.shipment_id} {shipment.carrier} {shipment.service}"
                f" {shipment.tracking_number}{price}",
            )
        elif report.kind == "documented" and report.invoice is not None:
            self._state.record(
                now,
                "DELIVERY_CREATED",
                "erp",
                f"{shipment.shipment_id} outbound delivery {shipment.delivery_document}",
            )
            self._state.add_invoice(now, self._payments.stamp(now, report.invoice))
            self._partner.documented(shipment.shipment_id, report.invoice.billing_document)
        elif report.kind == "compensated":
            self._state.record(now, "COMPENSATED", "ordermesh", report.detail)
        elif report.kind == "parked" and report.problem is not None:
            self._attention.note_parked(report.problem)
        elif report.kind == "resumed" and report.problem is not None:
            self._attention.note_resumed(report.problem, report.detail)
        publish(self._state, self._allocation)

    @workflow.signal(name=DECIDE_SIGNAL)
    async def decide(self, decision: OpsDecision) -> None:
        """Ops decide for a parked order, from the Temporal UI or CLI (JSON:
        `{"action": "retry", "by": "ops", "note": "..."}`). A decision that does not
        fit goes on the timeline as refused."""
        refused = self._attention.refusal(decision)
        if refused is not None:
            self._state.record(
                workflow.now(), "DECISION_REFUSED", "ops", f"{decision.action}: {refused[1]}"
            )
            return
        await self._attention.decide(decision)

    @workflow.update(name=DECIDE_UPDATE)
    async def decide_now(self, decision: OpsDecision) -> OrderView:
        """The same decision from the API, answered with the order once it went on."""
        await self._attention.decide(decision, settle=True)
        return self._view()

    @decide_now.validator
    def _decision_fits(self, decision: OpsDecision) -> None:
        refused = self._attention.refusal(decision)
        if refused is not None:
            raise ApplicationError(refused[1], type=refused[0])

    @workflow.signal(name=PARTNER_REPORT_SIGNAL)
    def partner_report(self, report: PartnerReport) -> None:
        """An EDI order's document waits for a person, or goes on."""
        self._partner.report(report)
        publish(self._state, self._allocation)

    @workflow.signal(name=PAYMENT_APPLIED_SIGNAL)
    def payment_applied(self, payment: Payment) -> None:
        """Cash application applied money to one of this order's invoices (sent once per
        bank entry and invoice; a repeat changes nothing)."""
        if self._payments.apply(workflow.now(), payment):
            publish(self._state, self._allocation)

    # -- phases ----------------------------------------------------------------

    async def _judge(self) -> Order | None:
        result = await self._steps.run(
            VALIDATE_ORDER,
            ValidateOrderInput(order_id=self._input.order_id, submission=self._input.submission),
            ValidateOrderResult,
            erp=True,
            patient=True,  # an order waits RECEIVED until the ERP answers
            # Its own queue: a verdict, mostly answered from the lookup cache, must not
            # wait behind a burst of ERP writes in the rate-limited queue.
            task_queue=self._input.erp_lookup_task_queue,
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
        publish(self._state, self._allocation)
        await self._partner.start()
        if result.order is None:
            self._partner.acknowledge()  # the partner hears of the rejection at once
        return result.order

    async def _fulfil_or_unwind(self, order: Order) -> None:
        # The work runs as its own task so that a cancellation request reaches this
        # coroutine first, which decides: unwind (nothing shipped yet) or refuse.
        def refuse() -> None:
            self._state.record(
                workflow.now(),
                "CANCEL_REFUSED",
                "ordermesh",
                "goods already shipped; a shipped order is returned, not cancelled",
            )

        work = asyncio.ensure_future(self._fulfil(order))
        self._attention.watch(work)
        err = await until_done_or_undone(work, lambda: not self._state.shipped_any(), refuse)
        if err is not None:
            await self._end_badly(err)  # raises, unless ops cancelled the order
            return
        self._state.advance(workflow.now(), OrderStatus.COMPLETED, "ordermesh")
        publish(self._state, self._allocation)
        await self._partner.close(wait=True)

    async def _fulfil(self, order: Order) -> None:
        key = f"{workflow.info().workflow_id}:{CREATE_SALES_ORDER}"
        self._saga.record(
            CANCEL_SALES_ORDER,
            lambda: self._steps.run(
                CANCEL_SALES_ORDER,
                CancelSalesOrderInput(
                    idempotency_key=key,
                    sales_order=self._state.view.erp_order_id,
                    reason=f"Ordermesh order {order.order_id} unwound",
                ),
                CancelSalesOrderResult,
                erp=True,
                patient=True,
            ),
        )
        created = await self._steps.run(
            CREATE_SALES_ORDER,
            CreateSalesOrderInput(idempotency_key=key, order=order),
            CreateSalesOrderResult,
            erp=True,
        )
        self._state.view.erp_order_id = created.sales_order
        self._state.record(
            workflow.now(), "SALES_ORDER_CREATED", "erp", f"sales order {created.sales_order}"
        )
        publish(self._state, self._allocation)
        await self._allocation.run(order, created.sales_order)
        self._saga.close()
        await self._collect_payment()

    async def _collect_payment(self) -> None:
        """Wait until every invoice is paid, reminding as each falls overdue."""
        if not self._state.view.invoices:
            return  # nothing was billed (every line cancelled): nothing to collect
        while not self._payments.all_paid():
            reminder = self._payments.next_reminder()
            timeout = None
            if reminder is not None:
                timeout = max(reminder - workflow.now(), timedelta(seconds=1))
            try:
                await workflow.wait_condition(self._payments.all_paid, timeout=timeout)
            except TimeoutError:
                self._payments.remind(workflow.now())
                publish(self._state, self._allocation)

    async def _end_badly(self, err: BaseException) -> None:
        """Unwind, when nothing has shipped; otherwise wait for a person. Raises, but
        for a cancellation ops decided (the order then completes, CANCELLED)."""
        now = workflow.now()
        if self._state.shipped_any():
            # Nothing can be unwound once goods left: a person has to look.
            self._state.view.failure = describe_failure(err)
            self._state.set_status(OrderStatus.NEEDS_ATTENTION)
            self._state.record(now, "NEEDS_ATTENTION", "ordermesh", describe_failure(err))
        else:
            await self._unwind(err)
        publish(self._state, self._allocation)
        await self._partner.close(wait=False)
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._attention.cancelled_by is not None and is_cancelled_exception(err):
            return
        if is_cancelled_exception(err):
            raise err
        raise ApplicationError(
            self._state.view.failure, type="ORDER_FAILED", non_retryable=True
        ) from None

    async def _unwind(self, err: BaseException) -> None:
        self._state.set_status(OrderStatus.CANCELLING)
        by = self._attention.cancelled_by
        if is_cancelled_exception(err):
            detail = f"by {by.by}: {by.note}".strip(": ") if by is not None else ""
            self._state.record(workflow.now(), "CANCEL_REQUESTED", "ops", detail)
        else:
            self._state.view.failure = describe_failure(err)
            self._state.record(workflow.now(), "FAILED", "ordermesh", describe_failure(err))
        # Shipments first: they undo their own steps before the stock is released.
        await self._allocation.cancel_shipments()
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

    def _view(self) -> OrderView:
        shipments = [r for records in self._child_compensations.values() for r in records]
        self._state.compensations(list(self._saga.records) + shipments)
        return self._state.view.model_copy(deep=True)
