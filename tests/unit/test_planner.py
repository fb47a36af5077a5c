"""The fulfillment planner: one warehouse, the fewest warehouses, or a backorder."""

import random
from collections.abc import Sequence
from decimal import Decimal
from itertools import combinations

import pytest
from pydantic import ValidationError

from canonical.fulfillment import (
    MAX_EXHAUSTIVE_WAREHOUSES,
    FulfillmentPlan,
    OpenLine,
    PlannedShipment,
    StockFact,
    plan_fulfillment,
)
from canonical.orders import FulfillmentPolicy
from canonical.quantities import COUNTED_UNITS, UnitOfMeasure
from canonical.shipments import ShipmentLine

PC = UnitOfMeasure.PC
KG = UnitOfMeasure.KG
CA = UnitOfMeasure.CA
AVAILABLE = FulfillmentPolicy.SHIP_AVAILABLE
COMPLETE = FulfillmentPolicy.SHIP_COMPLETE


def ol(line_no: int, sku: str, quantity: int | str, uom: UnitOfMeasure = PC) -> OpenLine:
    return OpenLine(line_no=line_no, sku=sku, quantity=Decimal(quantity), uom=uom)


def sl(line_no: int, sku: str, quantity: int | str, uom: UnitOfMeasure = PC) -> ShipmentLine:
    return ShipmentLine(line_no=line_no, sku=sku, quantity=Decimal(quantity), uom=uom)


def ship(warehouse: str, *lines: ShipmentLine) -> PlannedShipment:
    return PlannedShipment(warehouse=warehouse, lines=list(lines))


def expect(shipments: list[PlannedShipment], backordered: list[OpenLine]) -> FulfillmentPlan:
    return FulfillmentPlan(shipments=shipments, backordered=backordered)


def stock(*facts: tuple[str, str, int | str]) -> list[StockFact]:
    return [StockFact(warehouse=w, sku=sku, available=Decimal(n)) for w, sku, n in facts]


def plan(
    lines: Sequence[OpenLine],
    facts: list[StockFact],
    policy: FulfillmentPolicy = AVAILABLE,
    preference: Sequence[str] = (),
) -> FulfillmentPlan:
    return plan_fulfillment(lines, facts, policy, preference)


THREE = [ol(10, "TG11", 5), ol(20, "TG12", 2), ol(30, "TG13", 1)]
WHOLE_THREE = [sl(10, "TG11", 5), sl(20, "TG12", 2), sl(30, "TG13", 1)]


def everywhere(*warehouses: str, quantity: int = 9) -> list[StockFact]:
    return stock(*[(w, sku, quantity) for w in warehouses for sku in ("TG11", "TG12", "TG13")])


# --- rule 1: one warehouse fills everything ----------------------------------------


@pytest.mark.parametrize("policy", [AVAILABLE, COMPLETE])
def test_one_warehouse_that_fills_everything_ships_it_all(policy: FulfillmentPolicy) -> None:
    facts = stock(("W1", "TG11", 5), ("W1", "TG12", 2), ("W1", "TG13", 1), ("W2", "TG11", 50))

    assert plan(THREE, facts, policy) == expect([ship("W1", *WHOLE_THREE)], [])


@pytest.mark.parametrize(
    ("preference", "expected"),
    [
        ([], "W1"),
        (["W3"], "W3"),
        (["W9", "W2"], "W2"),  # W9 holds no stock: ignored
        (["W3", "W2"], "W3"),
        (["W2", "W3", "W2"], "W2"),  # a repeat keeps its first place
        (["W4"], "W1"),  # W4 exists but cannot fill everything
    ],
)
@pytest.mark.parametrize("policy", [AVAILABLE, COMPLETE])
def test_among_full_warehouses_the_first_preferred_then_by_name_ships(
    preference: list[str], expected: str, policy: FulfillmentPolicy
) -> None:
    facts = [*everywhere("W3", "W2", "W1"), *stock(("W4", "TG11", 99))]

    assert plan(THREE, facts, policy, preference) == expect([ship(expected, *WHOLE_THREE)], [])


