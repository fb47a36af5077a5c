"""Returns on the time-skipping server: authorization, label, receipt, inspection,
restock or scrap, one credit memo; denials, approval, expiry, cancellation, retries."""

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment

from activities.returns import ReturnSettings
from adapters.errors import TransientError
from canonical.events import EventLine, ExecutionEvent, ExecutionEventKind
from canonical.returns import (
    ReturnLineRequest,
    ReturnReason,
    ReturnRequest,
    ReturnView,
)
from canonical.statuses import OrderStatus, ReturnStatus
from tests.workflows.support import Stack, pay_invoices, running_stack, ship_through, until
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

DAMAGED_FEE = Decimal("0.10")


@pytest.fixture
def env(time_skipping_env: WorkflowEnvironment) -> Iterator[WorkflowEnvironment]:
    """The time-skipping server, skipping only when a test sleeps: an order waiting for
    payment has timers (its due date) that waiting for a result would otherwise skip
    to, moving the clock past the return window behind the test's back."""
    with time_skipping_env.auto_time_skipping_disabled():
        yield time_skipping_env


SETTINGS = ReturnSettings(restocking_fees={ReturnReason.DAMAGED: DAMAGED_FEE})


async def delivered(
    env: WorkflowEnvironment, stack: Stack, order_id: str
) -> WorkflowHandle[Any, Any]:
    """The demo order (TG11 x 5 at 95.00, TG12 x 2 at 149.50), shipped and delivered,
    on the server's clock (which time skipping moves ahead of the real one)."""
    _, handle = await stack.submit(order_id)
    view = await until(handle, lambda v: v.status is OrderStatus.RELEASED)
    now = await env.get_current_time()
    await ship_through(handle, view.shipments[0].shipment_id, at=now)
    await until(handle, lambda v: v.shipments[0].delivered_at is not None)
    return handle


