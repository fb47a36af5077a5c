"""Statuses only move forward along their milestones."""

import itertools

import pytest

from canonical.statuses import (
    ORDER_MILESTONES,
    SHIPMENT_MILESTONES,
    OrderStatus,
    ShipmentStatus,
    furthest,
    furthest_shipment,
)

NON_MILESTONES = [s for s in OrderStatus if s not in ORDER_MILESTONES]


def test_non_milestones_are_the_explicit_statuses() -> None:
    assert set(NON_MILESTONES) == {
        OrderStatus.REJECTED,
        OrderStatus.NEEDS_ATTENTION,
        OrderStatus.CANCELLING,
        OrderStatus.CANCELLED,
    }


@pytest.mark.parametrize(("current", "reached"), list(itertools.combinations(ORDER_MILESTONES, 2)))
def test_furthest_takes_the_later_milestone_either_way(
    current: OrderStatus, reached: OrderStatus
) -> None:
    assert furthest(current, reached) is reached
    assert furthest(reached, current) is reached  # never backwards


@pytest.mark.parametrize("status", ORDER_MILESTONES)
def test_furthest_of_a_milestone_and_itself(status: OrderStatus) -> None:
    assert furthest(status, status) is status


def test_a_late_shipped_does_not_undo_delivered() -> None:
    assert furthest(OrderStatus.DELIVERED, OrderStatus.SHIPPED) is OrderStatus.DELIVERED


@pytest.mark.parametrize("current", NON_MILESTONES)
@pytest.mark.parametrize("reached", [OrderStatus.ACCEPTED, OrderStatus.COMPLETED])
def test_non_milestone_current_status_is_untouched(
    current: OrderStatus, reached: OrderStatus
) -> None:
    assert furthest(current, reached) is current


@pytest.mark.parametrize("reached", NON_MILESTONES)
def test_reaching_a_non_milestone_changes_nothing(reached: OrderStatus) -> None:
    assert furthest(OrderStatus.SHIPPED, reached) is OrderStatus.SHIPPED


@pytest.mark.parametrize(
    ("current", "reached"), list(itertools.combinations(SHIPMENT_MILESTONES, 2))
)
def test_furthest_shipment_never_moves_backwards(
    current: ShipmentStatus, reached: ShipmentStatus
) -> None:
    assert furthest_shipment(current, reached) is reached
    assert furthest_shipment(reached, current) is reached


@pytest.mark.parametrize("other", [ShipmentStatus.EXCEPTION, ShipmentStatus.VOIDED])
def test_furthest_shipment_leaves_non_milestones_alone(other: ShipmentStatus) -> None:
    assert furthest_shipment(other, ShipmentStatus.DELIVERED) is other
    assert furthest_shipment(ShipmentStatus.PACKED, other) is ShipmentStatus.PACKED
