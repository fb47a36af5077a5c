"""ReturnWorkflow: one RMA, from request to credit.

authorize (shipped quantities, less earlier returns, within the window after delivery)
-> wait for ops if it is worth more than the threshold (denied when nobody decides in
time) -> ERP returns order -> return label -> wait for the goods (expires when nothing
arrives in time) -> inspect: restock what is sellable, scrap the rest -> credit memo in
the ERP for what came back, less the restocking fee -> CLOSED.

Until the goods arrive, a cancellation (or the receipt window passing) undoes it all,
last step first: void the label, cancel the returns order, release the claim on the
order's quantities. Once goods are in, a cancellation is refused.
"""

import asyncio
from datetime import timedelta
from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ApplicationError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from activities.return_contracts import (
        AUTHORIZE_RETURN,
        BUY_RETURN_LABEL,
        CANCEL_RETURNS_ORDER,
        CREATE_RETURNS_ORDER,
        CREDIT_RETURN,
        RESTOCK_RETURNED,
        SCRAP_RETURNED,
        SETTLE_RETURN,
        VOID_RETURN_LABEL,
        AuthorizeReturnInput,
        AuthorizeReturnResult,
        CancelReturnsOrderInput,
        CreditReturnInput,
        CreditReturnResult,
        DispositionInput,
        ReturnLabelInput,
        ReturnLabelResult,
        ReturnsOrderInput,
        ReturnsOrderResult,
        SettleReturnInput,
    )
    from canonical.events import ExecutionEvent, ExecutionEventKind, TimelineEntry
    from canonical.returns import Disposition, ItemCondition, ReturnView
    from canonical.statuses import ReturnStatus
    from workflows.return_contracts import (
        APPROVAL_SIGNAL,
        APPROVAL_UPDATE,
        AUTHORIZATION_UPDATE,
        NOT_AWAITING_APPROVAL,
        RECORD_RETURN_EVENT_UPDATE,
        RETURN_VIEW_QUERY,
        RETURN_WORKFLOW,
        WRONG_RETURN_EVENT,
        ApprovalDecision,
        ReturnWorkflowInput,
    )
    from workflows.saga import Saga, until_done_or_undone
    from workflows.steps import Steps


