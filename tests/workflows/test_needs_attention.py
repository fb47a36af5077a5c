"""Parking: a step that fails for good waits in NEEDS_ATTENTION for ops to retry, skip
or cancel, and carries on from exactly where it stopped."""

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from adapters.errors import RejectionError
from canonical.events import ExecutionEventKind as Kind
from canonical.statuses import OrderStatus
from tests.workflows.support import (
    decide,
    parked,
    result_of,
    running_stack,
    send_event,
    until,
    view_of,
)
from workflows.contracts import DECIDE_SIGNAL, DECISION_REFUSED, NOT_PARKED


def _sap_refuses(message: str = "customer 1000001 is blocked for sales") -> RejectionError:
    return RejectionError(message, code="SAP_REJECTED", system="erp")


async def test_retry_after_the_fix_creates_exactly_one_sales_order_and_goes_on(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        stack.erp.fail_next("create_sales_order", _sap_refuses())
        verdict, handle = await stack.submit("PARK-1")
        assert verdict.status is OrderStatus.ACCEPTED
        view = await parked(handle)
        [problem] = view.attention
        assert (problem.step, problem.error_type, problem.shipment_id) == (
            "create_sales_order",
            "SAP_REJECTED",
            "",
        )
        assert "blocked for sales" in problem.message
        assert not problem.skippable
        assert stack.erp.sales_orders == {}
        entry = next(e for e in view.timeline if e.kind == "NEEDS_ATTENTION")
        assert "create_sales_order failed: SAP_REJECTED" in entry.detail

        view = await decide(handle, "retry", by="ops-1", note="block lifted in SAP")
        assert view.attention == []
        assert view.status is not OrderStatus.NEEDS_ATTENTION
        decision = next(e for e in view.timeline if e.kind == "OPS_DECISION")
        assert decision.detail == "retry create_sales_order by ops-1: block lifted in SAP"

        view = await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        assert len(stack.erp.sales_orders) == 1
        assert view.erp_order_id in stack.erp.sales_orders
        await handle.cancel()


async def test_a_retry_that_fails_again_parks_again(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        stack.erp.fail_next("create_sales_order", _sap_refuses(), times=2)
        _, handle = await stack.submit()
        await parked(handle)
        view = await decide(handle, "retry")
        view = await until(handle, lambda v: bool(v.attention) and v.attention[0].retries == 1)
        assert view.status is OrderStatus.NEEDS_ATTENTION
        assert [e.kind for e in view.timeline].count("NEEDS_ATTENTION") == 2
        await decide(handle, "retry")
        await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        assert len(stack.erp.sales_orders) == 1
        await handle.cancel()


async def test_the_decide_signal_from_the_temporal_ui_retries_too(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        stack.erp.fail_next("create_sales_order", _sap_refuses())
        _, handle = await stack.submit()
        await parked(handle)
        # What the Temporal UI sends: the signal name and plain JSON.
        await handle.signal(DECIDE_SIGNAL, {"action": "skip", "by": "ui"})
        await handle.signal(DECIDE_SIGNAL, {"action": "retry", "by": "ui", "note": "fixed"})
        view = await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        assert len(stack.erp.sales_orders) == 1
        refused = next(e for e in view.timeline if e.kind == "DECISION_REFUSED")
        assert "create_sales_order cannot be skipped" in refused.detail
        await handle.cancel()


async def test_decisions_that_do_not_fit_are_refused(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        _, handle = await stack.submit()
        await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        with pytest.raises(WorkflowUpdateFailedError) as nothing_waits:
            await decide(handle, "retry")
        assert isinstance(nothing_waits.value.cause, ApplicationError)
        assert nothing_waits.value.cause.type == NOT_PARKED
        await handle.cancel()

        stack.erp.fail_next("create_sales_order", _sap_refuses())
        _, handle = await stack.submit()
        await parked(handle)
        with pytest.raises(WorkflowUpdateFailedError) as no_skip:
            await decide(handle, "skip")
        assert isinstance(no_skip.value.cause, ApplicationError)
        assert no_skip.value.cause.type == DECISION_REFUSED
        assert (await view_of(handle)).status is OrderStatus.NEEDS_ATTENTION


async def test_skip_passes_a_skippable_step_by(time_skipping_env: WorkflowEnvironment) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        stack.wms.fail_next(
            "attach_label", RejectionError("label printer offline", code="WMS_REJECTED")
        )
        _, handle = await stack.submit("PARK-SKIP")
        await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        await send_event(handle, "PARK-SKIP-S1", Kind.PICKED)
        await send_event(handle, "PARK-SKIP-S1", Kind.PACKED)
        view = await parked(handle)
        [problem] = view.attention
        assert (problem.step, problem.shipment_id) == ("hand_label_to_warehouse", "PARK-SKIP-S1")
        assert problem.skippable

        view = await decide(handle, "skip", note="label taken to the dock by hand")
        assert view.attention == []
        assert view.status is OrderStatus.RELEASED
        await send_event(handle, "PARK-SKIP-S1", Kind.SHIPPED)
        view = await until(handle, lambda v: v.status is OrderStatus.INVOICED)
        assert len(stack.carrier.labels) == 1
        assert len(stack.erp.billing_documents) == 1
        assert stack.wms.reservations["PARK-SKIP-S1"].tracking_number == ""


async def test_after_shipping_billing_parks_cancel_is_refused_and_retry_bills_once(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        stack.erp.fail_next(
            "create_billing_document", _sap_refuses("pricing incomplete for item 10")
        )
        _, handle = await stack.submit("PARK-BILL")
        await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        for kind in (Kind.PICKED, Kind.PACKED):
            await send_event(handle, "PARK-BILL-S1", kind)
        await until(handle, lambda v: v.shipments[0].tracking_number != "")
        await send_event(handle, "PARK-BILL-S1", Kind.SHIPPED)
        view = await parked(handle)
        [problem] = view.attention
        assert (problem.step, problem.shipment_id) == ("create_billing_document", "PARK-BILL-S1")
        # The goods are gone: nothing can be unwound any more.
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await decide(handle, "cancel")
        assert isinstance(refused.value.cause, ApplicationError)
        assert "already shipped" in refused.value.cause.message

        # Progress made while parked is kept, and shown once the order goes on.
        await send_event(handle, "PARK-BILL-S1", Kind.DELIVERED, source="carrier")
        assert (await view_of(handle)).status is OrderStatus.NEEDS_ATTENTION
        await decide(handle, "retry", shipment_id="PARK-BILL-S1")
        result = await result_of(handle)
        assert result.status is OrderStatus.COMPLETED
        assert len(stack.erp.billing_documents) == 1
        assert len(stack.erp.deliveries) == 1