def test_one_full_warehouse_beats_splitting_even_when_others_are_preferred() -> None:
    facts = [
        *stock(("W1", "TG11", 9), ("W1", "TG12", 9), ("W2", "TG13", 9)),
        *everywhere("W9"),
    ]

    assert plan(THREE, facts, AVAILABLE, ["W1", "W2"]) == expect([ship("W9", *WHOLE_THREE)], [])


def test_exactly_enough_is_enough() -> None:
    facts = stock(("W1", "TG11", 5), ("W1", "TG12", 2), ("W1", "TG13", 1))

    assert plan(THREE, facts) == expect([ship("W1", *WHOLE_THREE)], [])


# --- rule 2: ship_complete waits ---------------------------------------------------


def test_ship_complete_backorders_everything_when_no_single_warehouse_fills_it() -> None:
    facts = stock(("W1", "TG11", 9), ("W1", "TG12", 9), ("W2", "TG13", 9))

    assert plan(THREE, facts, COMPLETE) == expect([], THREE)


def test_ship_complete_waits_even_when_only_one_unit_is_missing() -> None:
    facts = stock(("W1", "TG11", 5), ("W1", "TG12", 2), ("W1", "TG13", 0))

    assert plan(THREE, facts, COMPLETE) == expect([], THREE)


# --- rule 3: ship_available from the fewest warehouses ------------------------------


def test_two_warehouses_when_no_single_one_fills_the_order() -> None:
    facts = stock(("W1", "TG11", 9), ("W1", "TG12", 9), ("W2", "TG13", 9))

    assert plan(THREE, facts) == expect(
        [ship("W1", sl(10, "TG11", 5), sl(20, "TG12", 2)), ship("W2", sl(30, "TG13", 1))], []
    )


def test_three_warehouses_when_each_holds_one_sku() -> None:
    facts = stock(("W3", "TG13", 1), ("W1", "TG11", 5), ("W2", "TG12", 2), ("W4", "TG99", 9))

    assert plan(THREE, facts) == expect(
        [
            ship("W1", sl(10, "TG11", 5)),
            ship("W2", sl(20, "TG12", 2)),
            ship("W3", sl(30, "TG13", 1)),
        ],
        [],
    )


def test_a_line_no_warehouse_fills_alone_is_split_in_rank_order() -> None:
    lines = [ol(10, "TG11", 10)]
    facts = stock(("W1", "TG11", 4), ("W2", "TG11", 7), ("W3", "TG11", 3))

    # W1+W2 and W2+W3 both cover 10; W1+W2 ranks first. W1 gives all it has.
    assert plan(lines, facts) == expect(
        [ship("W1", sl(10, "TG11", 4)), ship("W2", sl(10, "TG11", 6))], []
    )
    assert plan(lines, facts, AVAILABLE, ["W3", "W2"]) == expect(
        [ship("W3", sl(10, "TG11", 3)), ship("W2", sl(10, "TG11", 7))], []
    )


def test_a_whole_line_goes_to_one_chosen_warehouse_when_one_can_take_it() -> None:
    lines = [ol(10, "TG11", 5), ol(20, "TG12", 2)]
    facts = stock(("W1", "TG11", 3), ("W1", "TG12", 2), ("W2", "TG11", 5))

    # W1 ranks first but holds only 3 of TG11: line 10 goes whole to W2, unsplit.
    assert plan(lines, facts) == expect(
        [ship("W1", sl(20, "TG12", 2)), ship("W2", sl(10, "TG11", 5))], []
    )


