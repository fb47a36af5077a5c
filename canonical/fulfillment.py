"""Where an order ships from: pure planning functions over stock levels.

`plan_fulfillment` decides which warehouses ship which lines (one warehouse when one
can fill the order, else the fewest warehouses, else a backorder) under the order's
`FulfillmentPolicy`.
"""

from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, Decimal
from itertools import combinations, pairwise
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from canonical.orders import FulfillmentPolicy
from canonical.quantities import COUNTED_UNITS, UnitOfMeasure
from canonical.shipments import ShipmentLine


class StockFact(BaseModel):
    """What one warehouse has free of one SKU."""

    model_config = ConfigDict(frozen=True)

    warehouse: str
    sku: str
    available: Decimal


def shipment_id(order_id: str, sequence: int) -> str:
    """Deterministic shipment ids: `<order_id>-S1`, `-S2`, ..."""
    return f"{order_id}-S{sequence}"


# Above this many warehouses holding something useful, `plan_fulfillment` stops trying
# every combination (2**12 - 1 = 4095 at most) and picks warehouses greedily.
MAX_EXHAUSTIVE_WAREHOUSES = 12

_ZERO = Decimal(0)


class OpenLine(BaseModel):
    """An order line, or what is left of one, still to ship.

    Attributes:
        line_no: The order line it belongs to.
        quantity: Strictly positive, in `uom`; stock facts for `sku` count in the
            same unit.
    """

    model_config = ConfigDict(frozen=True)

    line_no: int
    sku: str
    quantity: Annotated[Decimal, Field(gt=0)]
    uom: UnitOfMeasure


class PlannedShipment(BaseModel):
    """What one warehouse is to ship: at most one entry per order line."""

    model_config = ConfigDict(frozen=True)

    warehouse: str
    lines: list[ShipmentLine]


class FulfillmentPlan(BaseModel):
    """Shipments in warehouse preference order, and what no warehouse can ship now."""

    model_config = ConfigDict(frozen=True)

    shipments: list[PlannedShipment]
    backordered: list[OpenLine]


def plan_fulfillment(
    lines: Sequence[OpenLine],
    stock: Iterable[StockFact],
    policy: FulfillmentPolicy,
    preference: Sequence[str] = (),
) -> FulfillmentPlan:
    """Decide which warehouses ship which lines, and what waits for stock.

    Warehouses are ranked by their first position in `preference`, then the others by
    name; names in `preference` that hold no stock are ignored. Lines are planned in
    `line_no` order, and lines that share a SKU draw from the same stock.

    1. If one warehouse can fill every line completely, the plan is one shipment of
       every line from it: the first such warehouse by rank. This holds under both
       policies.
    2. Otherwise, under `ship_complete`, there are no shipments and every line is
       backordered whole: the order waits until one warehouse can fill it all.
    3. Otherwise, under `ship_available`, the plan ships from the fewest warehouses
       that can fill everything the whole network can fill. Per SKU the target is
       min(wanted, total available); the chosen warehouses are the smallest set whose
       stock covers every target, and among sets of that size the one whose sorted
       ranks are lexicographically smallest (so the preference, then names, break
       ties). Each line then goes, in `line_no` order, whole to the first chosen
       warehouse by rank that can fill it; when none can, it is split across the
       chosen warehouses in rank order, each giving what it has left. What remains of
       a line is backordered with the line's `line_no`, `sku` and `uom`. Warehouses
       given nothing are not shipments; shipments come in rank order.
    4. The plan depends only on the inputs' content, not on the order of the lines or
       of the stock facts: the same inputs always give the same plan. Facts for the same
       (warehouse, SKU) add up; a total of zero or less counts as none. For a SKU
       ordered in a counted unit (PC, CA, ...) availability is floored to whole units,
       so lines are only split at whole units.
    5. With more than `MAX_EXHAUSTIVE_WAREHOUSES` warehouses holding something the
       order wants, step 3 does not try every combination: it picks, one at a time,
       the warehouse that covers the most still-uncovered target quantity (ties by
       rank) until every target is covered. That may use more warehouses than needed.

    Raises:
        ValueError: Two lines share a `line_no`.
    """
    ordered = sorted(lines, key=lambda line: line.line_no)
    for before, after in pairwise(ordered):
        if before.line_no == after.line_no:
            raise ValueError(f"line_no {after.line_no} appears more than once")
    if not ordered:
        return FulfillmentPlan(shipments=[], backordered=[])

    wanted: dict[str, Decimal] = {}
    for line in ordered:
        wanted[line.sku] = wanted.get(line.sku, _ZERO) + line.quantity
    counted = {line.sku for line in ordered if line.uom in COUNTED_UNITS}
    free = _usable_stock(stock, wanted, counted)
    ranked = _ranked(free, preference)

    for warehouse in ranked:
        if all(free[warehouse].get(sku, _ZERO) >= qty for sku, qty in wanted.items()):
            whole = [_shipment_line(line, line.quantity) for line in ordered]
            return FulfillmentPlan(
                shipments=[PlannedShipment(warehouse=warehouse, lines=whole)], backordered=[]
            )
    if policy is FulfillmentPolicy.SHIP_COMPLETE:
        return FulfillmentPlan(shipments=[], backordered=list(ordered))

    target: dict[str, Decimal] = {}
    for sku, qty in wanted.items():
        total = sum((free[w].get(sku, _ZERO) for w in ranked), _ZERO)
        if total > 0:
            target[sku] = min(qty, total)
    if len(ranked) > MAX_EXHAUSTIVE_WAREHOUSES:
        chosen = _greedy_cover(ranked, free, target)
    else:
        chosen = _fewest_cover(ranked, free, target)
    return _allocate(ordered, chosen, free)


