"""Return (RMA) activities: authorize against the order, the ERP's returns order and
credit memo, the carrier's return label, and putting returned goods back or away.

Every call that changes an outside system carries a key derived from the RMA and the
step, so a retried activity changes nothing twice: one returns order, one label, one
restock per line, one credit memo.
"""

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel
from temporalio import activity

from activities.errors import rejections_as_application_errors
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
    ReturnPolicy,
    ReturnsOrderInput,
    ReturnsOrderResult,
    SettleReturnInput,
)
from adapters.carrier.port import CarrierPort, ReturnLabelRequest
from adapters.erp.port import CreditMemoRequest, ErpOrderItem, ErpPort, ReturnsOrderRequest
from adapters.wms.port import DispositionRequest, WmsPort
from canonical.cash import CashApplication
from canonical.invoices import CREDIT_MEMO_RULE, InvoiceState, Payment
from canonical.money import Money, round_money
from canonical.return_rules import authorize, returnable
from canonical.returns import ReturnLine, ReturnReason
from canonical.view import OrderView
from store.cash_ledger import CashLedger
from store.returns_ledger import ReturnsLedger


class OrderDirectory(Protocol):
    """Where returns find their order: its view (also once it has completed) and a way
    to tell it about a credit."""

    async def view(self, order_id: str) -> OrderView | None: ...

    async def tell(self, order_id: str, payment: Payment) -> bool:
        """Signal the order; False when it is no longer running."""
        ...


class ReturnSettings(BaseModel):
    """Return rules (workers read them from the environment; see `workers.settings`).

    Attributes:
        window_days: Default days after delivery a return may be asked for.
        customer_window_days: Per customer, where different.
        restocking_fees: Per reason code, the fee as a fraction of the credited value.
    """

    window_days: float = 30
    customer_window_days: dict[str, float] = {}
    approval_threshold: Decimal = Decimal("5000")
    approval_days: float = 7
    receipt_days: float = 21
    restocking_fees: dict[ReturnReason, Decimal] = {
        ReturnReason.NOT_NEEDED: Decimal("0.15"),
        ReturnReason.OTHER: Decimal("0.10"),
    }

    def policy(self, customer_id: str, reason: ReturnReason) -> ReturnPolicy:
        return ReturnPolicy(
            window_days=self.customer_window_days.get(customer_id, self.window_days),
            approval_threshold=self.approval_threshold,
            approval_days=self.approval_days,
            receipt_days=self.receipt_days,
            fee_rate=self.restocking_fees.get(reason, Decimal(0)),
        )


