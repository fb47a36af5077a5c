"""ShipmentWorkflow: one shipment from one warehouse, a child of its order.

release to the warehouse -> (picked; a short pick goes back to the order) -> (packed)
rate-shop through the TMS, buy the cheapest label that meets the service level, hand
it to the warehouse -> (shipped) outbound delivery and billing document in the ERP,
for what shipped -> (delivered).

A step that fails for good parks the shipment (`workflows.parking`) and tells the
order, which shows NEEDS_ATTENTION and passes ops' retry or skip back here.

Its own compensations, until the goods leave: void the label, recall the release.
The reservation belongs to the order, which releases it. Events reach it from its
order (`shipment_event`); it tells its order how it goes (`shipment_report`).
"""

import asyncio
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contracts import (
        BUY_LABEL,
        CREATE_BILLING_DOCUMENT,
        CREATE_OUTBOUND_DELIVERY,
        HAND_LABEL_TO_WAREHOUSE,
        RATE_SHOP,
        RECALL_FROM_WAREHOUSE,
        RELEASE_TO_WAREHOUSE,
        VOID_LABEL,
        BuyLabelInput,
        BuyLabelResult,
        CreateBillingDocumentInput,
        CreateBillingDocumentResult,
        CreateOutboundDeliveryInput,
        CreateOutboundDeliveryResult,
        HandLabelInput,
        RateShopInput,
        RateShopResult,
        ShipmentInput,
        ShipmentStepResult,
    )
    from canonical.events import ExecutionEvent, ExecutionEventKind
    from canonical.invoices import Invoice
    from canonical.orders import MAX_TRANSIT_DAYS
    from canonical.shipments import ShipmentLine
    from canonical.statuses import ShipmentStatus, furthest_shipment
    from canonical.view import ParkedStep
    from workflows.contracts import (
        DECIDE_SIGNAL,
        SHIPMENT_EVENT_SIGNAL,
        SHIPMENT_REPORT_SIGNAL,
        SHIPMENT_WORKFLOW,
        OpsDecision,
        ShipmentOutcome,
        ShipmentReport,
        ShipmentWorkflowInput,
    )
    from workflows.order_attention import describe
    from workflows.order_state import event_status, shipment_reached
    from workflows.parking import Parking
    from workflows.saga import Saga, is_saga_exit
    from workflows.steps import Steps

# Without a weight from the ERP, a unit counts as this much for rating.
DEFAULT_UNIT_WEIGHT_KG = Decimal("1.0")