def test_a_line_is_partly_backordered_when_the_network_is_short() -> None:
    lines = [ol(10, "TG11", 10), ol(20, "TG12", 2)]
    facts = stock(("W1", "TG11", 4), ("W1", "TG12", 2), ("W2", "TG11", 3))

    assert plan(lines, facts) == expect(
        [ship("W1", sl(10, "TG11", 4), sl(20, "TG12", 2)), ship("W2", sl(10, "TG11", 3))],
        [ol(10, "TG11", 3)],
    )


def test_one_warehouse_can_be_enough_when_the_network_is_short() -> None:
    lines = [ol(10, "TG11", 10), ol(20, "TG12", 2)]
    facts = stock(("W1", "TG11", 7), ("W1", "TG12", 2), ("W2", "TG12", 2))

    # Nobody fills line 10, but W1 alone ships all the network has: W2 adds nothing.
    assert plan(lines, facts, AVAILABLE, ["W2"]) == expect(
        [ship("W1", sl(10, "TG11", 7), sl(20, "TG12", 2))], [ol(10, "TG11", 3)]
    )


def test_a_sku_nobody_has_is_backordered_whole() -> None:
    facts = stock(("W1", "TG11", 9), ("W1", "TG12", 9), ("W2", "TG11", 9))

    assert plan(THREE, facts) == expect(
        [ship("W1", sl(10, "TG11", 5), sl(20, "TG12", 2))], [ol(30, "TG13", 1)]
    )


def test_lines_that_share_a_sku_share_its_stock() -> None:
    lines = [ol(10, "TG11", 4), ol(20, "TG11", 4)]
    facts = stock(("W1", "TG11", 5), ("W2", "TG11", 3))

    assert plan(lines, facts) == expect(
        [ship("W1", sl(10, "TG11", 4), sl(20, "TG11", 1)), ship("W2", sl(20, "TG11", 3))], []
    )


def test_lines_that_share_a_short_sku_backorder_what_is_left() -> None:
    lines = [ol(10, "TG11", 4), ol(20, "TG11", 4), ol(30, "TG11", 4)]
    facts = stock(("W1", "TG11", 6))

    assert plan(lines, facts) == expect(
        [ship("W1", sl(10, "TG11", 4), sl(20, "TG11", 2))],
        [ol(20, "TG11", 2), ol(30, "TG11", 4)],
    )


def test_a_shared_sku_is_checked_in_total_for_the_single_warehouse_rule() -> None:
    lines = [ol(10, "TG11", 3), ol(20, "TG11", 3)]
    facts = stock(("W1", "TG11", 5), ("W2", "TG11", 6))

    assert plan(lines, facts, COMPLETE, ["W1", "W2"]) == expect(
        [ship("W2", sl(10, "TG11", 3), sl(20, "TG11", 3))], []
    )


@pytest.mark.parametrize(
    ("preference", "expected"),
    [
        ([], ["W1", "W2"]),
        (["W1"], ["W1", "W2"]),
        (["W3"], ["W3", "W2"]),
        (["W2", "W3"], ["W2", "W3"]),
        (["W3", "W2", "W1"], ["W3", "W2"]),
    ],
)
def test_between_equally_few_warehouses_the_preference_decides(
    preference: list[str], expected: list[str]
) -> None:
    # W1 and W3 each hold TG11+TG12, W2 holds TG13: W1+W2 and W2+W3 both take two.
    facts = stock(
        ("W1", "TG11", 9),
        ("W1", "TG12", 9),
        ("W2", "TG13", 9),
        ("W3", "TG11", 9),
        ("W3", "TG12", 9),
    )
    lines_by_warehouse = {
        "W1": [sl(10, "TG11", 5), sl(20, "TG12", 2)],
        "W2": [sl(30, "TG13", 1)],
        "W3": [sl(10, "TG11", 5), sl(20, "TG12", 2)],
    }

    assert plan(THREE, facts, AVAILABLE, preference) == expect(
        [ship(w, *lines_by_warehouse[w]) for w in expected], []
    )


