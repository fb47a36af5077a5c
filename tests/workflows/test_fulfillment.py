"""Fulfillment at distributor scale, on the time-skipping server: split shipments,
backorders and their window, ship-complete orders, short picks, rate shopping."""

from datetime import timedelta
from decimal import Decimal

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.testing import WorkflowEnvironment

from adapters.erp.port import ErpProduct
from adapters.wms.fake import FakeWms
from canonical.events import EventLine
from canonical.events import ExecutionEventKind as Kind
from canonical.orders import FulfillmentPolicy, ServiceLevel, SubmittedLine
from canonical.statuses import OrderStatus
from canonical.view import OrderView
from tests.workflows.support import (
    Stack,
    decide,
    parked,
    result_of,
    running_stack,
    send_event,
    ship_through,
    submission,
    until,
    view_of,
)
from workflows.contracts import STOCK_ARRIVED_SIGNAL, StockArrival

THREE_LINES = [
    SubmittedLine(sku="TG11", quantity=Decimal(5)),
    SubmittedLine(sku="TG12", quantity=Decimal(2)),
    SubmittedLine(sku="TG13", quantity=Decimal(4)),
]


def _with_tg13(stack: Stack) -> None:
    stack.erp.products["TG13"] = ErpProduct(sku="TG13", description="Case", base_unit="PC")


def _billed_total(stack: Stack) -> Decimal:
    return sum(
        (i.net_amount for doc in stack.erp.billing_documents.values() for i in doc.items),
        Decimal(0),
    )