@workflow.defn(name=SHIPMENT_WORKFLOW)
class ShipmentWorkflow:
    @workflow.init
    def __init__(self, input: ShipmentWorkflowInput) -> None:
        self._input = input
        self._shipment = input.shipment.model_copy(deep=True)
        self._parking = Parking(self._parked, self._resumed, shipment_id=input.shipment.shipment_id)
        self._steps = Steps(input.retry, input.erp_task_queue, self._parking)
        self._saga = Saga()
        self._picked: dict[int, Decimal] | None = None

    @workflow.run
    async def run(self, input: ShipmentWorkflowInput) -> ShipmentOutcome:
        try:
            picked_any = await self._until_shipped()
        except BaseException as err:
            if not is_saga_exit(err):
                raise
            for entry in await self._saga.unwind():
                await self._report("compensated", detail=f"{entry.step} {entry.detail}".strip())
            raise
        if not picked_any:
            return ShipmentOutcome(result="nothing_picked", shipment=self._shipment)
        self._saga.close()
        await self._refusing_cancellation(self._document_and_deliver())
        return ShipmentOutcome(result="delivered", shipment=self._shipment)

    @workflow.signal(name=SHIPMENT_EVENT_SIGNAL)
    def shipment_event(self, event: ExecutionEvent) -> None:
        """Progress from the warehouse or carrier, passed on by the order."""
        reached = event_status(event.kind)
        if reached is not None:
            self._shipment.status = furthest_shipment(self._shipment.status, reached)
        if event.tracking_number and not self._shipment.tracking_number:
            self._shipment.tracking_number = event.tracking_number
        if self._picked is not None or reached is None:
            return
        planned = {line.line_no: line.quantity for line in self._shipment.lines}
        if event.kind is ExecutionEventKind.PICKED and event.lines:
            reported = {line.line_no: line.quantity for line in event.lines}
            self._picked = {n: reported.get(n, q) for n, q in planned.items()}
        elif shipment_reached(self._shipment, ShipmentStatus.PICKED):
            # A pick without quantities, or a later event whose pick report never
            # came (or comes late): everything counts as picked as planned.
            self._picked = planned

    @workflow.signal(name=DECIDE_SIGNAL)
    def decide(self, decision: OpsDecision) -> None:
        """Retry or skip the parked step, as the order passes it on. A cancel is the
        order's to decide (it unwinds every shipment): send it to the order."""
        if decision.action != "cancel" and self._parking.refusal(decision) is None:
            self._parking.decide(decision)

    async def _parked(self, problem: ParkedStep) -> None:
        await self._report("parked", problem=problem)

    async def _resumed(self, problem: ParkedStep, decision: OpsDecision) -> None:
        await self._report("resumed", problem=problem, detail=describe(problem, decision))

    async def _until_shipped(self) -> bool:
        shipment, order = self._shipment, self._input.order
        step = ShipmentInput(order_id=order.order_id, shipment=shipment, ship_to=order.ship_to)
        self._saga.record(
            RECALL_FROM_WAREHOUSE,
            lambda: self._steps.run(RECALL_FROM_WAREHOUSE, step, ShipmentStepResult, patient=True),
            detail=shipment.shipment_id,
        )
        await self._steps.run(RELEASE_TO_WAREHOUSE, step, ShipmentStepResult)
        shipment.status = furthest_shipment(shipment.status, ShipmentStatus.RELEASED)
        await self._report("released")

        await self._until(lambda: self._picked is not None)
        if not await self._settle_pick():
            return False

        await self._until(lambda: shipment_reached(shipment, ShipmentStatus.PACKED))
        quote = await self._steps.run(
            RATE_SHOP,
            RateShopInput(
                shipment=shipment,
                ship_to=order.ship_to,
                weight_kg=_weight(shipment.lines),
                max_transit_days=MAX_TRANSIT_DAYS[order.service_level],
            ),
            RateShopResult,
        )
        self._saga.record(
            VOID_LABEL,
            lambda: self._steps.run(VOID_LABEL, step, ShipmentStepResult, patient=True),
            detail=shipment.shipment_id,
        )
        label = await self._steps.run(
            BUY_LABEL,
            BuyLabelInput(
                order_id=order.order_id,
                shipment=shipment,
                ship_to=order.ship_to,
                carrier=quote.carrier,
                service=quote.service,
            ),
            BuyLabelResult,
        )
        shipment.carrier, shipment.service = label.carrier, label.service
        shipment.freight, shipment.transit_days = quote.price, quote.transit_days
        shipment.tracking_number, shipment.label_id = label.tracking_number, label.label_id
        shipment.status = furthest_shipment(shipment.status, ShipmentStatus.LABELLED)
        await self._report("labelled")
        # Skippable: the warehouse can be given the label by hand.
        await self._steps.run_skippable(
            HAND_LABEL_TO_WAREHOUSE,
            HandLabelInput(
                shipment_id=shipment.shipment_id,
                carrier=label.carrier,
                tracking_number=label.tracking_number,
            ),
            ShipmentStepResult,
        )
        await self._until(lambda: shipment_reached(shipment, ShipmentStatus.SHIPPED))
        return True

    async def _settle_pick(self) -> bool:
        """Ship what was picked; hand what was not back to the order. False when the
        warehouse found nothing at all."""
        assert self._picked is not None
        shipment = self._shipment
        short = [
            line.model_copy(update={"quantity": line.quantity - self._picked[line.line_no]})
            for line in shipment.lines
            if self._picked[line.line_no] < line.quantity
        ]
        shipment.shipped_lines = [
            line.model_copy(update={"quantity": self._picked[line.line_no]})
            for line in shipment.lines
            if self._picked[line.line_no] > 0
        ]
        if short:
            await self._report("short", short_lines=short)
        return bool(shipment.shipped_lines)

    async def _document_and_deliver(self) -> None:
        shipment, order = self._shipment, self._input.order
        key = workflow.info().workflow_id
        delivery = await self._steps.run(
            CREATE_OUTBOUND_DELIVERY,
            CreateOutboundDeliveryInput(
                idempotency_key=f"{key}:delivery",
                sales_order=self._input.sales_order,
                customer_id=order.customer_id,
                shipment=shipment,
            ),
            CreateOutboundDeliveryResult,
            erp=True,
        )
        shipment.delivery_document = delivery.delivery_document
        billed = await self._steps.run(
            CREATE_BILLING_DOCUMENT,
            CreateBillingDocumentInput(
                idempotency_key=f"{key}:bill",
                sales_order=self._input.sales_order,
                order=order,
                shipment=shipment,
            ),
            CreateBillingDocumentResult,
            erp=True,
        )
        shipment.billing_document = billed.invoice.billing_document
        await self._report("documented", invoice=billed.invoice)
        # The order learns of the delivery from the carrier's event itself.
        await workflow.wait_condition(lambda: shipment_reached(shipment, ShipmentStatus.DELIVERED))

    async def _refusing_cancellation(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        while True:
            try:
                await asyncio.shield(task)
                return
            except asyncio.CancelledError:
                if task.cancelled():
                    raise
                # Shipped goods are returned, not cancelled: the order says so.

    async def _until(self, condition: Callable[[], bool]) -> None:
        """Wait for `condition`, or for a cancellation request, whichever comes first."""
        await workflow.wait_condition(lambda: condition() or _cancel_requested())
        self._stop_if_cancel_requested()

    def _stop_if_cancel_requested(self) -> None:
        # A cancellation that arrives while an outgoing signal completes is not raised
        # at that await; until the goods ship, the request is looked for explicitly.
        if not self._saga.closed and _cancel_requested():
            raise asyncio.CancelledError(workflow.cancellation_reason())

    async def _report(
        self,
        kind: str,
        *,
        short_lines: list[ShipmentLine] | None = None,
        invoice: Invoice | None = None,
        detail: str = "",
        problem: ParkedStep | None = None,
    ) -> None:
        parent = workflow.info().parent
        if parent is None:
            return
        await workflow.get_external_workflow_handle(parent.workflow_id).signal(
            SHIPMENT_REPORT_SIGNAL,
            ShipmentReport(
                kind=kind,
                shipment=self._shipment.model_copy(deep=True),
                short_lines=short_lines or [],
                invoice=invoice,
                detail=detail,
                compensations=[r.model_copy() for r in self._saga.records],
                problem=problem,
            ),
        )
        if kind != "compensated":
            self._stop_if_cancel_requested()


def _cancel_requested() -> bool:
    return workflow.cancellation_reason() is not None


def _weight(lines: list[ShipmentLine]) -> Decimal:
    return sum((line.quantity * DEFAULT_UNIT_WEIGHT_KG for line in lines), Decimal(0))