def test_ties_compare_sorted_ranks_lexicographically() -> None:
    # Two warehouses suffice: W1+W5 (ranks 0, 4) beats W2+W3 (ranks 1, 2), W2+W5 and
    # W4+W5, because the first-ranked warehouse counts first (not a sum of ranks).
    lines = [ol(10, "A", 1), ol(20, "B", 1), ol(30, "C", 1)]
    facts = stock(
        ("W1", "A", 1),
        ("W2", "A", 1),
        ("W2", "B", 1),
        ("W3", "C", 1),
        ("W4", "A", 1),
        ("W5", "B", 1),
        ("W5", "C", 1),
    )

    assert plan(lines, facts, AVAILABLE, ["W1", "W2", "W3", "W4", "W5"]) == expect(
        [ship("W1", sl(10, "A", 1)), ship("W5", sl(20, "B", 1), sl(30, "C", 1))], []
    )
    assert plan(lines, facts, AVAILABLE, ["W2", "W3"]) == expect(
        [ship("W2", sl(10, "A", 1), sl(20, "B", 1)), ship("W3", sl(30, "C", 1))], []
    )


def test_a_single_unpreferred_warehouse_beats_two_preferred_ones() -> None:
    lines = [ol(10, "TG11", 5), ol(20, "TG12", 2), ol(30, "TG99", 1)]  # nobody has TG99
    facts = stock(("W1", "TG11", 9), ("W2", "TG12", 9), ("W3", "TG11", 9), ("W3", "TG12", 9))

    assert plan(lines, facts, AVAILABLE, ["W1", "W2"]) == expect(
        [ship("W3", sl(10, "TG11", 5), sl(20, "TG12", 2))], [ol(30, "TG99", 1)]
    )


def test_fewest_warehouses_is_exact_where_most_first_would_take_three() -> None:
    # W1 covers as much as W3 and ranks first, but W2+W3 cover everything in two.
    lines = [ol(10, "A", 6), ol(20, "B", 8)]
    facts = stock(("W1", "A", 8), ("W2", "A", 2), ("W2", "B", 1), ("W3", "A", 5), ("W3", "B", 1))

    assert plan(lines, facts) == expect(
        [ship("W2", sl(10, "A", 2), sl(20, "B", 1)), ship("W3", sl(10, "A", 4), sl(20, "B", 1))],
        [ol(20, "B", 6)],
    )


def test_beyond_the_exhaustive_limit_warehouses_are_picked_greedily() -> None:
    lines = [ol(10, "A", 6), ol(20, "B", 8)]
    facts = stock(("W1", "A", 8), ("W2", "A", 2), ("W2", "B", 1), ("W3", "A", 5), ("W3", "B", 1))
    extra = [(f"X{n:02}", "A", 1) for n in range(MAX_EXHAUSTIVE_WAREHOUSES - 2)]
    facts += stock(*extra)

    # W1 covers the most (6, tied with W3, first by rank), then W2 and W3 one B each.
    assert plan(lines, facts) == expect(
        [
            ship("W1", sl(10, "A", 6)),
            ship("W2", sl(20, "B", 1)),
            ship("W3", sl(20, "B", 1)),
        ],
        [ol(20, "B", 6)],
    )


def test_shipments_come_in_preference_order() -> None:
    facts = stock(("W1", "TG11", 9), ("W1", "TG12", 9), ("W2", "TG13", 9))

    assert plan(THREE, facts, AVAILABLE, ["W2", "W1"]) == expect(
        [ship("W2", sl(30, "TG13", 1)), ship("W1", sl(10, "TG11", 5), sl(20, "TG12", 2))], []
    )


# --- nothing to ship ---------------------------------------------------------------


@pytest.mark.parametrize("policy", [AVAILABLE, COMPLETE])
def test_zero_or_negative_stock_everywhere_backorders_everything(
    policy: FulfillmentPolicy,
) -> None:
    facts = stock(("W1", "TG11", 0), ("W1", "TG12", -3), ("W2", "TG13", 0), ("W2", "TG11", "0.4"))

    assert plan(THREE, facts, policy) == expect([], THREE)


