"""Cash application on the time-skipping server: credits from the bank, matched to the
orders' invoices, cleared in the ERP, and the orders paid; unapplied cash decided by ops;
and an unpaid order falling overdue."""

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from canonical.invoices import Invoice, InvoiceState
from canonical.statuses import OrderStatus
from tests.workflows.support import (
    Stack,
    result_of,
    running_stack,
    ship_through,
    until,
    view_of,
)
from workflows.cash_contracts import (
    CASH_APPLICATION_WORKFLOW,
    CASH_DECISION_WORKFLOW,
    CashDecisionInput,
    CashRunInput,
    CashRunResult,
)


async def invoiced(stack: Stack, order_id: str) -> tuple[WorkflowHandle[Any, Any], Invoice]:
    """An order shipped, delivered and billed: its handle and its invoice."""
    _, handle = await stack.submit(order_id)
    view = await until(handle, lambda v: v.status is OrderStatus.RELEASED)
    await ship_through(handle, view.shipments[0].shipment_id)
    view = await until(handle, lambda v: v.status is OrderStatus.INVOICED)
    (invoice,) = view.invoices
    return handle, invoice


async def run_cash(stack: Stack) -> CashRunResult:
    result: CashRunResult = await stack.client.execute_workflow(
        CASH_APPLICATION_WORKFLOW,
        CashRunInput(account="ACME", retry=stack.retry),
        id=f"cash-run-{uuid.uuid4().hex[:8]}",
        task_queue=stack.task_queue,
        result_type=CashRunResult,
    )
    return result


async def decide(stack: Stack, unapplied_id: int, invoices: list[str]) -> CashRunResult:
    result: CashRunResult = await stack.client.execute_workflow(
        CASH_DECISION_WORKFLOW,
        CashDecisionInput(unapplied_id=unapplied_id, invoices=invoices, retry=stack.retry),
        id=f"cash-decision-{uuid.uuid4().hex[:8]}",
        task_queue=stack.task_queue,
        result_type=CashRunResult,
    )
    return result


def gross(invoice: Invoice) -> Decimal:
    return invoice.amount_due.amount


async def test_a_payment_quoting_the_invoice_pays_and_completes_the_order(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        handle, invoice = await invoiced(stack, "CASH-1")
        assert invoice.tax is not None and invoice.tax.amount > 0
        stack.bank.add_credit(
            "ACME",
            gross(invoice),
            payer_name="Becker Berlin",
            structured_reference=invoice.billing_document,
        )
        stack.bank.end_day()

        result = await run_cash(stack)

        assert [(a.billing_document, a.amount) for a in result.applied] == [
            (invoice.billing_document, gross(invoice))
        ]
        assert result.orders_signalled == ["order-CASH-1"]
        assert stack.erp.open_receivables_now() == []
        (clearing,) = stack.erp.clearings
        assert [line.billing_documents for line in clearing.lines] == [[invoice.billing_document]]
        final = await result_of(handle)
        assert final.status is OrderStatus.COMPLETED
        kinds = [e.kind for e in final.timeline]
        assert kinds[-3:] == ["PAYMENT_RECEIVED", "PAID", "COMPLETED"]
        (payment,) = final.payments
        assert (payment.billing_document, payment.rule) == (invoice.billing_document, "reference")

        # The same statement read again clears nothing twice, and costs no ERP call.
        erp_calls = len(stack.erp.calls)
        again = await run_cash(stack)
        assert again.applied == [] and again.credits == 0
        assert len(stack.erp.clearings) == 1
        assert len(stack.erp.calls) == erp_calls


async def test_one_credit_for_two_orders_pays_both(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        first, one = await invoiced(stack, "CASH-2A")
        second, two = await invoiced(stack, "CASH-2B")
        stack.bank.add_credit(
            "ACME",
            gross(one) + gross(two),
            payer_name="Becker Berlin",
            remittance_lines=[f"Invoices {one.billing_document} and {two.billing_document}"],
        )
        stack.bank.end_day()

        result = await run_cash(stack)

        assert sorted(a.billing_document for a in result.applied) == sorted(
            [one.billing_document, two.billing_document]
        )
        assert sorted(result.orders_signalled) == ["order-CASH-2A", "order-CASH-2B"]
        assert (await result_of(first)).status is OrderStatus.COMPLETED
        assert (await result_of(second)).status is OrderStatus.COMPLETED


async def test_a_short_payment_leaves_the_rest_open_with_the_reason(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        handle, invoice = await invoiced(stack, "CASH-3")
        short = gross(invoice) - Decimal("70.00")
        stack.bank.add_credit(
            "ACME",
            short,
            payer_name="Becker Berlin",
            remittance_lines=[f"{invoice.billing_document} less 70.00 damaged goods"],
        )
        stack.bank.end_day()

        result = await run_cash(stack)

        (applied,) = result.applied
        assert (applied.amount, applied.open_after) == (short, Decimal("70.00"))
        (part,) = stack.erp.part_payments
        assert (part.billing_document, part.amount) == (invoice.billing_document, short)
        assert "damaged goods" in part.reason
        assert stack.erp.clearings == []
        view = await until(handle, lambda v: v.invoices[0].state is InvoiceState.PARTLY_PAID)
        assert view.status is OrderStatus.INVOICED
        assert view.invoices[0].open_amount == Decimal("70.00")
        assert "damaged goods" in view.invoices[0].short_reason


async def test_money_naming_no_invoice_waits_for_an_ops_decision(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        handle, invoice = await invoiced(stack, "CASH-4")
        stack.bank.add_credit(
            "ACME", gross(invoice), payer_name="Someone Else GmbH", remittance_lines=["PAYMENT"]
        )
        stack.bank.end_day()

        result = await run_cash(stack)

        assert result.applied == []
        (kept,) = result.unapplied
        assert Decimal(kept.amount) == gross(invoice)
        (item,) = stack.ledger.unapplied()
        assert item.id is not None
        assert (await view_of(handle)).status is OrderStatus.INVOICED

        decided = await decide(stack, item.id, [invoice.billing_document])

        assert [a.billing_document for a in decided.applied] == [invoice.billing_document]
        assert stack.ledger.unapplied() == []
        assert (await result_of(handle)).status is OrderStatus.COMPLETED
        # A second decision on the same money is refused.
        with pytest.raises(WorkflowFailureError):
            await decide(stack, item.id, [invoice.billing_document])


async def test_an_order_unpaid_after_its_terms_is_overdue_and_dunned(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        handle, invoice = await invoiced(stack, "CASH-5")
        assert invoice.due_on is not None and invoice.billed_on is not None
        assert (invoice.due_on - invoice.billed_on).days == 30

        await time_skipping_env.sleep(timedelta(days=29))
        assert "PAYMENT_OVERDUE" not in [e.kind for e in (await view_of(handle)).timeline]

        await time_skipping_env.sleep(timedelta(days=2))  # 31 days after billing

        view = await view_of(handle)
        kinds = [e.kind for e in view.timeline]
        assert "PAYMENT_OVERDUE" in kinds and "DUNNING_NOTICE" in kinds
        overdue = next(e for e in view.timeline if e.kind == "PAYMENT_OVERDUE")
        assert invoice.billing_document in overdue.detail
        assert view.status is OrderStatus.INVOICED
