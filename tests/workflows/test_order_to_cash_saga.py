"""The saga: a failure at each step, and a cancellation at each stage, unwinds what
was done, last first; past shipping, a cancellation is refused."""

from typing import Any

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import CancelledError
from temporalio.testing import WorkflowEnvironment

from adapters.errors import RejectionError, TransientError
from canonical.events import ExecutionEventKind as Kind
from canonical.statuses import OrderStatus, ShipmentStatus
from canonical.view import OrderView
from tests.workflows.support import (
    Stack,
    compensations_run,
    decide,
    parked,
    result_of,
    running_stack,
    send_event,
    until,
    view_of,
)
from workflows.contracts import RetryBudget

RELEASE, CANCEL_SO, RECALL, VOID = (
    "release_inventory",
    "cancel_sales_order",
    "recall_from_warehouse",
    "void_label",
)

# A step that keeps failing without running out of attempts, to cancel it mid-way.
ENDLESS = RetryBudget(
    initial_interval_seconds=0.05, maximum_interval_seconds=0.1, maximum_attempts=0
)


def _refuse(stack: Stack, system: str, method: str) -> None:
    fake: Any = {"erp": stack.erp, "wms": stack.wms, "carrier": stack.carrier}[system]
    fake.fail_next(method, RejectionError(f"{method} refused", code="REFUSED", system=system))