@pytest.mark.parametrize("policy", [AVAILABLE, COMPLETE])
def test_no_stock_facts_backorders_everything(policy: FulfillmentPolicy) -> None:
    assert plan(THREE, [], policy) == expect([], THREE)


@pytest.mark.parametrize("policy", [AVAILABLE, COMPLETE])
def test_no_lines_plans_nothing(policy: FulfillmentPolicy) -> None:
    assert plan([], everywhere("W1"), policy) == expect([], [])


# --- quantities and input handling ---------------------------------------------------


def test_counted_units_only_ship_whole_units() -> None:
    lines = [ol(10, "TG11", 5)]
    facts = stock(("W1", "TG11", "2.7"), ("W2", "TG11", "1.5"))

    assert plan(lines, facts) == expect(
        [ship("W1", sl(10, "TG11", 2)), ship("W2", sl(10, "TG11", 1))], [ol(10, "TG11", 2)]
    )


def test_measured_units_ship_fractions() -> None:
    lines = [ol(10, "FLOUR", "3.5", KG)]
    facts = stock(("W1", "FLOUR", "2.25"), ("W2", "FLOUR", "1"))

    assert plan(lines, facts) == expect(
        [ship("W1", sl(10, "FLOUR", "2.25", KG)), ship("W2", sl(10, "FLOUR", "1", KG))],
        [ol(10, "FLOUR", "0.25", KG)],
    )


def test_facts_for_the_same_warehouse_and_sku_add_up() -> None:
    facts = stock(("W1", "TG11", 3), ("W1", "TG12", 2), ("W1", "TG11", 2), ("W1", "TG13", 1))

    assert plan(THREE, facts, COMPLETE) == expect([ship("W1", *WHOLE_THREE)], [])


def test_lines_are_planned_in_line_number_order() -> None:
    shuffled = [ol(30, "TG11", 4), ol(10, "TG11", 4), ol(20, "TG11", 4)]

    assert plan(shuffled, stock(("W1", "TG11", 6))) == expect(
        [ship("W1", sl(10, "TG11", 4), sl(20, "TG11", 2))],
        [ol(20, "TG11", 2), ol(30, "TG11", 4)],
    )


def test_a_repeated_line_number_is_refused() -> None:
    with pytest.raises(ValueError, match="line_no 10"):
        plan([ol(10, "TG11", 1), ol(10, "TG12", 1)], everywhere("W1"))


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_an_open_line_needs_a_positive_quantity(quantity: str) -> None:
    with pytest.raises(ValidationError):
        ol(10, "TG11", quantity)


def test_plans_are_frozen() -> None:
    result = plan(THREE, everywhere("W1"))

    with pytest.raises(ValidationError):
        result.shipments[0].warehouse = "W2"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        THREE[0].quantity = Decimal(1)  # type: ignore[misc]


def test_the_plan_does_not_depend_on_the_order_of_the_facts() -> None:
    lines = [ol(10, "A", 7), ol(20, "B", 3), ol(30, "A", 2), ol(40, "C", 9), ol(50, "D", 1)]
    facts = stock(
        ("W1", "A", 4),
        ("W1", "B", 3),
        ("W2", "A", 6),
        ("W2", "C", 4),
        ("W3", "C", 3),
        ("W3", "B", 1),
        ("W4", "A", 1),
        ("W4", "C", 1),
        ("W4", "A", 2),
    )
    first = plan(lines, facts, AVAILABLE, ["W3"])
    rng = random.Random(7)

    for _ in range(50):
        shuffled = list(facts)
        rng.shuffle(shuffled)
        again = plan(lines, shuffled, AVAILABLE, ["W3"])
        assert again == first
        assert again.model_dump_json() == first.model_dump_json()


# --- properties over random orders ---------------------------------------------------


