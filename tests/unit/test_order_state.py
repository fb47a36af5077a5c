"""The order's bookkeeping: forward-only status, each outside event once."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from canonical.events import ExecutionEvent, ExecutionEventKind
from canonical.invoices import Invoice
from canonical.money import Money
from canonical.orders import RejectionCode, RejectionReason
from canonical.quantities import UnitOfMeasure
from canonical.shipments import Backorder, Shipment, ShipmentLine
from canonical.statuses import OrderStatus, ShipmentStatus
from canonical.view import ParkedStep
from tests.unit.builders import order, submission
from workflows.order_state import OrderState, shipment_reached

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
ORDER_ID = "ORD-1"


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def new_state(*shipment_ids: str) -> OrderState:
    state = OrderState(ORDER_ID, submission(), T0)
    for shipment_id in shipment_ids:
        state.add_shipment(
            Shipment(
                shipment_id=shipment_id,
                warehouse="W1",
                lines=[
                    ShipmentLine(line_no=10, sku="TG11", quantity=Decimal(5), uom=UnitOfMeasure.PC)
                ],
            )
        )
    return state


def event(
    event_id: str,
    kind: ExecutionEventKind,
    shipment_id: str = "ORD-1-S1",
    minute: int = 1,
    tracking_number: str = "",
    source: str = "wms",
) -> ExecutionEvent:
    return ExecutionEvent(
        event_id=event_id,
        source=source,
        kind=kind,
        order_id=ORDER_ID,
        shipment_id=shipment_id,
        occurred_at=at(minute),
        tracking_number=tracking_number,
    )


def kinds(state: OrderState) -> list[str]:
    return [entry.kind for entry in state.view.timeline]


def test_timeline_starts_with_received() -> None:
    state = new_state()

    assert state.status is OrderStatus.RECEIVED
    [entry] = state.view.timeline
    assert (entry.kind, entry.source, entry.at) == ("RECEIVED", "api", T0)
    assert entry.correlation_id == ORDER_ID
    assert entry.detail == "2 line(s)"
    assert state.view.customer_id == "1000001"
    assert state.view.customer_po == "PO-4711"


def test_advance_moves_forward_and_records_each_milestone() -> None:
    state = new_state()

    state.advance(at(1), OrderStatus.ACCEPTED, "ordermesh")
    state.advance(at(2), OrderStatus.ALLOCATED, "wms")

    assert state.status is OrderStatus.ALLOCATED
    assert kinds(state) == ["RECEIVED", "ACCEPTED", "ALLOCATED"]


def test_advance_never_moves_backwards_but_still_records() -> None:
    state = new_state()
    state.advance(at(1), OrderStatus.DELIVERED, "carrier")

    state.advance(at(2), OrderStatus.SHIPPED, "wms", "late")

    assert state.status is OrderStatus.DELIVERED
    assert kinds(state) == ["RECEIVED", "DELIVERED", "SHIPPED"]
    assert state.view.timeline[-1].detail == "late"


def test_accept_copies_the_order_and_its_total() -> None:
    state = new_state()
    accepted = order(ORDER_ID, ("TG11", "5", "95.00"))

    state.accept(at(1), accepted)

    assert state.status is OrderStatus.ACCEPTED
    assert state.view.customer_name == "Becker Berlin"
    assert state.view.lines == accepted.lines
    assert state.view.total == Money(amount=Decimal("475.00"))


def test_reject_is_explicit_and_lists_the_reasons() -> None:
    state = new_state()
    reasons = [RejectionReason(code=RejectionCode.UNKNOWN_CUSTOMER, message="no such customer")]

    state.reject(at(1), reasons)

    assert state.status is OrderStatus.REJECTED
    assert state.view.rejection_reasons == reasons
    assert state.view.timeline[-1].detail == "no such customer"


def test_an_invoice_for_every_shipped_shipment_makes_the_order_invoiced() -> None:
    state = new_state("ORD-1-S1")
    state.apply_event(event("E1", ExecutionEventKind.SHIPPED))
    shipment = state.shipment("ORD-1-S1")
    assert shipment is not None
    billed = shipment.model_copy(update={"billing_document": "90000001"})
    invoice = Invoice(
        billing_document="90000001",
        sales_order="5000001",
        shipment_id="ORD-1-S1",
        net=Money(amount=Decimal("475.00")),
        lines=[],
    )

    state.merge_shipment(billed)
    state.add_invoice(at(1), invoice)
    state.add_invoice(at(2), invoice)  # the same document again changes nothing

    assert state.status is OrderStatus.INVOICED
    assert state.view.invoices == [invoice]
    assert "90000001" in state.view.timeline[-1].detail


def test_an_invoice_while_a_backorder_waits_is_not_the_whole_order() -> None:
    state = new_state("ORD-1-S1")
    state.backorder(
        at(1),
        [
            Backorder(
                line_no=20,
                sku="TG12",
                quantity=Decimal(2),
                uom=UnitOfMeasure.PC,
                since=at(1),
                until=at(1),
            )
        ],
        timedelta(days=14),
    )
    state.apply_event(event("E1", ExecutionEventKind.SHIPPED))
    shipment = state.shipment("ORD-1-S1")
    assert shipment is not None
    state.merge_shipment(shipment.model_copy(update={"billing_document": "90000001"}))

    assert state.status is OrderStatus.PARTIALLY_SHIPPED


def test_an_event_moves_its_shipment_and_goes_on_the_timeline() -> None:
    state = new_state("ORD-1-S1")

    assert state.apply_event(event("E1", ExecutionEventKind.PICKED)) is True

    shipment = state.shipment("ORD-1-S1")
    assert shipment is not None
    assert shipment.status is ShipmentStatus.PICKED
    entry = state.view.timeline[-1]
    assert (entry.kind, entry.source, entry.event_id, entry.at) == (
        "SHIPMENT_PICKED",
        "wms",
        "E1",
        at(1),
    )
    assert state.status is OrderStatus.RELEASED  # picking is not shipping


def test_duplicate_event_id_changes_nothing() -> None:
    state = new_state("ORD-1-S1")
    assert state.apply_event(event("E1", ExecutionEventKind.SHIPPED))
    before = state.view.model_copy(deep=True)

    assert state.apply_event(event("E1", ExecutionEventKind.DELIVERED, minute=9)) is False

    assert state.view == before


def test_event_for_an_unknown_shipment_changes_nothing() -> None:
    state = new_state("ORD-1-S1")
    before = state.view.model_copy(deep=True)

    assert state.apply_event(event("E1", ExecutionEventKind.SHIPPED, "ORD-1-S9")) is False
    assert state.apply_event(event("E2", ExecutionEventKind.SHIPPED, "")) is False

    assert state.view == before


def test_an_event_refused_for_its_shipment_is_not_remembered() -> None:
    state = new_state()
    assert state.apply_event(event("E1", ExecutionEventKind.SHIPPED)) is False

    state.add_shipment(new_state("ORD-1-S1").view.shipments[0])

    assert state.apply_event(event("E1", ExecutionEventKind.SHIPPED)) is True


def test_delivered_before_shipped_keeps_delivered_and_records_shipped_once() -> None:
    state = new_state("ORD-1-S1")

    assert state.apply_event(event("E2", ExecutionEventKind.DELIVERED, minute=5))
    assert state.apply_event(event("E1", ExecutionEventKind.SHIPPED, minute=3))
    assert state.apply_event(event("E3", ExecutionEventKind.SHIPPED, minute=4))

    shipment = state.shipment("ORD-1-S1")
    assert shipment is not None
    assert shipment.status is ShipmentStatus.DELIVERED
    assert shipment.delivered_at == at(5)
    assert shipment.shipped_at == at(3)
    assert state.status is OrderStatus.DELIVERED
    assert kinds(state) == ["RECEIVED", "SHIPMENT_DELIVERED", "SHIPMENT_SHIPPED"]


def test_two_event_ids_for_the_same_milestone_make_one_timeline_entry() -> None:
    state = new_state("ORD-1-S1")

    assert state.apply_event(event("E1", ExecutionEventKind.SHIPPED, minute=1))
    assert state.apply_event(event("E2", ExecutionEventKind.SHIPPED, minute=2, source="carrier"))

    assert kinds(state) == ["RECEIVED", "SHIPMENT_SHIPPED"]
    assert state.view.timeline[-1].event_id == "E1"
    shipment = state.shipment("ORD-1-S1")
    assert shipment is not None
    assert shipment.shipped_at == at(1)


def test_in_transit_and_out_for_delivery_share_a_milestone() -> None:
    state = new_state("ORD-1-S1")

    state.apply_event(event("E1", ExecutionEventKind.IN_TRANSIT))
    state.apply_event(event("E2", ExecutionEventKind.OUT_FOR_DELIVERY))

    assert kinds(state) == ["RECEIVED", "SHIPMENT_IN_TRANSIT"]


def test_an_exception_goes_on_the_timeline_without_moving_anything() -> None:
    state = new_state("ORD-1-S1")
    state.apply_event(event("E1", ExecutionEventKind.PACKED))

    assert state.apply_event(event("E2", ExecutionEventKind.EXCEPTION))

    shipment = state.shipment("ORD-1-S1")
    assert shipment is not None
    assert shipment.status is ShipmentStatus.PACKED
    assert kinds(state)[-1] == "SHIPMENT_EXCEPTION"
    assert state.view.timeline[-1].event_id == "E2"


def test_order_rolls_up_partially_shipped_then_shipped_then_delivered() -> None:
    state = new_state("ORD-1-S1", "ORD-1-S2")
    steps = [
        event("E0", ExecutionEventKind.PACKED, "ORD-1-S1"),
        event("E1", ExecutionEventKind.SHIPPED, "ORD-1-S1"),
        event("E2", ExecutionEventKind.IN_TRANSIT, "ORD-1-S2"),
        event("E3", ExecutionEventKind.DELIVERED, "ORD-1-S1"),
        event("E4", ExecutionEventKind.DELIVERED, "ORD-1-S2"),
    ]

    seen: list[OrderStatus] = []
    for step in steps:
        assert state.apply_event(step)
        seen.append(state.status)

    assert seen == [
        OrderStatus.RELEASED,  # packing ships nothing
        OrderStatus.PARTIALLY_SHIPPED,  # one of two shipments
        OrderStatus.SHIPPED,  # in transit counts as shipped
        OrderStatus.SHIPPED,  # one of two delivered
        OrderStatus.DELIVERED,
    ]


def test_roll_up_does_not_undo_a_later_order_milestone() -> None:
    state = new_state("ORD-1-S1")
    state.advance(at(1), OrderStatus.INVOICED, "erp")

    state.apply_event(event("E1", ExecutionEventKind.SHIPPED))

    assert state.status is OrderStatus.INVOICED


def test_roll_up_leaves_an_explicit_status_alone() -> None:
    state = new_state("ORD-1-S1")
    state.set_status(OrderStatus.NEEDS_ATTENTION)

    state.apply_event(event("E1", ExecutionEventKind.DELIVERED))

    assert state.status is OrderStatus.NEEDS_ATTENTION


def test_tracking_number_is_picked_up_from_the_first_event_that_has_one() -> None:
    state = new_state("ORD-1-S1")

    state.apply_event(event("E1", ExecutionEventKind.PACKED))
    state.apply_event(event("E2", ExecutionEventKind.SHIPPED, tracking_number="1Z001"))
    state.apply_event(event("E3", ExecutionEventKind.IN_TRANSIT, tracking_number="1Z999"))

    shipment = state.shipment("ORD-1-S1")
    assert shipment is not None
    assert shipment.tracking_number == "1Z001"


@pytest.mark.parametrize(
    ("status", "target", "reached"),
    [
        (ShipmentStatus.PACKED, ShipmentStatus.PACKED, True),
        (ShipmentStatus.SHIPPED, ShipmentStatus.PACKED, True),
        (ShipmentStatus.PICKED, ShipmentStatus.PACKED, False),
        (ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED, False),
    ],
)
def test_shipment_reached(status: ShipmentStatus, target: ShipmentStatus, reached: bool) -> None:
    shipment = new_state("ORD-1-S1").view.shipments[0].model_copy(update={"status": status})

    assert shipment_reached(shipment, target) is reached


def status_of(state: OrderState) -> OrderStatus:
    """Read afresh (mypy would keep a narrowed `state.status` across calls)."""
    return state.status


def _problem(shipment_id: str = "", step: str = "create_billing_document") -> ParkedStep:
    return ParkedStep(
        step=step, shipment_id=shipment_id, error_type="SAP_REJECTED", message="no", since=T0
    )


def test_a_parked_order_shows_needs_attention_and_keeps_the_progress_made_meanwhile() -> None:
    state = new_state("ORD-1-S1", "ORD-1-S2")
    state.apply_event(event("e1", ExecutionEventKind.SHIPPED, "ORD-1-S1"))
    assert status_of(state) is OrderStatus.PARTIALLY_SHIPPED

    state.park(at(2), _problem("ORD-1-S1"))
    state.apply_event(event("e2", ExecutionEventKind.SHIPPED, "ORD-1-S2", minute=3))
    assert status_of(state) is OrderStatus.NEEDS_ATTENTION
    assert state.parked() == _problem("ORD-1-S1")

    state.unpark(at(4), _problem("ORD-1-S1"), "retry create_billing_document by ops")
    assert status_of(state) is OrderStatus.SHIPPED  # both shipped while it waited
    assert state.view.attention == []
    assert [e.kind for e in state.view.timeline][-2:] == ["SHIPMENT_SHIPPED", "OPS_DECISION"]


def test_an_order_stays_parked_until_every_parked_step_goes_on() -> None:
    state = new_state("ORD-1-S1", "ORD-1-S2")
    state.park(at(1), _problem("ORD-1-S1"))
    state.park(at(2), _problem("ORD-1-S2"))
    assert state.parked("ORD-1-S2") == _problem("ORD-1-S2")
    assert state.parked("ORD-1-S3") is None

    state.unpark(at(3), _problem("ORD-1-S1"), "retry")
    assert status_of(state) is OrderStatus.NEEDS_ATTENTION
    state.unpark(at(4), _problem("ORD-1-S2"), "retry")
    assert status_of(state) is OrderStatus.ALLOCATED


def test_cancelling_clears_what_was_parked() -> None:
    state = new_state()
    state.park(at(1), _problem(step="create_sales_order"))
    state.set_status(OrderStatus.CANCELLING)
    assert state.view.attention == []
    assert state.parked() is None
    state.advance(at(2), OrderStatus.ALLOCATED, "wms")  # not a milestone past cancelling
    assert status_of(state) is OrderStatus.CANCELLING
