"""The order-to-cash path on the time-skipping server: verdicts and the happy path."""

from decimal import Decimal

import pytest
from temporalio.testing import WorkflowEnvironment

from adapters.erp.port import ErpProduct
from canonical.events import ExecutionEventKind as Kind
from canonical.orders import RejectionCode, SubmittedLine
from canonical.quantities import UnitOfMeasure
from canonical.statuses import OrderStatus, ShipmentStatus
from tests.workflows.support import result_of, running_stack, send_event, submission, until


async def test_an_order_goes_from_verdict_to_completed(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        verdict, handle = await stack.submit("HAPPY-1")
        assert verdict.status is OrderStatus.ACCEPTED
        assert verdict.view.total is not None
        assert verdict.view.total.amount == Decimal("774.00")  # 5 x 95.00 + 2 x 149.50

        view = await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        shipment_id = view.shipments[0].shipment_id
        assert shipment_id == "HAPPY-1-S1"
        assert view.shipments[0].warehouse == "W1"
        # The ERP holds exactly one sales order, with the customer's PO.
        assert len(stack.erp.sales_orders) == 1
        ((sales_order, request),) = stack.erp.sales_orders.items()
        assert view.erp_order_id == sales_order
        assert request.customer_po == "PO-4711"
        assert [(i.sku, i.quantity) for i in request.items] == [
            ("TG11", Decimal(5)),
            ("TG12", Decimal(2)),
        ]
        assert stack.wms.available("W1", "TG11") == 95

        await send_event(handle, shipment_id, Kind.PICKED)
        await send_event(handle, shipment_id, Kind.PACKED)
        view = await until(handle, lambda v: v.shipments[0].status is ShipmentStatus.LABELLED)
        label = stack.carrier.labels[shipment_id]
        assert view.shipments[0].tracking_number == label.tracking_number
        assert stack.wms.reservations[shipment_id].tracking_number == label.tracking_number

        await send_event(handle, shipment_id, Kind.SHIPPED, tracking_number=label.tracking_number)
        view = await until(handle, lambda v: v.status is OrderStatus.INVOICED)
        ((billing_document, billed),) = stack.erp.billing_documents.items()
        assert view.invoices[0].billing_document == billing_document
        assert billed.sales_order == sales_order
        assert sum(i.net_amount for i in billed.items) == Decimal("774.00")

        await send_event(handle, shipment_id, Kind.IN_TRANSIT, source="carrier")
        await send_event(handle, shipment_id, Kind.DELIVERED, source="carrier")
        result = await result_of(handle)
        assert result.status is OrderStatus.COMPLETED
        assert result.shipments[0].status is ShipmentStatus.DELIVERED
        # The order's two undo steps and its shipment's two, none of them needed.
        assert [c.state for c in result.compensations] == ["not_needed"] * 4
        (delivery,) = stack.erp.deliveries.values()
        assert [(i.sku, i.quantity) for i in delivery.items] == [
            ("TG11", Decimal(5)),
            ("TG12", Decimal(2)),
        ]
        assert result.shipments[0].delivery_document in stack.erp.deliveries
        assert stack.tms.calls
        kinds = [e.kind for e in result.timeline]
        for expected in (
            "RECEIVED",
            "ACCEPTED",
            "ALLOCATED",
            "SALES_ORDER_CREATED",
            "RELEASED",
            "SHIPMENT_PICKED",
            "SHIPMENT_PACKED",
            "LABEL_BOUGHT",
            "SHIPMENT_SHIPPED",
            "INVOICED",
            "SHIPMENT_DELIVERED",
            "PAYMENT_RECEIVED",
            "PAID",
            "COMPLETED",
        ):
            assert expected in kinds
        assert {e.correlation_id for e in result.timeline} == {"HAPPY-1"}
        assert stack.erp.cancelled == []


async def test_the_same_submission_twice_is_one_order(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        first, handle = await stack.submit("TWICE-1")
        await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        second, _ = await stack.submit("TWICE-1")
        assert second.order_id == first.order_id
        assert second.status is OrderStatus.ACCEPTED
        assert len(stack.erp.sales_orders) == 1
        assert len(stack.wms.reservations) == 1
        await handle.cancel()


async def test_a_lost_erp_response_still_makes_one_sales_order(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    from adapters.errors import TransientError

    async with running_stack(time_skipping_env.client) as stack:
        stack.erp.fail_next(
            "create_sales_order",
            TransientError("connection reset", system="erp"),
            after_effect=True,
        )
        _, handle = await stack.submit("LOST-1")
        view = await until(handle, lambda v: v.status is OrderStatus.RELEASED)
        assert len(stack.erp.calls_to("create_sales_order")) == 2
        assert list(stack.erp.sales_orders) == [view.erp_order_id]
        await handle.cancel()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"customer_id": "9999999"}, RejectionCode.UNKNOWN_CUSTOMER),
        ({"customer_id": "1000099"}, RejectionCode.CUSTOMER_BLOCKED),
        ({"lines": [SubmittedLine(sku="NOPE-1", quantity=Decimal(1))]}, RejectionCode.UNKNOWN_ITEM),
        (
            {"lines": [SubmittedLine(sku="TG11", quantity=Decimal(1), uom=UnitOfMeasure.KG)]},
            RejectionCode.INVALID_UNIT,
        ),
        (
            {"lines": [SubmittedLine(sku="TG11", quantity=Decimal("1.5"))]},
            RejectionCode.INVALID_QUANTITY,
        ),
        ({"lines": [SubmittedLine(sku="TG99", quantity=Decimal(1))]}, RejectionCode.NO_PRICE),
        ({"currency": "USD"}, RejectionCode.CURRENCY_MISMATCH),
    ],
)
async def test_each_rejection_is_a_verdict_and_creates_nothing(
    time_skipping_env: WorkflowEnvironment, changes: dict[str, object], code: RejectionCode
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        stack.erp.products["TG99"] = ErpProduct(sku="TG99", base_unit="PC")  # no list price
        verdict, handle = await stack.submit(body=submission(**changes))
        assert verdict.status is OrderStatus.REJECTED
        assert code in [r.code for r in verdict.reasons]
        assert all(r.message for r in verdict.reasons)
        result = await result_of(handle)
        assert result.status is OrderStatus.REJECTED
        assert stack.erp.sales_orders == {}
        assert stack.wms.reservations == {}
        assert stack.carrier.labels == {}