async def ask(
    stack: Stack, order_id: str, quantity: str = "2", reason: ReturnReason = ReturnReason.DAMAGED
) -> tuple[ReturnView, WorkflowHandle[Any, Any]]:
    rma_id = f"RMA-{uuid.uuid4().hex[:8]}"
    request = ReturnRequest(
        rma_id=rma_id,
        reason=reason,
        lines=[ReturnLineRequest(line_no=10, quantity=Decimal(quantity))],
    )
    handle: WorkflowHandle[Any, Any] = await stack.client.start_workflow(
        RETURN_WORKFLOW,
        ReturnWorkflowInput(rma_id=rma_id, order_id=order_id, request=request, retry=stack.retry),
        id=return_workflow_id(rma_id),
        task_queue=stack.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    stack.started.append(handle)
    verdict = await handle.execute_update(AUTHORIZATION_UPDATE, result_type=ReturnView)
    return verdict, handle


async def receive(
    handle: WorkflowHandle[Any, Any], rma_id: str, order_id: str, quantity: str, condition: str
) -> str:
    lines = [EventLine(line_no=10, sku="TG11", quantity=Decimal(quantity), condition=condition)]
    outcome: str = await handle.execute_update(
        RECORD_RETURN_EVENT_UPDATE,
        ExecutionEvent(
            event_id=uuid.uuid4().hex,
            source="wms",
            kind=ExecutionEventKind.RETURN_RECEIVED,
            order_id=order_id,
            rma_id=rma_id,
            warehouse="W1",
            occurred_at=datetime.now(UTC),
            lines=lines if Decimal(quantity) else [],
        ),
        result_type=str,
    )
    return outcome


async def view(handle: WorkflowHandle[Any, Any]) -> ReturnView:
    result: ReturnView = await handle.query(RETURN_VIEW_QUERY, result_type=ReturnView)
    return result


async def closed(handle: WorkflowHandle[Any, Any]) -> ReturnView:
    return ReturnView.model_validate(await handle.result())


async def test_two_damaged_units_come_back_restocked_and_credited_once(
    env: WorkflowEnvironment,
) -> None:
    async with running_stack(env.client, return_settings=SETTINGS) as stack:
        order = await delivered(env, stack, "RET-1")
        stock_before = stack.wms.available("W1", "TG11")

        verdict, handle = await ask(stack, "RET-1")

        assert verdict.status is ReturnStatus.AUTHORIZED, verdict.denial_reason
        rma = verdict.rma_id
        issued = await until_status(handle, ReturnStatus.LABEL_ISSUED)
        assert issued.tracking_number == stack.carrier.return_labels[rma].tracking_number
        (returns_order,) = stack.erp.returns_orders.values()
        assert [(i.sku, i.quantity) for i in returns_order.items] == [("TG11", Decimal(2))]

        assert await receive(handle, rma, "RET-1", "2", "sellable") == "accepted"
        done = await closed(handle)

        assert done.status is ReturnStatus.CLOSED
        assert stack.wms.available("W1", "TG11") == stock_before + 2
        (memo,) = stack.erp.credit_memos.values()
        assert sum(i.net_amount for i in memo.items) == Decimal("190.00")
        assert memo.fee == Decimal("19.00")
        assert done.fee is not None and done.fee.amount == Decimal("19.00")
        assert done.credit is not None and done.credit.amount == Decimal("203.49")  # 171 + 19 %
        assert not done.refund_due
        kinds = [e.kind for e in done.timeline]
        for step in (
            "AUTHORIZED",
            "LABEL_ISSUED",
            "RECEIVED",
            "INSPECTED",
            "RESTOCKED",
            "CREDITED",
        ):
            assert step in kinds
        # The invoice was open: the credit lowered what the order still owes.
        owing = await until(order, lambda v: v.invoices[0].paid > 0)
        assert owing.invoices[0].open_amount == Decimal("921.06") - Decimal("203.49")


async def test_a_paid_order_gets_a_refund_due(env: WorkflowEnvironment) -> None:
    async with running_stack(env.client, return_settings=SETTINGS) as stack:
        order = await delivered(env, stack, "RET-2")
        await pay_invoices(order)
        await until(order, lambda v: v.status is OrderStatus.COMPLETED)

        verdict, handle = await ask(stack, "RET-2")
        await until_status(handle, ReturnStatus.LABEL_ISSUED)
        await receive(handle, verdict.rma_id, "RET-2", "2", "damaged")
        done = await closed(handle)

        assert done.refund_due
        assert [line.disposition for line in done.lines] == ["scrap"]
        assert len(stack.wms.scrapped) == 1 and stack.wms.restocked == {}


async def test_more_than_shipped_or_already_returned_is_denied(
    env: WorkflowEnvironment,
) -> None:
    async with running_stack(env.client, return_settings=SETTINGS) as stack:
        await delivered(env, stack, "RET-3")

        too_many, _ = await ask(stack, "RET-3", quantity="6")
        assert too_many.status is ReturnStatus.DENIED
        assert "only 5 shipped" in too_many.denial_reason

        first, first_handle = await ask(stack, "RET-3", quantity="4")
        assert first.status is ReturnStatus.AUTHORIZED
        second, _ = await ask(stack, "RET-3", quantity="2")
        assert second.status is ReturnStatus.DENIED
        assert "only 1 shipped and not already returned" in second.denial_reason
        await first_handle.cancel()
        with pytest.raises(WorkflowFailureError):
            await first_handle.result()
        # Nothing reached the ERP for the denied ones; the cancelled one was undone.
        assert stack.erp.returns_orders == {}
        assert len(stack.erp.cancelled_returns) == 1


async def test_after_the_window_a_return_is_denied(env: WorkflowEnvironment) -> None:
    async with running_stack(env.client, return_settings=SETTINGS) as stack:
        await delivered(env, stack, "RET-9")
        await env.sleep(timedelta(days=31))

        late, _ = await ask(stack, "RET-9", quantity="1")

        assert late.status is ReturnStatus.DENIED
        assert "return window closed" in late.denial_reason
        assert stack.erp.returns_orders == {} and stack.erp.cancelled_returns == []


async def test_a_partial_receipt_credits_only_what_arrived(
    env: WorkflowEnvironment,
) -> None:
    async with running_stack(env.client, return_settings=SETTINGS) as stack:
        await delivered(env, stack, "RET-4")
        verdict, handle = await ask(stack, "RET-4")
        await until_status(handle, ReturnStatus.LABEL_ISSUED)

        await receive(handle, verdict.rma_id, "RET-4", "1", "sellable")
        done = await closed(handle)

        (memo,) = stack.erp.credit_memos.values()
        assert [(i.sku, i.quantity) for i in memo.items] == [("TG11", Decimal(1))]
        assert done.lines[0].received == Decimal(1)


async def test_nothing_received_in_the_window_expires_and_undoes(
    env: WorkflowEnvironment,
) -> None:
    async with running_stack(env.client, return_settings=SETTINGS) as stack:
        await delivered(env, stack, "RET-5")
        verdict, handle = await ask(stack, "RET-5")
        await until_status(handle, ReturnStatus.LABEL_ISSUED)

        await env.sleep(timedelta(days=22))
        done = await closed(handle)

        assert done.status is ReturnStatus.EXPIRED
        assert verdict.rma_id in stack.carrier.voided_returns
        assert len(stack.erp.cancelled_returns) == 1 and stack.erp.returns_orders == {}
        assert stack.erp.credit_memos == {}
        # The quantities are free again.
        again, _ = await ask(stack, "RET-5", quantity="5")
        assert again.status is ReturnStatus.AUTHORIZED


async def test_a_high_value_return_waits_for_approval_and_expires_without_one(
    env: WorkflowEnvironment,
) -> None:
    settings = SETTINGS.model_copy(update={"approval_threshold": Decimal("90")})
    async with running_stack(env.client, return_settings=settings) as stack:
        await delivered(env, stack, "RET-6")

        waiting, handle = await ask(stack, "RET-6")
        assert waiting.awaiting_approval and waiting.status is ReturnStatus.REQUESTED
        approved = await handle.execute_update(
            APPROVAL_UPDATE, ApprovalDecision(approve=True, by="ops-1"), result_type=ReturnView
        )
        assert approved.status in (ReturnStatus.AUTHORIZED, ReturnStatus.LABEL_ISSUED)
        # Nothing in flight when time is skipped below: an activity still running then
        # would hold the test server's clock.
        await until_status(handle, ReturnStatus.LABEL_ISSUED)

        unattended, other = await ask(stack, "RET-6", quantity="1")
        assert unattended.awaiting_approval
        await env.sleep(timedelta(days=8))
        denied = await closed(other)
        assert denied.status is ReturnStatus.DENIED
        assert "not approved" in denied.denial_reason
        assert len(stack.erp.returns_orders) == 1


async def test_a_cancelled_return_voids_its_label_and_returns_order(
    env: WorkflowEnvironment,
) -> None:
    async with running_stack(env.client, return_settings=SETTINGS) as stack:
        await delivered(env, stack, "RET-7")
        verdict, handle = await ask(stack, "RET-7")
        await until_status(handle, ReturnStatus.LABEL_ISSUED)

        await handle.cancel()
        with pytest.raises(WorkflowFailureError):
            await handle.result()

        final = await view(handle)
        assert final.status is ReturnStatus.CLOSED
        assert verdict.rma_id in stack.carrier.voided_returns
        assert len(stack.erp.cancelled_returns) == 1 and stack.erp.returns_orders == {}


async def test_every_step_retried_still_makes_one_of_each(
    env: WorkflowEnvironment,
) -> None:
    async with running_stack(env.client, return_settings=SETTINGS) as stack:
        await delivered(env, stack, "RET-8")
        stock_before = stack.wms.available("W1", "TG11")
        lost = TransientError("connection reset", system="test")
        # Each call succeeds in the outside system and its answer is lost, once.
        stack.erp.fail_next("create_returns_order", lost, after_effect=True)
        stack.erp.fail_next("create_credit_memo", lost, after_effect=True)
        stack.carrier.fail_next("buy_return_label", lost, after_effect=True)
        stack.wms.fail_next("restock", lost, after_effect=True)

        verdict, handle = await ask(stack, "RET-8")
        await until_status(handle, ReturnStatus.LABEL_ISSUED)
        await receive(handle, verdict.rma_id, "RET-8", "2", "sellable")
        done = await closed(handle)

        assert done.status is ReturnStatus.CLOSED
        assert len(stack.erp.returns_orders) == 1
        assert len(stack.erp.credit_memos) == 1
        assert len(stack.carrier.return_labels) == 1
        assert stack.wms.available("W1", "TG11") == stock_before + 2


async def until_status(handle: WorkflowHandle[Any, Any], status: ReturnStatus) -> ReturnView:
    for _ in range(300):
        current = await view(handle)
        if current.status is status:
            return current
        await asyncio.sleep(0.05)
    raise AssertionError(f"never {status}; last: {current.model_dump_json()}")
