"""What an order's metrics observe, from its state alone (no server)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from canonical.metric_names import BACKORDER_AGE, ORDER_CYCLE_DURATION
from canonical.quantities import UnitOfMeasure
from canonical.shipments import Backorder
from canonical.statuses import OrderStatus
from canonical.view import ParkedStep
from tests.unit.builders import submission
from workflows.order_metrics import Observation, OrderMetrics
from workflows.order_state import OrderState

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def leg(name: str, hours: float) -> Observation:
    return Observation(ORDER_CYCLE_DURATION, hours * 3600, {"leg": name})


def accepted() -> tuple[OrderState, OrderMetrics]:
    state = OrderState("ORD-1", submission(), T0)
    metrics = OrderMetrics(state)
    assert not metrics.pending()
    state.advance(T0, OrderStatus.ACCEPTED, "ordermesh")
    assert metrics.pending()
    assert metrics.observe(T0) == []
    assert not metrics.pending()
    return state, metrics


def test_each_leg_is_observed_once_when_its_end_is_reached() -> None:
    state, metrics = accepted()
    state.advance(at(1), OrderStatus.ALLOCATED, "wms")
    assert not metrics.pending()  # not a timed milestone
    state.advance(at(5), OrderStatus.SHIPPED, "wms")
    assert metrics.observe(at(5)) == [leg("accepted_to_shipped", 5)]
    state.advance(at(6), OrderStatus.INVOICED, "erp")
    assert metrics.observe(at(6)) == [leg("shipped_to_invoiced", 1)]
    state.advance(at(30), OrderStatus.PAID, "bank")
    state.advance(at(30), OrderStatus.COMPLETED, "ordermesh")
    assert metrics.observe(at(30)) == [leg("invoiced_to_paid", 24)]
    assert not metrics.pending()
    assert metrics.observe(at(31)) == []


def test_milestones_reached_together_make_a_zero_leg() -> None:
    state, metrics = accepted()
    state.advance(at(2), OrderStatus.INVOICED, "erp")  # shipped and billed in one go
    assert metrics.observe(at(2)) == [leg("accepted_to_shipped", 2), leg("shipped_to_invoiced", 0)]


def test_progress_while_parked_is_timed_when_it_happens() -> None:
    state, metrics = accepted()
    problem = ParkedStep(step="buy_label", error_type="REJECTED", message="no", since=at(1))
    state.park(at(1), problem)
    assert not metrics.pending()  # parking is no milestone
    state.advance(at(2), OrderStatus.SHIPPED, "wms")  # held behind NEEDS_ATTENTION
    assert state.status is OrderStatus.NEEDS_ATTENTION
    assert metrics.observe(at(2)) == [leg("accepted_to_shipped", 2)]
    state.unpark(at(4), problem, "retry by ops")
    assert not metrics.pending()  # going on reaches nothing new


def test_backorders_are_aged_when_they_stop_waiting() -> None:
    state, metrics = accepted()

    def open_line(line_no: int) -> Backorder:
        return Backorder(
            line_no=line_no,
            sku=f"TG{line_no}",
            quantity=Decimal(2),
            uom=UnitOfMeasure.PC,
            since=T0,
            until=T0,
        )

    state.backorder(T0, [open_line(10), open_line(20)], timedelta(days=14))
    assert not metrics.pending()
    state.backorder(at(48), [open_line(20)], timedelta(days=14))  # line 10 planned
    assert metrics.observe(at(48)) == [
        Observation(BACKORDER_AGE, 48 * 3600, {"outcome": "released"})
    ]
    state.expire_backorders(at(14 * 24))
    assert metrics.observe(at(14 * 24)) == [
        Observation(BACKORDER_AGE, 14 * 24 * 3600, {"outcome": "cancelled"})
    ]
    assert not metrics.pending()
