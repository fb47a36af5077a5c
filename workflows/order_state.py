"""The state of one order as its workflow sees it: pure, deterministic, no Temporal.

Keeping the bookkeeping here (status that only moves forward, a timeline with each
outside event once, shipments updated from events) lets the workflow read as the
saga it is, and lets this be unit-tested without a server.
"""

from datetime import datetime, timedelta

from canonical.events import ExecutionEvent, ExecutionEventKind, TimelineEntry
from canonical.invoices import Invoice
from canonical.orders import Order, OrderSubmission, RejectionReason
from canonical.shipments import Backorder, Shipment
from canonical.statuses import OrderStatus, ShipmentStatus, furthest, furthest_shipment
from canonical.view import CompensationRecord, OrderView, ParkedStep

_SHIPMENT_STATUS_FOR_EVENT = {
    ExecutionEventKind.RELEASED: ShipmentStatus.RELEASED,
    ExecutionEventKind.PICKED: ShipmentStatus.PICKED,
    ExecutionEventKind.PACKED: ShipmentStatus.PACKED,
    ExecutionEventKind.SHIPPED: ShipmentStatus.SHIPPED,
    ExecutionEventKind.IN_TRANSIT: ShipmentStatus.IN_TRANSIT,
    ExecutionEventKind.OUT_FOR_DELIVERY: ShipmentStatus.IN_TRANSIT,
    ExecutionEventKind.DELIVERED: ShipmentStatus.DELIVERED,
}