async def test_an_order_no_warehouse_can_fill_ships_from_two(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    wms = FakeWms(on_hand={("W1", "TG11"): 10, ("W1", "TG12"): 10, ("W2", "TG13"): 10})
    async with running_stack(time_skipping_env.client, wms=wms) as stack:
        _with_tg13(stack)
        verdict, handle = await stack.submit("SPLIT-1", submission(lines=THREE_LINES))
        assert verdict.view.total is not None
        view = await until(handle, lambda v: len(v.shipments) == 2)
        layout = {
            s.shipment_id: (s.warehouse, sorted(ln.sku for ln in s.lines)) for s in view.shipments
        }
        assert layout == {"SPLIT-1-S1": ("W1", ["TG11", "TG12"]), "SPLIT-1-S2": ("W2", ["TG13"])}

        await ship_through(handle, "SPLIT-1-S1")
        await until(handle, lambda v: v.status is OrderStatus.PARTIALLY_SHIPPED)
        await ship_through(handle, "SPLIT-1-S2")
        result = await result_of(handle)

        assert result.status is OrderStatus.COMPLETED
        assert len({s.tracking_number for s in result.shipments}) == 2
        assert {s.delivery_document for s in result.shipments} == set(stack.erp.deliveries)
        assert len(stack.erp.billing_documents) == 2
        assert _billed_total(stack) == verdict.view.total.amount
        assert sum((i.net.amount for i in result.invoices), Decimal(0)) == verdict.view.total.amount


async def test_a_short_line_waits_as_a_backorder_and_ships_when_stock_arrives(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    wms = FakeWms(on_hand={("W1", "TG11"): 10})
    async with running_stack(time_skipping_env.client, wms=wms) as stack:
        verdict, handle = await stack.submit("BACK-1")
        view = await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        assert [(b.sku, b.quantity, b.state) for b in view.backorders] == [
            ("TG12", Decimal(2), "waiting")
        ]
        assert view.backorders[0].until - view.backorders[0].since == timedelta(days=14)
        await ship_through(handle, "BACK-1-S1")
        await until(handle, lambda v: v.status is OrderStatus.PARTIALLY_SHIPPED)

        stack.wms.set_stock("W3", "TG12", 5)
        await handle.signal(STOCK_ARRIVED_SIGNAL, StockArrival(warehouse="W3", skus=["TG12"]))
        view = await until(handle, lambda v: len(v.shipments) == 2)
        assert view.shipments[1].warehouse == "W3"
        assert view.backorders[0].state == "released"
        await ship_through(handle, "BACK-1-S2")
        result = await result_of(handle)
        assert result.status is OrderStatus.COMPLETED
        assert verdict.view.total is not None
        assert _billed_total(stack) == verdict.view.total.amount
        assert stack.erp.rejections == []


async def test_a_backorder_past_its_window_is_cancelled_in_the_erp(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    wms = FakeWms(on_hand={("W1", "TG11"): 10})
    async with running_stack(time_skipping_env.client, wms=wms) as stack:
        _, handle = await stack.submit("EXPIRE-1")
        await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        await ship_through(handle, "EXPIRE-1-S1")
        # Nothing arrives in the 14 days.
        await time_skipping_env.sleep(timedelta(days=15))
        result = await result_of(handle)

        assert result.status is OrderStatus.COMPLETED
        assert [b.state for b in result.backorders] == ["cancelled"]
        assert "BACKORDER_CANCELLED" in [e.kind for e in result.timeline]
        ((sales_order, line_no, keep, reason),) = stack.erp.rejections
        assert (sales_order, line_no, keep) == (result.erp_order_id, 20, Decimal(0))
        assert "14 days" in reason
        assert stack.erp.items_of(result.erp_order_id) == {10: Decimal(5)}
        assert _billed_total(stack) == Decimal("475.00")  # what shipped: 5 x 95.00


async def test_a_ship_complete_order_waits_and_ships_once(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    wms = FakeWms(on_hand={("W1", "TG11"): 10, ("W2", "TG12"): 10})
    async with running_stack(time_skipping_env.client, wms=wms) as stack:
        body = submission(fulfillment_policy=FulfillmentPolicy.SHIP_COMPLETE)
        _, handle = await stack.submit("COMPLETE-1", body)
        view = await until(handle, lambda v: v.status is OrderStatus.BACKORDERED)
        assert view.shipments == []
        assert stack.wms.reservations == {}

        stack.wms.set_stock("W2", "TG11", 5)
        await handle.signal(STOCK_ARRIVED_SIGNAL, StockArrival(warehouse="W2", skus=["TG11"]))
        view = await until(handle, lambda v: len(v.shipments) == 1)
        assert view.shipments[0].warehouse == "W2"
        assert len(view.shipments[0].lines) == 2
        await ship_through(handle, "COMPLETE-1-S1")
        result = await result_of(handle)
        assert result.status is OrderStatus.COMPLETED
        assert len(result.shipments) == 1


async def test_a_ship_complete_order_past_its_window_is_cancelled(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    wms = FakeWms(on_hand={("W1", "TG11"): 10, ("W2", "TG12"): 10})
    async with running_stack(time_skipping_env.client, wms=wms) as stack:
        body = submission(fulfillment_policy=FulfillmentPolicy.SHIP_COMPLETE)
        _, handle = await stack.submit("COMPLETE-2", body)
        with pytest.raises(WorkflowFailureError):
            await handle.result()
        view = await view_of(handle)
        assert view.status is OrderStatus.CANCELLED
        assert "BACKORDER_EXPIRED" in view.failure
        assert stack.erp.sales_orders == {}


async def test_a_short_pick_goes_back_to_planning(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    wms = FakeWms(on_hand={("W1", "TG11"): 10, ("W1", "TG12"): 10, ("W2", "TG11"): 10})
    async with running_stack(time_skipping_env.client, wms=wms) as stack:
        verdict, handle = await stack.submit("SHORT-1")
        await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        # W1 finds only 3 of the 5 TG11 and corrects its stock (as a WMS does after a
        # short pick): the other 2 ship from W2.
        stack.wms.set_stock("W1", "TG11", 5)
        await send_event(
            handle,
            "SHORT-1-S1",
            Kind.PICKED,
            lines=[
                EventLine(line_no=10, sku="TG11", quantity=Decimal(3)),
                EventLine(line_no=20, sku="TG12", quantity=Decimal(2)),
            ],
        )
        view = await until(handle, lambda v: len(v.shipments) == 2)
        assert "SHORT_PICKED" in [e.kind for e in view.timeline]
        second = view.shipments[1]
        assert (second.warehouse, [(ln.sku, ln.quantity) for ln in second.lines]) == (
            "W2",
            [("TG11", Decimal(2))],
        )
        await send_event(handle, "SHORT-1-S1", Kind.PACKED)
        await until(handle, lambda v: v.shipments[0].tracking_number != "")
        await send_event(handle, "SHORT-1-S1", Kind.SHIPPED)
        await send_event(handle, "SHORT-1-S1", Kind.DELIVERED, source="carrier")
        await ship_through(handle, "SHORT-1-S2")
        result = await result_of(handle)
        assert result.status is OrderStatus.COMPLETED
        assert [(ln.sku, ln.quantity) for ln in result.shipments[0].shipped_lines] == [
            ("TG11", Decimal(3)),
            ("TG12", Decimal(2)),
        ]
        assert verdict.view.total is not None
        assert _billed_total(stack) == verdict.view.total.amount


async def test_the_cheapest_quote_within_the_service_level_wins(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        body = submission(service_level=ServiceLevel.EXPRESS)
        _, handle = await stack.submit("EXPRESS-1", body)
        await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        await send_event(handle, "EXPRESS-1-S1", Kind.PACKED)
        view = await until(handle, lambda v: v.shipments[0].carrier != "")
        express = [q for q in stack.tms.quotes if q.transit_days <= 1]
        cheapest = min(express, key=lambda q: q.price.amount)
        shipment = view.shipments[0]
        assert (shipment.carrier, shipment.service) == (cheapest.carrier, cheapest.service)
        assert stack.carrier.labels["EXPRESS-1-S1"].carrier == cheapest.carrier
        await handle.cancel()


async def test_no_carrier_within_the_service_level_parks_the_order_until_ops_cancel(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        stack.tms.quotes = [q for q in stack.tms.quotes if q.transit_days > 1]
        _, handle = await stack.submit("EXPRESS-2", submission(service_level=ServiceLevel.EXPRESS))
        await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        await send_event(handle, "EXPRESS-2-S1", Kind.PACKED)
        view = await parked(handle)
        [problem] = view.attention
        assert (problem.step, problem.shipment_id, problem.error_type) == (
            "rate_shop",
            "EXPRESS-2-S1",
            "NO_CARRIER",
        )
        assert "within 1 day" in problem.message
        assert stack.carrier.labels == {}

        await decide(handle, "cancel", note="customer agreed to cancel")
        view = OrderView.model_validate(await handle.result())
        assert view.status is OrderStatus.CANCELLED
        assert stack.erp.sales_orders == {}
        assert stack.wms.available("W1", "TG11") == 100