@pytest.mark.parametrize(
    ("system", "method", "step", "needs_packing", "undone"),
    [
        ("erp", "create_sales_order", "create_sales_order", False, [CANCEL_SO]),
        ("wms", "reserve", "reserve_inventory", False, [RELEASE, CANCEL_SO]),
        ("wms", "release_to_pick", "release_to_warehouse", False, [RECALL, RELEASE, CANCEL_SO]),
        ("carrier", "buy_label", "buy_label", True, [VOID, RECALL, RELEASE, CANCEL_SO]),
        (
            "wms",
            "attach_label",
            "hand_label_to_warehouse",
            True,
            [VOID, RECALL, RELEASE, CANCEL_SO],
        ),
    ],
)
async def test_a_refusal_at_each_step_parks_and_cancel_unwinds_in_reverse(
    time_skipping_env: WorkflowEnvironment,
    system: str,
    method: str,
    step: str,
    needs_packing: bool,
    undone: list[str],
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        _refuse(stack, system, method)
        _, handle = await stack.submit()
        if needs_packing:
            view = await until(handle, lambda v: v.status is OrderStatus.RELEASED)
            await send_event(handle, view.shipments[0].shipment_id, Kind.PACKED)
        view = await parked(handle)
        [problem] = view.attention
        assert (problem.step, problem.error_type) == (step, "REFUSED")
        assert f"{method} refused" in problem.message
        assert compensations_run(view) == []  # nothing undone while it waits

        await decide(handle, "cancel", by="ops-test", note="customer withdrew")
        view = OrderView.model_validate(await handle.result())
        assert view.status is OrderStatus.CANCELLED
        assert view.attention == []
        assert compensations_run(view) == undone
        assert {c.step: c.state for c in view.compensations} == {step: "done" for step in undone}
        cancel = next(e for e in view.timeline if e.kind == "CANCEL_REQUESTED")
        assert cancel.detail == "by ops-test: customer withdrew"
        shipment_id = f"{view.order_id}-S1"
        # What the outside systems were left with: nothing held, nothing open.
        assert stack.wms.status_of(shipment_id) in (None, "CANCELLED")
        assert stack.wms.available("W1", "TG11") == 100
        assert stack.erp.sales_orders == {}
        assert stack.carrier.labels == {}


async def test_transient_failures_are_retried_not_unwound(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        stack.wms.fail_next("reserve", TransientError("503 from WMS", system="wms"), times=3)
        stack.erp.fail_next("create_sales_order", TransientError("no work process"), times=2)
        _, handle = await stack.submit()
        view = await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        assert len(stack.wms.calls_to("reserve")) == 4
        assert len(stack.erp.sales_orders) == 1
        assert compensations_run(view) == []
        await handle.cancel()


async def test_a_step_that_never_recovers_parks_after_its_budget(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        stack.wms.fail_next("release_to_pick", TransientError("WMS down", system="wms"), times=50)
        _, handle = await stack.submit()
        view = await parked(handle)
        assert len(stack.wms.calls_to("release_to_pick")) == 8
        [problem] = view.attention
        assert (problem.step, problem.error_type) == ("release_to_warehouse", "RETRIES_EXHAUSTED")
        assert "WMS down" in problem.message
        # Temporal's own Cancel (the UI's button) unwinds a parked order too.
        await _cancel_and_expect_cancelled(stack, handle, [RECALL, RELEASE, CANCEL_SO])


async def _cancel_and_expect_cancelled(stack: Stack, handle: Any, undone: list[str]) -> None:
    await handle.cancel()
    with pytest.raises(WorkflowFailureError) as failure:
        await handle.result()
    assert isinstance(failure.value.cause, CancelledError)
    view = await view_of(handle)
    assert view.status is OrderStatus.CANCELLED
    assert compensations_run(view) == undone
    assert "CANCEL_REQUESTED" in [e.kind for e in view.timeline]
    assert stack.wms.available("W1", "TG11") == 100
    assert stack.erp.sales_orders == {}
    assert stack.carrier.labels == {}


async def test_cancel_while_reserving(time_skipping_env: WorkflowEnvironment) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        stack.retry = ENDLESS
        stack.wms.fail_next("reserve", TransientError("slow WMS", system="wms"), times=1000)
        with time_skipping_env.auto_time_skipping_disabled():
            verdict, handle = await stack.submit()
            assert verdict.status is OrderStatus.ACCEPTED
            await until(handle, lambda v: bool(v.erp_order_id))
            await _wait_for(lambda: bool(stack.wms.calls_to("reserve")))
            await _cancel_and_expect_cancelled(stack, handle, [RELEASE, CANCEL_SO])


async def test_cancel_while_creating_the_sales_order(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        stack.retry = ENDLESS
        stack.erp.fail_next(
            "create_sales_order",
            TransientError("timeout", system="erp"),
            times=1000,
            after_effect=True,
        )
        with time_skipping_env.auto_time_skipping_disabled():
            _, handle = await stack.submit()
            # The sales order exists but its number never reached us: the
            # compensation finds it by its idempotency key.
            await _wait_for(lambda: bool(stack.erp.sales_orders))
            await _cancel_and_expect_cancelled(stack, handle, [CANCEL_SO])
            assert len(stack.erp.cancelled) == 1


async def test_cancel_while_waiting_for_the_warehouse(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        _, handle = await stack.submit()
        await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        await _cancel_and_expect_cancelled(stack, handle, [RECALL, RELEASE, CANCEL_SO])
        assert stack.wms.calls_to("recall")


async def test_cancel_after_the_label_was_bought(time_skipping_env: WorkflowEnvironment) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        _, handle = await stack.submit()
        view = await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        await send_event(handle, view.shipments[0].shipment_id, Kind.PACKED)
        await until(handle, lambda v: v.shipments[0].status is ShipmentStatus.LABELLED)
        await _cancel_and_expect_cancelled(stack, handle, [VOID, RECALL, RELEASE, CANCEL_SO])
        assert len(stack.carrier.voided_labels) == 1


async def test_cancel_after_shipping_is_refused_and_the_order_completes(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        _, handle = await stack.submit()
        view = await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        shipment_id = view.shipments[0].shipment_id
        await send_event(handle, shipment_id, Kind.PACKED)
        await until(handle, lambda v: v.shipments[0].status is ShipmentStatus.LABELLED)
        await send_event(handle, shipment_id, Kind.SHIPPED)
        await until(handle, lambda v: v.status is OrderStatus.INVOICED)
        await handle.cancel()
        await until(handle, lambda v: "CANCEL_REFUSED" in [e.kind for e in v.timeline])
        await send_event(handle, shipment_id, Kind.DELIVERED, source="carrier")
        result = await result_of(handle)
        assert result.status is OrderStatus.COMPLETED
        assert stack.erp.cancelled == []
        assert len(stack.erp.billing_documents) == 1


async def test_duplicate_and_late_events_change_nothing(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        _, handle = await stack.submit()
        view = await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        shipment_id = view.shipments[0].shipment_id
        for _ in range(3):
            await send_event(handle, shipment_id, Kind.PACKED, event_id="evt-packed-1")
        await until(handle, lambda v: v.shipments[0].status is ShipmentStatus.LABELLED)
        await send_event(handle, shipment_id, Kind.PICKED)  # late: after packed
        view = await until(handle, lambda v: "SHIPMENT_PICKED" in [e.kind for e in v.timeline])
        assert view.shipments[0].status is ShipmentStatus.LABELLED
        assert [e.kind for e in view.timeline].count("SHIPMENT_PACKED") == 1
        assert len(stack.carrier.labels) == 1
        await handle.cancel()


async def _wait_for(check: Any, seconds: float = 10) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():
        assert loop.time() < deadline, "condition never held"
        await asyncio.sleep(0.05)