def _random_case(
    rng: random.Random,
) -> tuple[list[OpenLine], list[StockFact], FulfillmentPolicy, list[str]]:
    warehouses = [f"W{n}" for n in range(rng.choice([1, 2, 3, 4, 6, 8, 14]))]
    skus = [f"S{n}" for n in range(rng.randint(1, 6))]
    lines = [
        OpenLine(
            line_no=10 * (index + 1),
            sku=rng.choice(skus),
            quantity=Decimal(rng.randint(1, 12)),
            uom=rng.choice([PC, PC, CA, KG]),
        )
        for index in range(rng.randint(1, 10))
    ]
    facts = [
        StockFact(
            warehouse=w,
            sku=sku,
            available=Decimal(rng.randint(-2, 12)) / rng.choice([1, 1, 1, 2, 4]),
        )
        for w in warehouses
        for sku in skus
        if rng.random() < 0.5
    ]
    candidates = [*warehouses, "NOWHERE"]
    preference = rng.sample(candidates, k=rng.randint(0, min(3, len(candidates))))
    return lines, facts, rng.choice([AVAILABLE, AVAILABLE, COMPLETE]), preference


def _usable(facts: list[StockFact], lines: list[OpenLine]) -> dict[tuple[str, str], Decimal]:
    counted = {line.sku for line in lines if line.uom in COUNTED_UNITS}
    summed: dict[tuple[str, str], Decimal] = {}
    for fact in facts:
        key = (fact.warehouse, fact.sku)
        summed[key] = summed.get(key, Decimal(0)) + fact.available
    usable: dict[tuple[str, str], Decimal] = {}
    for (warehouse, sku), qty in summed.items():
        value = Decimal(int(qty)) if sku in counted else qty  # int() floors positives
        usable[(warehouse, sku)] = max(value, Decimal(0))
    return usable


def test_random_plans_conserve_quantities_and_respect_stock() -> None:
    rng = random.Random(20240611)
    for case in range(400):
        lines, facts, policy, preference = _random_case(rng)
        result = plan_fulfillment(lines, facts, policy, preference)
        usable = _usable(facts, lines)
        context = f"case {case}: {lines} {facts} {policy} {preference} -> {result}"

        shipped_per_line: dict[int, Decimal] = {}
        allocated: dict[tuple[str, str], Decimal] = {}
        for shipment in result.shipments:
            assert shipment.lines, context
            line_nos = [entry.line_no for entry in shipment.lines]
            assert len(set(line_nos)) == len(line_nos), context
            for entry in shipment.lines:
                assert entry.quantity > 0, context
                key = (shipment.warehouse, entry.sku)
                allocated[key] = allocated.get(key, Decimal(0)) + entry.quantity
                shipped_per_line[entry.line_no] = (
                    shipped_per_line.get(entry.line_no, Decimal(0)) + entry.quantity
                )
        warehouses = [shipment.warehouse for shipment in result.shipments]
        assert len(set(warehouses)) == len(warehouses), context

        backordered = {line.line_no: line for line in result.backordered}
        assert len(backordered) == len(result.backordered), context
        for line in lines:
            rest = backordered.get(line.line_no)
            if rest is not None:
                assert (rest.sku, rest.uom) == (line.sku, line.uom), context
            left = rest.quantity if rest is not None else Decimal(0)
            assert shipped_per_line.get(line.line_no, Decimal(0)) + left == line.quantity, context
        for entry_line in (e for s in result.shipments for e in s.lines):
            source = next(line for line in lines if line.line_no == entry_line.line_no)
            assert (entry_line.sku, entry_line.uom) == (source.sku, source.uom), context
            if source.uom in COUNTED_UNITS:
                assert entry_line.quantity == entry_line.quantity.to_integral_value(), context
        for key, qty in allocated.items():
            assert qty <= usable.get(key, Decimal(0)), context

        wanted: dict[str, Decimal] = {}
        for line in lines:
            wanted[line.sku] = wanted.get(line.sku, Decimal(0)) + line.quantity
        if policy is COMPLETE:
            # One shipment from the best-ranked warehouse that fills it all, or nothing.
            fillers = sorted({w for w, _ in usable}, key=lambda w: (_place(preference, w), w))
            fillers = [
                w
                for w in fillers
                if all(usable.get((w, sku), Decimal(0)) >= qty for sku, qty in wanted.items())
            ]
            assert [shipment.warehouse for shipment in result.shipments] == fillers[:1], context
            assert result.backordered == ([] if result.shipments else lines), context
            continue

        # ship_available ships everything the network can.
        shipped_per_sku: dict[str, Decimal] = {}
        for (_, sku), qty in allocated.items():
            shipped_per_sku[sku] = shipped_per_sku.get(sku, Decimal(0)) + qty
        for sku, qty in wanted.items():
            network = sum((v for (_, s), v in usable.items() if s == sku), Decimal(0))
            assert shipped_per_sku.get(sku, Decimal(0)) == min(qty, network), context

        # ...from the fewest warehouses, best by rank, when the search is exhaustive.
        best = _brute_force_warehouses(lines, facts, preference)
        if best is not None:
            assert [shipment.warehouse for shipment in result.shipments] == best, context

        # The same inputs, with the stock facts shuffled, give the same plan.
        shuffled = list(facts)
        rng.shuffle(shuffled)
        assert plan_fulfillment(lines, shuffled, policy, preference) == result, context


