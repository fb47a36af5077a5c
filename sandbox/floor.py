"""The warehouse floor: what happens when `picked`, `packed` and `shipped` fall due.

Picking takes what each line holds, less any armed short pick of its SKU
(`sandbox.wms_controls`). A short pick means the shelf had less than the books
said, so the warehouse corrects its count: on-hand stock drops by the unpicked
quantity (and the reservation holds only what was picked). Planning again against
this warehouse then sees what is really there. The `picked` event reports the real
quantity of every line, and the
shipment packs and ships only that. A shipment of which nothing at all was picked
ends CANCELLED after its `picked` event (every line 0) and goes no further.
"""

from collections.abc import Callable, Sequence

from sqlmodel import Session

from canonical.events import ExecutionEventKind
from sandbox import carrier
from sandbox.db import OutboxRow, ReservationLineRow, ReservationRow, StockRow
from sandbox.outbox import Applied, Applier, schedule
from sandbox.settings import SandboxSettings
from sandbox.wms_controls import take_short_pick
from sandbox.wms_state import (
    CANCELLED,
    LABELLED,
    PACKED,
    PICKED,
    RELEASED,
    SHIPPED,
    SOURCE,
    label_packed,
    lines_of,
    touch,
)


def _pick(session: Session, row: ReservationRow) -> tuple[Sequence[ReservationLineRow], int, str]:
    """Pick every line, spending the short picks armed for its SKUs; the caller commits.

    Returns:
        The lines with `picked` set, how many units were to be picked, and what was
        short, e.g. `TG11 3` ("" when nothing was).
    """
    lines = lines_of(session, row.shipment_id)
    shortfall: dict[str, int] = {}
    for sku in dict.fromkeys(line.sku for line in lines):
        short = take_short_pick(session, warehouse=row.warehouse, sku=sku)
        if short:
            shortfall[sku] = short
    wanted = 0
    missing: dict[str, int] = {}
    for line in lines:
        held = line.held
        short = min(held, shortfall.get(line.sku, 0))
        if short:
            shortfall[line.sku] -= short
            missing[line.sku] = missing.get(line.sku, 0) + short
            _correct_count(session, row.warehouse, line.sku, short)
        wanted += held
        line.picked = held - short
        session.add(line)
    return lines, wanted, ", ".join(f"{sku} {quantity}" for sku, quantity in missing.items())


def _correct_count(session: Session, warehouse: str, sku: str, missing: int) -> None:
    stock = session.get(StockRow, (warehouse, sku))
    if stock is not None:
        stock.on_hand = max(0, stock.on_hand - missing)
        session.add(stock)


def _quantities(lines: Sequence[ReservationLineRow]) -> tuple[tuple[int, str, int], ...]:
    return tuple((line.line_no, line.sku, line.held) for line in lines)


def appliers(settings: SandboxSettings) -> dict[tuple[str, str], Applier]:
    """The warehouse's state change for each of its scheduled event kinds."""

    def at(session: Session, event: OutboxRow, expected: str) -> ReservationRow | None:
        row = session.get(ReservationRow, event.shipment_id)
        return row if row is not None and row.status == expected else None

    def picked(session: Session, event: OutboxRow, now: float) -> Applied | None:
        row = at(session, event, RELEASED)
        if row is None:
            return None
        lines, wanted, short = _pick(session, row)
        units = sum(line.held for line in lines)
        detail = f"picked {units} units in {row.warehouse}"
        if short:
            detail = f"picked {units} of {wanted} units in {row.warehouse}; short: {short}"
        if units == 0:
            touch(session, row, CANCELLED, now)
            detail += "; nothing to ship, reservation cancelled"
        else:
            touch(session, row, PICKED, now)
            schedule(
                session,
                source=SOURCE,
                kind=ExecutionEventKind.PACKED,
                order_id=row.order_id,
                shipment_id=row.shipment_id,
                due_at=now + settings.pack_delay,
            )
        return Applied(detail=detail, lines=_quantities(lines))

    def packed(session: Session, event: OutboxRow, now: float) -> Applied | None:
        row = at(session, event, PICKED)
        if row is None:
            return None
        if row.tracking_number:
            label_packed(session, settings, row, now)
        else:
            touch(session, row, PACKED, now)
        return Applied(detail=f"packed in {row.warehouse}")

    def shipped(session: Session, event: OutboxRow, now: float) -> Applied | None:
        row = at(session, event, LABELLED)
        if row is None:
            return None
        lines = lines_of(session, row.shipment_id)
        for line in lines:
            stock = session.get(StockRow, (row.warehouse, line.sku))
            if stock is not None:
                # Clamped: a layout PUT after reserving may have left less than was held.
                stock.on_hand = max(0, stock.on_hand - line.held)
                session.add(stock)
        row.shipped_at = now
        touch(session, row, SHIPPED, now)
        tracked = carrier.record_pickup(
            session, settings, tracking_number=row.tracking_number, now=now
        )
        detail = f"shipped from {row.warehouse} via {row.carrier}"
        if not tracked:
            detail += " (label unknown to the carrier; no tracking)"
        return Applied(tracking_number=row.tracking_number, detail=detail, lines=_quantities(lines))

    table: dict[ExecutionEventKind, Callable[[Session, OutboxRow, float], Applied | None]] = {
        ExecutionEventKind.PICKED: picked,
        ExecutionEventKind.PACKED: packed,
        ExecutionEventKind.SHIPPED: shipped,
    }
    return {(SOURCE, kind.value): fn for kind, fn in table.items()}