class ReturnActivities:
    """Activities of the return flow.

    Args:
        erp: Returns orders and credit memos.
        wms: Restock and scrap.
        carrier: Return labels.
        returns: What returns have taken of each order line.
        cash: The cash ledger, where a credit against an open invoice is recorded.
        orders: The orders, to read and to tell.
        settings: The return rules.
    """

    def __init__(
        self,
        erp: ErpPort,
        wms: WmsPort,
        carrier: CarrierPort,
        returns: ReturnsLedger,
        cash: CashLedger,
        orders: OrderDirectory,
        settings: ReturnSettings | None = None,
    ) -> None:
        self._erp = erp
        self._wms = wms
        self._carrier = carrier
        self._returns = returns
        self._cash = cash
        self._orders = orders
        self._settings = settings or ReturnSettings()

    @activity.defn(name=AUTHORIZE_RETURN)
    async def authorize_return(self, input: AuthorizeReturnInput) -> AuthorizeReturnResult:
        view = await self._orders.view(input.order_id)
        if view is None:
            return AuthorizeReturnResult(denial_reason=f"no order {input.order_id}")
        policy = self._settings.policy(view.customer_id, input.request.reason)
        taken = await asyncio.to_thread(self._returns.taken, input.order_id, input.rma_id)
        verdict = authorize(
            view, input.request, taken, input.now, timedelta(days=policy.window_days)
        )
        if verdict.denial_reason or verdict.shipment is None:
            return AuthorizeReturnResult(
                denial_reason=verdict.denial_reason or "nothing of it has shipped", policy=policy
            )
        # Claimed in one transaction: a return asked for at the same moment cannot take
        # the same units.
        refused = await asyncio.to_thread(
            self._returns.authorize,
            input.rma_id,
            input.order_id,
            {line.line_no: line.authorized for line in verdict.lines},
            returnable(view),
        )
        if refused:
            return AuthorizeReturnResult(denial_reason=refused, policy=policy)
        shipment = verdict.shipment
        invoice = next(
            (i for i in view.invoices if i.billing_document == shipment.billing_document), None
        )
        return AuthorizeReturnResult(
            lines=verdict.lines,
            policy=policy,
            customer_id=view.customer_id,
            currency=view.total.currency if view.total else "EUR",
            sales_order=view.erp_order_id,
            warehouse=shipment.warehouse,
            billing_document=shipment.billing_document,
            ship_from=view.ship_to,
            invoice_paid=invoice is not None and invoice.state is InvoiceState.PAID,
        )

    @activity.defn(name=SETTLE_RETURN)
    async def settle_return(self, input: SettleReturnInput) -> None:
        await asyncio.to_thread(self._returns.settle, input.rma_id, input.received)

    @activity.defn(name=CREATE_RETURNS_ORDER)
    async def create_returns_order(self, input: ReturnsOrderInput) -> ReturnsOrderResult:
        with rejections_as_application_errors():
            ref = await self._erp.create_returns_order(
                ReturnsOrderRequest(
                    idempotency_key=input.idempotency_key,
                    sales_order=input.sales_order,
                    customer_id=input.customer_id,
                    currency=input.currency,
                    reason=input.reason,
                    items=_items(input.lines, authorized=True),
                )
            )
        return ReturnsOrderResult(returns_order=ref.returns_order)

    @activity.defn(name=CANCEL_RETURNS_ORDER)
    async def cancel_returns_order(self, input: CancelReturnsOrderInput) -> None:
        with rejections_as_application_errors():
            await self._erp.cancel_returns_order(input.returns_order, input.idempotency_key)

    @activity.defn(name=BUY_RETURN_LABEL)
    async def buy_return_label(self, input: ReturnLabelInput) -> ReturnLabelResult:
        with rejections_as_application_errors():
            label = await self._carrier.buy_return_label(
                ReturnLabelRequest(
                    rma_id=input.rma_id,
                    order_id=input.order_id,
                    ship_from=input.ship_from,
                    to_warehouse=input.warehouse,
                )
            )
        return ReturnLabelResult(
            label_id=label.label_id, carrier=label.carrier, tracking_number=label.tracking_number
        )

    @activity.defn(name=VOID_RETURN_LABEL)
    async def void_return_label(self, input: ReturnLabelInput) -> None:
        with rejections_as_application_errors():
            await self._carrier.void_return_label(input.rma_id)

    @activity.defn(name=RESTOCK_RETURNED)
    async def restock_returned(self, input: DispositionInput) -> None:
        with rejections_as_application_errors():
            await self._wms.restock(_disposition(input))

    @activity.defn(name=SCRAP_RETURNED)
    async def scrap_returned(self, input: DispositionInput) -> None:
        with rejections_as_application_errors():
            await self._wms.scrap(_disposition(input))

    @activity.defn(name=CREDIT_RETURN)
    async def credit_return(self, input: CreditReturnInput) -> CreditReturnResult:
        """The credit memo for what came back, less the fee; then a refund is due (the
        invoice was paid) or the credit lowers what the open invoice still owes."""
        items = _items(input.lines, authorized=False)
        fee = round_money(sum((item.net_amount for item in items), Decimal(0)) * input.fee_rate)
        with rejections_as_application_errors():
            ref = await self._erp.create_credit_memo(
                CreditMemoRequest(
                    idempotency_key=input.idempotency_key,
                    returns_order=input.returns_order,
                    original_billing_document=input.billing_document,
                    customer_id=input.customer_id,
                    currency=input.currency,
                    items=items,
                    fee=fee,
                )
            )
        credit = Money(amount=ref.gross_amount, currency=input.currency)
        view = await self._orders.view(input.order_id)
        invoice = next(
            (
                i
                for i in (view.invoices if view else [])
                if i.billing_document == input.billing_document
            ),
            None,
        )
        refund_due = invoice is None or invoice.state is InvoiceState.PAID
        if not refund_due and invoice is not None:
            applied = min(credit.amount, invoice.open_amount)
            application = CashApplication(
                entry_id=f"credit-memo-{ref.credit_memo}",
                billing_document=invoice.billing_document,
                order_workflow_id=f"order-{input.order_id}",
                customer_id=input.customer_id,
                currency=input.currency,
                amount=applied,
                open_after=invoice.open_amount - applied,
                short_reason=f"credit memo {ref.credit_memo} for return {input.rma_id}",
            )
            await asyncio.to_thread(self._cash.credit_memo, application, ref.credit_memo)
            await self._orders.tell(
                input.order_id,
                Payment(
                    payment_id=application.entry_id,
                    billing_document=invoice.billing_document,
                    amount=Money(amount=applied, currency=input.currency),
                    open_after=application.open_after,
                    rule=CREDIT_MEMO_RULE,
                    short_reason=application.short_reason,
                ),
            )
        return CreditReturnResult(
            credit_memo=ref.credit_memo,
            credit=credit,
            fee=Money(amount=fee, currency=input.currency),
            refund_due=refund_due,
        )


def _items(lines: list[ReturnLine], *, authorized: bool) -> list[ErpOrderItem]:
    items = []
    for line in lines:
        quantity = line.authorized if authorized else line.received
        if quantity > 0:
            items.append(
                ErpOrderItem(
                    line_no=line.line_no,
                    sku=line.sku,
                    quantity=quantity,
                    uom=line.uom,
                    net_amount=round_money(quantity * line.unit_price.amount),
                )
            )
    return items


def _disposition(input: DispositionInput) -> DispositionRequest:
    return DispositionRequest(
        idempotency_key=input.idempotency_key,
        rma_id=input.rma_id,
        warehouse=input.warehouse,
        sku=input.sku,
        quantity=input.quantity,
    )
