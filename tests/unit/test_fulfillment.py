"""Single-warehouse planning over stock facts."""

from decimal import Decimal

import pytest

from canonical.fulfillment import StockFact, shipment_id, single_warehouse_plan
from canonical.quantities import UnitOfMeasure
from canonical.shipments import ShipmentLine
from canonical.statuses import ShipmentStatus
from tests.unit.builders import order

ORDER = order("ORD-1", ("TG11", "5", "95.00"), ("TG12", "2", "149.50"))


def stock(*facts: tuple[str, str, int]) -> list[StockFact]:
    return [StockFact(warehouse=w, sku=sku, available=Decimal(n)) for w, sku, n in facts]


def test_shipment_ids_are_deterministic() -> None:
    assert shipment_id("ORD-1", 1) == "ORD-1-S1"
    assert shipment_id("ORD-1", 12) == "ORD-1-S12"


def test_picks_the_first_preferred_warehouse_that_fills_everything() -> None:
    facts = stock(("W1", "TG11", 10), ("W1", "TG12", 10), ("W2", "TG11", 10), ("W2", "TG12", 10))

    plan = single_warehouse_plan(ORDER, facts, preference=["W2", "W1"])

    assert plan is not None
    assert plan.warehouse == "W2"
    assert plan.shipment_id == "ORD-1-S1"
    assert plan.status is ShipmentStatus.PLANNED
    assert plan.lines == [
        ShipmentLine(line_no=10, sku="TG11", quantity=Decimal("5"), uom=UnitOfMeasure.PC),
        ShipmentLine(line_no=20, sku="TG12", quantity=Decimal("2"), uom=UnitOfMeasure.PC),
    ]


def test_skips_a_warehouse_missing_a_sku() -> None:
    facts = stock(("W1", "TG11", 100), ("W2", "TG11", 5), ("W2", "TG12", 2))

    plan = single_warehouse_plan(ORDER, facts, preference=["W1", "W2"])

    assert plan is not None
    assert plan.warehouse == "W2"


def test_skips_a_warehouse_that_is_short() -> None:
    facts = stock(("W1", "TG11", 5), ("W1", "TG12", 1), ("W2", "TG11", 5), ("W2", "TG12", 2))

    plan = single_warehouse_plan(ORDER, facts, preference=["W1", "W2"])

    assert plan is not None
    assert plan.warehouse == "W2"


def test_exactly_enough_is_enough() -> None:
    plan = single_warehouse_plan(ORDER, stock(("W1", "TG11", 5), ("W1", "TG12", 2)))

    assert plan is not None
    assert plan.warehouse == "W1"


def test_sums_duplicate_sku_lines_before_checking() -> None:
    twice = order("ORD-2", ("TG11", "3", "95.00"), ("TG11", "3", "95.00"))
    facts = stock(("W1", "TG11", 5), ("W2", "TG11", 6))

    plan = single_warehouse_plan(twice, facts, preference=["W1", "W2"])

    assert plan is not None
    assert plan.warehouse == "W2"  # W1 has 5 of the 6 wanted
    assert [(ln.line_no, ln.quantity) for ln in plan.lines] == [
        (10, Decimal("3")),
        (20, Decimal("3")),
    ]


def test_none_when_no_warehouse_can_fill_the_order() -> None:
    facts = stock(("W1", "TG11", 5), ("W2", "TG12", 2))  # together yes, alone no

    assert single_warehouse_plan(ORDER, facts, preference=["W1", "W2"]) is None


def test_none_without_any_stock() -> None:
    assert single_warehouse_plan(ORDER, []) is None


@pytest.mark.parametrize(
    ("preference", "expected"),
    [(["W9"], "W9"), (["X", "W3"], "W3"), ([], "W1"), (["X"], "W1")],
)
def test_unpreferred_warehouses_come_after_the_preferred_alphabetically(
    preference: list[str], expected: str
) -> None:
    facts = stock(*[(w, sku, 9) for w in ("W9", "W3", "W1") for sku in ("TG11", "TG12")])

    plan = single_warehouse_plan(ORDER, facts, preference=preference)

    assert plan is not None
    assert plan.warehouse == expected


def test_the_plan_does_not_depend_on_the_order_of_the_facts() -> None:
    facts = stock(("W2", "TG11", 9), ("W2", "TG12", 9), ("W1", "TG11", 9), ("W1", "TG12", 9))

    forward = single_warehouse_plan(ORDER, facts)
    backward = single_warehouse_plan(ORDER, list(reversed(facts)))

    assert forward is not None
    assert backward is not None
    assert forward.warehouse == backward.warehouse == "W1"
    assert forward == backward
