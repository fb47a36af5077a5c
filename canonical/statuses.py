"""Lifecycle statuses, with the order in which milestones are reached.

An order's status is its furthest milestone: an event that arrives late (delivered
before shipped) can never move it backwards.
"""

from enum import StrEnum


class OrderStatus(StrEnum):
    RECEIVED = "RECEIVED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    ALLOCATED = "ALLOCATED"
    BACKORDERED = "BACKORDERED"
    RELEASED = "RELEASED"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    INVOICED = "INVOICED"
    PAID = "PAID"
    COMPLETED = "COMPLETED"
    NEEDS_ATTENTION = "NEEDS_ATTENTION"
    CANCELLING = "CANCELLING"
    CANCELLED = "CANCELLED"


# Milestones in the order they are reached. Statuses outside this list (rejection,
# attention, cancellation) are set explicitly, not by progress.
ORDER_MILESTONES: tuple[OrderStatus, ...] = (
    OrderStatus.RECEIVED,
    OrderStatus.ACCEPTED,
    OrderStatus.ALLOCATED,
    OrderStatus.BACKORDERED,
    OrderStatus.RELEASED,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.INVOICED,
    OrderStatus.PAID,
    OrderStatus.COMPLETED,
)

TERMINAL_ORDER_STATUSES = frozenset(
    {OrderStatus.REJECTED, OrderStatus.CANCELLED, OrderStatus.COMPLETED}
)


def furthest(current: OrderStatus, reached: OrderStatus) -> OrderStatus:
    """The later of two milestones; non-milestone statuses are left as they are."""
    if current not in ORDER_MILESTONES or reached not in ORDER_MILESTONES:
        return current
    return max(current, reached, key=ORDER_MILESTONES.index)


class ShipmentStatus(StrEnum):
    PLANNED = "PLANNED"
    RELEASED = "RELEASED"
    PICKED = "PICKED"
    PACKED = "PACKED"
    LABELLED = "LABELLED"
    SHIPPED = "SHIPPED"
    IN_TRANSIT = "IN_TRANSIT"
    DELIVERED = "DELIVERED"
    EXCEPTION = "EXCEPTION"
    VOIDED = "VOIDED"


SHIPMENT_MILESTONES: tuple[ShipmentStatus, ...] = (
    ShipmentStatus.PLANNED,
    ShipmentStatus.RELEASED,
    ShipmentStatus.PICKED,
    ShipmentStatus.PACKED,
    ShipmentStatus.LABELLED,
    ShipmentStatus.SHIPPED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.DELIVERED,
)


def furthest_shipment(current: ShipmentStatus, reached: ShipmentStatus) -> ShipmentStatus:
    if current not in SHIPMENT_MILESTONES or reached not in SHIPMENT_MILESTONES:
        return current
    return max(current, reached, key=SHIPMENT_MILESTONES.index)


class ReturnStatus(StrEnum):
    REQUESTED = "REQUESTED"
    AUTHORIZED = "AUTHORIZED"
    DENIED = "DENIED"
    LABEL_ISSUED = "LABEL_ISSUED"
    RECEIVED = "RECEIVED"
    INSPECTED = "INSPECTED"
    RESTOCKED = "RESTOCKED"
    SCRAPPED = "SCRAPPED"
    CREDITED = "CREDITED"
    CLOSED = "CLOSED"
    EXPIRED = "EXPIRED"