class OrderState:
    """Everything the order view shows, kept up to date by the workflow."""

    def __init__(self, order_id: str, submission: OrderSubmission, now: datetime) -> None:
        self.view = OrderView(
            order_id=order_id,
            status=OrderStatus.RECEIVED,
            customer_id=submission.customer_id,
            customer_po=submission.customer_po,
            channel=submission.channel,
            ship_to=submission.ship_to,
        )
        self._seen_events: set[str] = set()
        self._seen_milestones: set[tuple[str, ShipmentStatus]] = set()
        # What was last written to the search attributes, to write only changes.
        self.published: dict[str, object] = {}
        # While steps are parked the status shows NEEDS_ATTENTION; progress made
        # meanwhile (an event, another shipment) is kept here and shown on resume.
        self._held: OrderStatus | None = None
        self.record(now, "RECEIVED", "api", f"{len(submission.lines)} line(s)")

    @property
    def status(self) -> OrderStatus:
        return self.view.status

    @property
    def milestone(self) -> OrderStatus:
        """The furthest milestone, also while parked (when the status says
        NEEDS_ATTENTION and the milestone is held until the order goes on)."""
        return self._held if self._held is not None else self.view.status

    def record(
        self, now: datetime, kind: str, source: str, detail: str = "", event_id: str | None = None
    ) -> None:
        self.view.timeline.append(
            TimelineEntry(
                at=now,
                kind=kind,
                source=source,
                correlation_id=self.view.order_id,
                detail=detail,
                event_id=event_id,
            )
        )

    def advance(self, now: datetime, status: OrderStatus, source: str, detail: str = "") -> None:
        """Record a milestone; the status moves only forward."""
        self._progress(status)
        self.record(now, status.value, source, detail)

    def set_status(self, status: OrderStatus) -> None:
        """For statuses outside the milestone order: rejection, attention, cancellation.
        Whatever was parked is no longer waiting, nor, once cancelled, any backorder."""
        self.view.attention = []
        self._held = None
        self.view.status = status
        if status is OrderStatus.CANCELLED:
            # Its compensations have run: no stock is held, no label bought any more.
            for backorder in self.waiting_backorders():
                backorder.state = "cancelled"
            for shipment in self.view.shipments:
                if shipment.status not in _AT_LEAST_SHIPPED:
                    shipment.status = ShipmentStatus.VOIDED

    def park(self, now: datetime, problem: ParkedStep) -> None:
        """A step failed for good: the order waits in NEEDS_ATTENTION for a decision."""
        if self._held is None:
            self._held = self.view.status
        self.view.attention = [p for p in self.view.attention if p.where != problem.where] + [
            problem
        ]
        self.view.status = OrderStatus.NEEDS_ATTENTION
        where = f"{problem.shipment_id} " if problem.shipment_id else ""
        self.record(
            now,
            "NEEDS_ATTENTION",
            "ordermesh",
            f"{where}{problem.step} failed: {problem.error_type}: {problem.message}",
        )

    def unpark(self, now: datetime, problem: ParkedStep, decision: str) -> None:
        """Ops decided (`decision` says what, by whom): the step goes on."""
        self.view.attention = [p for p in self.view.attention if p.where != problem.where]
        if not self.view.attention and self._held is not None:
            self.view.status, self._held = self._held, None
        self.record(now, "OPS_DECISION", "ops", decision)

    def parked(self, shipment_id: str = "") -> ParkedStep | None:
        """The step waiting for a decision: the order's own (`""`) or a shipment's;
        with no match, the first that waits when `shipment_id` is empty."""
        for problem in self.view.attention:
            if problem.shipment_id == shipment_id:
                return problem
        if not shipment_id and self.view.attention:
            return self.view.attention[0]
        return None

    def _progress(self, status: OrderStatus) -> None:
        if self._held is not None:
            self._held = furthest(self._held, status)
        else:
            self.view.status = furthest(self.view.status, status)

    def accept(self, now: datetime, order: Order) -> None:
        self.view.customer_name = order.customer_name
        self.view.lines = list(order.lines)
        self.view.total = order.total
        self.advance(now, OrderStatus.ACCEPTED, "ordermesh", f"total {order.total.amount}")

    def reject(self, now: datetime, reasons: list[RejectionReason]) -> None:
        self.view.rejection_reasons = list(reasons)
        self.set_status(OrderStatus.REJECTED)
        self.record(now, "REJECTED", "ordermesh", "; ".join(r.message for r in reasons))

    def add_shipment(self, shipment: Shipment) -> None:
        self.view.shipments.append(shipment)
        self._roll_up()

    def shipment(self, shipment_id: str) -> Shipment | None:
        return next((s for s in self.view.shipments if s.shipment_id == shipment_id), None)

    def add_invoice(self, now: datetime, invoice: Invoice) -> None:
        if any(i.billing_document == invoice.billing_document for i in self.view.invoices):
            return
        self.view.invoices.append(invoice)
        self.record(
            now,
            "INVOICED",
            "erp",
            f"{invoice.shipment_id} billing document {invoice.billing_document},"
            f" net {invoice.net.amount}".strip(),
        )
        self._roll_up()

    def merge_shipment(self, snapshot: Shipment) -> None:
        """Take what a shipment's own workflow knows; its status only moves forward."""
        shipment = self.shipment(snapshot.shipment_id)
        if shipment is None:
            self.view.shipments.append(snapshot.model_copy(deep=True))
            self._roll_up()
            return
        status = furthest_shipment(shipment.status, snapshot.status)
        for name in _SNAPSHOT_FIELDS:
            value = getattr(snapshot, name)
            if value:
                setattr(shipment, name, value)
        shipment.status = status
        self._roll_up()

    def void_shipment(self, shipment_id: str) -> None:
        shipment = self.shipment(shipment_id)
        if shipment is not None:
            shipment.status = ShipmentStatus.VOIDED
            self._roll_up()

    def backorder(self, now: datetime, open_lines: list[Backorder], window: timedelta) -> None:
        """What is open now: new backorders start their window, known ones keep it,
        and ones no longer open count as released."""
        still_open = {b.line_no: b for b in open_lines}
        for known in self.view.backorders:
            if known.state != "waiting":
                continue
            if known.line_no in still_open:
                known.quantity = still_open.pop(known.line_no).quantity
            else:
                known.state = "released"
        for fresh in still_open.values():
            self.view.backorders.append(
                fresh.model_copy(update={"since": now, "until": now + window})
            )
        self._roll_up()

    def waiting_backorders(self) -> list[Backorder]:
        return [b for b in self.view.backorders if b.state == "waiting"]

    def expire_backorders(self, now: datetime) -> list[Backorder]:
        """The backorders whose window has passed, now marked cancelled."""
        expired = [b for b in self.waiting_backorders() if b.until <= now]
        for backorder in expired:
            backorder.state = "cancelled"
        self._roll_up()
        return expired

    def shipped_any(self) -> bool:
        return any(s.status in _AT_LEAST_SHIPPED for s in self.view.shipments)

    def apply_event(self, event: ExecutionEvent) -> bool:
        """Apply an event from the WMS or a carrier. Returns False when it changed
        nothing: a duplicate, or one for a shipment this order does not have."""
        if event.event_id in self._seen_events:
            return False
        shipment = self.shipment(event.shipment_id)
        if shipment is None:
            return False
        self._seen_events.add(event.event_id)
        if event.tracking_number and not shipment.tracking_number:
            shipment.tracking_number = event.tracking_number
        reached = event_status(event.kind)
        if reached is None:
            self.record(
                event.occurred_at,
                f"SHIPMENT_{event.kind.value.upper()}",
                event.source,
                event.detail,
                event.event_id,
            )
            return True
        # A late event (picked after packed) still goes on the timeline, once, but
        # moves nothing backwards; a second event of a kind already seen for this
        # shipment is not a new fact.
        milestone = (shipment.shipment_id, reached)
        already = milestone in self._seen_milestones
        self._seen_milestones.add(milestone)
        shipment.status = furthest_shipment(shipment.status, reached)
        if reached is ShipmentStatus.SHIPPED and shipment.shipped_at is None:
            shipment.shipped_at = event.occurred_at
        if reached is ShipmentStatus.DELIVERED and shipment.delivered_at is None:
            shipment.delivered_at = event.occurred_at
        if not already:
            detail = f"{shipment.shipment_id} {event.detail}".strip()
            self.record(
                event.occurred_at, f"SHIPMENT_{reached.value}", event.source, detail, event.event_id
            )
        self._roll_up()
        return True

    def _roll_up(self) -> None:
        """The order's milestone follows from its shipments, invoices and backorders."""
        active = [s for s in self.view.shipments if s.status is not ShipmentStatus.VOIDED]
        waiting = bool(self.waiting_backorders())
        shipped = [s for s in active if s.status in _AT_LEAST_SHIPPED]
        target: OrderStatus | None = None
        if shipped and len(shipped) == len(active) and not waiting:
            if all(s.billing_document for s in active):
                target = OrderStatus.INVOICED
            elif all(s.status is ShipmentStatus.DELIVERED for s in active):
                target = OrderStatus.DELIVERED
            else:
                target = OrderStatus.SHIPPED
        elif shipped:
            target = OrderStatus.PARTIALLY_SHIPPED
        elif any(shipment_reached(s, ShipmentStatus.RELEASED) for s in active):
            target = OrderStatus.RELEASED
        elif waiting:
            target = OrderStatus.BACKORDERED
        elif active:
            target = OrderStatus.ALLOCATED
        if target is not None:
            self._progress(target)

    def compensations(self, records: list[CompensationRecord]) -> None:
        self.view.compensations = records


_AT_LEAST_SHIPPED = frozenset(
    {ShipmentStatus.SHIPPED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED}
)


_SNAPSHOT_FIELDS = (
    "carrier",
    "service",
    "freight",
    "transit_days",
    "tracking_number",
    "label_id",
    "shipped_lines",
    "delivery_document",
    "billing_document",
    "shipped_at",
    "delivered_at",
)


def event_status(kind: ExecutionEventKind) -> ShipmentStatus | None:
    """The shipment milestone an event reports, if it reports one."""
    return _SHIPMENT_STATUS_FOR_EVENT.get(kind)


def shipment_reached(shipment: Shipment, status: ShipmentStatus) -> bool:
    """Whether a shipment has got at least as far as `status`."""
    return furthest_shipment(shipment.status, status) is shipment.status