def _usable_stock(
    stock: Iterable[StockFact], wanted: dict[str, Decimal], counted: set[str]
) -> dict[str, dict[str, Decimal]]:
    """warehouse -> sku -> usable quantity (> 0), for the wanted SKUs only."""
    summed: dict[tuple[str, str], Decimal] = {}
    for fact in stock:
        if fact.sku in wanted:
            key = (fact.warehouse, fact.sku)
            summed[key] = summed.get(key, _ZERO) + fact.available
    free: dict[str, dict[str, Decimal]] = {}
    for (warehouse, sku), qty in summed.items():
        usable = qty.to_integral_value(rounding=ROUND_FLOOR) if sku in counted else qty
        if usable > 0:
            free.setdefault(warehouse, {})[sku] = usable
    return free


def _ranked(free: dict[str, dict[str, Decimal]], preference: Sequence[str]) -> list[str]:
    position: dict[str, int] = {}
    for index, warehouse in enumerate(preference):
        position.setdefault(warehouse, index)
    return sorted(free, key=lambda w: (position.get(w, len(preference)), w))


def _fewest_cover(
    ranked: list[str], free: dict[str, dict[str, Decimal]], target: dict[str, Decimal]
) -> list[str]:
    """The smallest set of warehouses covering `target`, best by rank; in rank order."""
    if not target:
        return []
    skus = list(target)
    need = [target[sku] for sku in skus]
    have = {w: [free[w].get(sku, _ZERO) for sku in skus] for w in ranked}
    # No set smaller than the most any one SKU needs on its own can do.
    least = [
        _warehouses_needed(sorted((have[w][i] for w in ranked), reverse=True), need[i])
        for i in range(len(skus))
    ]
    # Check the SKUs that need the most warehouses first, and move whichever SKU last
    # sank a combination to the front: most combinations then fail on the first check.
    # The check order changes only how fast a combination fails, never the answer.
    checks = sorted(range(len(skus)), key=lambda i: (-least[i], skus[i]))
    for size in range(max(least), len(ranked) + 1):
        # `combinations` yields subsets of the ranked list in lexicographic rank order.
        for combo in combinations(ranked, size):
            for position, i in enumerate(checks):
                if sum((have[w][i] for w in combo), _ZERO) < need[i]:
                    if position:
                        checks.insert(0, checks.pop(position))
                    break
            else:
                return list(combo)
    raise AssertionError("all warehouses together always cover the target")


def _warehouses_needed(holdings_largest_first: list[Decimal], need: Decimal) -> int:
    covered = _ZERO
    for count, held in enumerate(holdings_largest_first, start=1):
        covered += held
        if covered >= need:
            return count
    return len(holdings_largest_first)


def _greedy_cover(
    ranked: list[str], free: dict[str, dict[str, Decimal]], target: dict[str, Decimal]
) -> list[str]:
    """Warehouses picked by most uncovered quantity covered first; in rank order."""
    remaining = dict(target)
    chosen: list[str] = []
    while any(qty > 0 for qty in remaining.values()):
        best: str | None = None
        best_cover = _ZERO
        for warehouse in ranked:
            if warehouse in chosen:
                continue
            cover = sum(
                (min(qty, free[warehouse].get(sku, _ZERO)) for sku, qty in remaining.items()),
                _ZERO,
            )
            if cover > best_cover:
                best, best_cover = warehouse, cover
        if best is None:
            break
        chosen.append(best)
        for sku, qty in remaining.items():
            remaining[sku] = qty - min(qty, free[best].get(sku, _ZERO))
    return [w for w in ranked if w in chosen]


def _allocate(
    lines: list[OpenLine], chosen: list[str], free: dict[str, dict[str, Decimal]]
) -> FulfillmentPlan:
    left = {w: dict(free[w]) for w in chosen}
    shipped: dict[str, list[ShipmentLine]] = {w: [] for w in chosen}
    backordered: list[OpenLine] = []
    for line in lines:
        whole = next((w for w in chosen if left[w].get(line.sku, _ZERO) >= line.quantity), None)
        if whole is not None:
            left[whole][line.sku] -= line.quantity
            shipped[whole].append(_shipment_line(line, line.quantity))
            continue
        rest = line.quantity
        for warehouse in chosen:
            have = left[warehouse].get(line.sku, _ZERO)
            if rest <= 0 or have <= 0:
                continue
            take = min(rest, have)
            left[warehouse][line.sku] = have - take
            shipped[warehouse].append(_shipment_line(line, take))
            rest -= take
        if rest > 0:
            backordered.append(
                OpenLine(line_no=line.line_no, sku=line.sku, quantity=rest, uom=line.uom)
            )
    return FulfillmentPlan(
        shipments=[PlannedShipment(warehouse=w, lines=shipped[w]) for w in chosen if shipped[w]],
        backordered=backordered,
    )


def _shipment_line(line: OpenLine, quantity: Decimal) -> ShipmentLine:
    return ShipmentLine(line_no=line.line_no, sku=line.sku, quantity=quantity, uom=line.uom)