@workflow.defn(name=RETURN_WORKFLOW)
class ReturnWorkflow:
    @workflow.init
    def __init__(self, input: ReturnWorkflowInput) -> None:
        self._input = input
        self._view = ReturnView(
            rma_id=input.rma_id,
            order_id=input.order_id,
            reason=input.request.reason,
            note=input.request.note,
        )
        self._steps = Steps(input.retry, input.erp_task_queue)
        self._saga = Saga()
        self._verdict = False
        self._approval: ApprovalDecision | None = None
        self._receipt: ExecutionEvent | None = None
        self._record(
            "REQUESTED", "api", f"{len(input.request.lines)} line(s), {input.request.reason}"
        )

    @workflow.run
    async def run(self, input: ReturnWorkflowInput) -> ReturnView:
        auth = await self._authorize()
        if auth is None:
            return self._view
        work = asyncio.ensure_future(self._carry_out(auth))
        err = await until_done_or_undone(
            work,
            lambda: self._receipt is None,
            lambda: self._record("CANCEL_REFUSED", "ops", "the goods are already in"),
        )
        if err is not None:
            await self._unwind("CANCELLED" if is_cancelled_exception(err) else str(err))
            await workflow.wait_condition(workflow.all_handlers_finished)
            if is_cancelled_exception(err):
                raise err
            return self._view
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._view

    # -- handlers --------------------------------------------------------------

    @workflow.query(name=RETURN_VIEW_QUERY)
    def view(self) -> ReturnView:
        return self._view.model_copy(deep=True)

    @workflow.update(name=AUTHORIZATION_UPDATE)
    async def authorization(self) -> ReturnView:
        """The verdict for the request: AUTHORIZED, DENIED, or waiting for approval."""
        await workflow.wait_condition(lambda: self._verdict)
        return self.view()

    @workflow.update(name=APPROVAL_UPDATE)
    async def decide_approval(self, decision: ApprovalDecision) -> ReturnView:
        self._approval = decision
        await workflow.wait_condition(lambda: not self._view.awaiting_approval)
        return self.view()

    @decide_approval.validator
    def _awaiting(self, decision: ApprovalDecision) -> None:
        if not self._view.awaiting_approval or self._approval is not None:
            raise ApplicationError(
                f"return {self._input.rma_id} is not waiting for approval",
                type=NOT_AWAITING_APPROVAL,
            )

    @workflow.signal(name=APPROVAL_SIGNAL)
    def approval(self, decision: ApprovalDecision) -> None:
        """The same decision, fire-and-forget, as ops send it from the Temporal UI."""
        if self._view.awaiting_approval and self._approval is None:
            self._approval = decision

    @workflow.update(name=RECORD_RETURN_EVENT_UPDATE)
    def record_return_event(self, event: ExecutionEvent) -> str:
        """The warehouse received the goods: `accepted`, or `duplicate`."""
        if self._receipt is not None:
            return "duplicate"
        self._receipt = event
        return "accepted"

    @record_return_event.validator
    def _for_this_return(self, event: ExecutionEvent) -> None:
        if (
            event.kind is not ExecutionEventKind.RETURN_RECEIVED
            or event.rma_id != self._input.rma_id
        ):
            raise ApplicationError(
                f"not a receipt for return {self._input.rma_id}", type=WRONG_RETURN_EVENT
            )

    # -- phases ----------------------------------------------------------------

    async def _authorize(self) -> AuthorizeReturnResult | None:
        auth = await self._steps.run(
            AUTHORIZE_RETURN,
            AuthorizeReturnInput(
                rma_id=self._input.rma_id,
                order_id=self._input.order_id,
                request=self._input.request,
                now=workflow.now(),
            ),
            AuthorizeReturnResult,
            patient=True,
        )
        if auth.denial_reason:
            self._deny(auth.denial_reason)
            return None
        view = self._view
        view.lines = list(auth.lines)
        view.customer_id = auth.customer_id
        view.warehouse = auth.warehouse
        view.billing_document = auth.billing_document
        value = sum((line.authorized * line.unit_price.amount for line in auth.lines), Decimal(0))
        if value > auth.policy.approval_threshold:
            view.awaiting_approval = True
            self._verdict = True
            self._record(
                "AWAITING_APPROVAL",
                "ordermesh",
                f"worth {value}, above {auth.policy.approval_threshold}",
            )
            try:
                await workflow.wait_condition(
                    lambda: self._approval is not None,
                    timeout=timedelta(days=auth.policy.approval_days),
                )
            except TimeoutError:
                self._approval = ApprovalDecision(
                    approve=False,
                    by="ordermesh",
                    note=f"not approved within {auth.policy.approval_days:g} days",
                )
            view.awaiting_approval = False
            decision = self._approval
            assert decision is not None
            if not decision.approve:
                await self._settle(None)
                self._deny(f"not approved by {decision.by}: {decision.note}".rstrip(": "))
                return None
            self._record("APPROVED", decision.by, decision.note)
        self._set(ReturnStatus.AUTHORIZED, "ordermesh")
        self._verdict = True
        return auth

    async def _carry_out(self, auth: AuthorizeReturnResult) -> None:
        rma, view = self._input.rma_id, self._view
        key = self._returns_order_key()
        self._saga.record(SETTLE_RETURN, lambda: self._settle(None))
        self._saga.record(
            CANCEL_RETURNS_ORDER,
            lambda: self._run(
                CANCEL_RETURNS_ORDER,
                CancelReturnsOrderInput(idempotency_key=key, returns_order=view.returns_order),
                erp=True,
            ),
        )
        created = await self._steps.run(
            CREATE_RETURNS_ORDER,
            ReturnsOrderInput(
                idempotency_key=key,
                rma_id=rma,
                sales_order=auth.sales_order,
                customer_id=auth.customer_id,
                currency=auth.currency,
                reason=view.reason.value,
                lines=view.lines,
            ),
            ReturnsOrderResult,
            erp=True,
        )
        view.returns_order = created.returns_order
        self._record("RETURNS_ORDER_CREATED", "erp", f"returns order {created.returns_order}")
        assert auth.ship_from is not None
        label_input = ReturnLabelInput(
            rma_id=rma,
            order_id=self._input.order_id,
            ship_from=auth.ship_from,
            warehouse=auth.warehouse,
        )
        self._saga.record(VOID_RETURN_LABEL, lambda: self._run(VOID_RETURN_LABEL, label_input))
        label = await self._steps.run(BUY_RETURN_LABEL, label_input, ReturnLabelResult)
        view.tracking_number, view.label_id = label.tracking_number, label.label_id
        self._set(ReturnStatus.LABEL_ISSUED, "carrier", f"{label.carrier} {label.tracking_number}")
        window = timedelta(days=auth.policy.receipt_days)
        view.expires_at = workflow.now() + window
        try:
            await workflow.wait_condition(lambda: self._receipt is not None, timeout=window)
        except TimeoutError:
            self._expire(auth.policy.receipt_days)
            raise ApplicationError(
                "nothing received", type="RETURN_EXPIRED", non_retryable=True
            ) from None
        self._saga.close()
        await self._receive(auth)

    async def _receive(self, auth: AuthorizeReturnResult) -> None:
        receipt, view = self._receipt, self._view
        assert receipt is not None
        arrived = {(line.line_no or 0): line for line in receipt.lines}
        for line in view.lines:
            got = arrived.get(line.line_no)
            line.received = min(got.quantity, line.authorized) if got else Decimal(0)
            line.condition = (
                ItemCondition(got.condition) if got and got.condition else ItemCondition.SELLABLE
            )
        await self._settle({line.line_no: line.received for line in view.lines})
        self._set(
            ReturnStatus.RECEIVED,
            receipt.source or "wms",
            ", ".join(f"{line.sku} x {line.received}" for line in view.lines),
            receipt.event_id,
        )
        if not any(line.received for line in view.lines):
            await self._run(
                CANCEL_RETURNS_ORDER,
                CancelReturnsOrderInput(
                    idempotency_key=self._returns_order_key(),
                    returns_order=view.returns_order,
                ),
                erp=True,
            )
            self._set(ReturnStatus.CLOSED, "ordermesh", "nothing came back: nothing to credit")
            return
        self._set(
            ReturnStatus.INSPECTED,
            "wms",
            ", ".join(f"{line.sku} {line.condition}" for line in view.lines),
        )
        for line in view.lines:
            if not line.received:
                continue
            restock = line.condition is ItemCondition.SELLABLE
            line.disposition = Disposition.RESTOCK if restock else Disposition.SCRAP
            await self._run(
                RESTOCK_RETURNED if restock else SCRAP_RETURNED,
                DispositionInput(
                    idempotency_key=f"{self._input.rma_id}:{line.line_no}:{line.disposition.value}",
                    rma_id=self._input.rma_id,
                    warehouse=view.warehouse,
                    sku=line.sku,
                    quantity=line.received,
                ),
            )
            self._set(
                ReturnStatus.RESTOCKED if restock else ReturnStatus.SCRAPPED,
                "wms",
                f"{line.sku} x {line.received} in {view.warehouse}",
            )
        credited = await self._steps.run(
            CREDIT_RETURN,
            CreditReturnInput(
                idempotency_key=f"{workflow.info().workflow_id}:{CREDIT_RETURN}",
                rma_id=self._input.rma_id,
                order_id=self._input.order_id,
                returns_order=view.returns_order,
                billing_document=view.billing_document,
                customer_id=auth.customer_id,
                currency=auth.currency,
                lines=view.lines,
                fee_rate=auth.policy.fee_rate,
            ),
            CreditReturnResult,
            erp=True,
            patient=True,  # the goods are back: the customer must get the credit
        )
        view.credit_memo, view.credit, view.fee = (
            credited.credit_memo,
            credited.credit,
            credited.fee,
        )
        view.refund_due = credited.refund_due
        owed = "refund due" if credited.refund_due else "applied to the open invoice"
        self._set(
            ReturnStatus.CREDITED,
            "erp",
            f"credit memo {credited.credit_memo} {credited.credit.amount}"
            f" {credited.credit.currency} (fee {credited.fee.amount}); {owed}",
        )
        self._set(ReturnStatus.CLOSED, "ordermesh")

    # -- helpers ---------------------------------------------------------------

    def _returns_order_key(self) -> str:
        """Creating and cancelling the ERP's returns order share one key: a cancel whose
        create never answered finds the order by it."""
        return f"{workflow.info().workflow_id}:{CREATE_RETURNS_ORDER}"

    async def _unwind(self, why: str) -> None:
        for entry in await self._saga.unwind():
            kind = "COMPENSATED" if entry.state == "done" else "COMPENSATION_FAILED"
            self._record(kind, "ordermesh", f"{entry.step} {entry.detail}".strip())
        if self._view.status is not ReturnStatus.EXPIRED:
            self._set(ReturnStatus.CLOSED, "ordermesh", why)

    def _expire(self, days: float) -> None:
        self._set(ReturnStatus.EXPIRED, "ordermesh", f"nothing received within {days:g} days")

    def _deny(self, reason: str) -> None:
        self._view.denial_reason = reason
        self._set(ReturnStatus.DENIED, "ordermesh", reason)
        self._verdict = True

    async def _settle(self, received: dict[int, Decimal] | None) -> None:
        await self._run(
            SETTLE_RETURN, SettleReturnInput(rma_id=self._input.rma_id, received=received)
        )

    async def _run(self, name: str, arg: object, *, erp: bool = False) -> None:
        await self._steps.run(name, arg, type(None), erp=erp, patient=True)

    def _set(
        self, status: ReturnStatus, source: str, detail: str = "", event_id: str | None = None
    ) -> None:
        self._view.status = status
        self._record(status.value, source, detail, event_id)

    def _record(
        self, kind: str, source: str, detail: str = "", event_id: str | None = None
    ) -> None:
        self._view.timeline.append(
            TimelineEntry(
                at=workflow.now(),
                kind=kind,
                source=source,
                correlation_id=self._input.order_id,
                detail=detail,
                event_id=event_id,
            )
        )