def _place(preference: list[str], warehouse: str) -> int:
    return preference.index(warehouse) if warehouse in preference else len(preference)


def _brute_force_warehouses(
    lines: list[OpenLine], facts: list[StockFact], preference: list[str]
) -> list[str] | None:
    """The warehouses `ship_available` should ship from, found by trying every subset
    of warehouses; None beyond the exhaustive limit."""
    usable = _usable(facts, lines)
    wanted: dict[str, Decimal] = {}
    for line in lines:
        wanted[line.sku] = wanted.get(line.sku, Decimal(0)) + line.quantity
    holders = sorted({w for (w, sku), qty in usable.items() if qty > 0 and sku in wanted})
    if len(holders) > MAX_EXHAUSTIVE_WAREHOUSES:
        return None

    def rank(warehouse: str) -> tuple[int, str]:
        return (_place(preference, warehouse), warehouse)

    def holds(subset: Sequence[str], sku: str) -> Decimal:
        return sum((usable.get((w, sku), Decimal(0)) for w in subset), Decimal(0))

    target = {sku: min(qty, holds(holders, sku)) for sku, qty in wanted.items()}
    covering = [
        sorted(subset, key=rank)
        for size in range(len(holders) + 1)
        for subset in combinations(holders, size)
        if all(holds(subset, sku) >= qty for sku, qty in target.items())
    ]
    return min(covering, key=lambda subset: (len(subset), [rank(w) for w in subset]))


def test_random_small_networks_ship_from_the_fewest_and_best_ranked_warehouses() -> None:
    rng = random.Random(1)
    for case in range(600):
        warehouses = [f"W{n}" for n in range(rng.randint(2, 6))]
        skus = [f"S{n}" for n in range(rng.randint(2, 5))]
        lines = [
            ol(10 * (index + 1), rng.choice(skus), rng.randint(1, 9))
            for index in range(rng.randint(1, 6))
        ]
        facts = [
            StockFact(warehouse=w, sku=sku, available=Decimal(rng.randint(0, 9)))
            for w in warehouses
            for sku in skus
            if rng.random() < 0.5
        ]
        preference = rng.sample(warehouses, k=rng.randint(0, len(warehouses)))
        result = plan_fulfillment(lines, facts, AVAILABLE, preference)

        expected = _brute_force_warehouses(lines, facts, preference)
        got = [shipment.warehouse for shipment in result.shipments]
        assert got == expected, f"case {case}: {lines} {facts} {preference} -> {result}"
