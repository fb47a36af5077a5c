"""The warehouse's state, shared by its API (`sandbox.wms`, `sandbox.wms_controls`) and
its floor (`sandbox.floor`): reservation statuses, what reservations hold, stock levels.

A reservation is keyed by our shipment id and moves
`RESERVED -> RELEASED -> PICKED -> PACKED -> LABELLED -> SHIPPED`, or to `CANCELLED`
(cancelled by the caller, or picked with nothing found on the shelf). While it is
open it holds, per line, the reserved quantity until the line is picked and the
picked quantity from then on (`ReservationLineRow.held`).
"""

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import Session, col, select

from canonical.events import ExecutionEventKind
from sandbox.db import ReservationLineRow, ReservationRow, StockRow
from sandbox.errors import problem
from sandbox.outbox import schedule
from sandbox.settings import SandboxSettings
from sandbox.wms_schemas import StockOut

SOURCE = "wms"

RESERVED = "RESERVED"
RELEASED = "RELEASED"
PICKED = "PICKED"
PACKED = "PACKED"
LABELLED = "LABELLED"
SHIPPED = "SHIPPED"
CANCELLED = "CANCELLED"
# Reservations whose stock is still held.
OPEN = (RESERVED, RELEASED, PICKED, PACKED, LABELLED)
ON_THE_FLOOR = (RELEASED, PICKED, PACKED, LABELLED)


def lines_of(session: Session, shipment_id: str) -> Sequence[ReservationLineRow]:
    """A reservation's lines in line order."""
    return session.exec(
        select(ReservationLineRow)
        .where(ReservationLineRow.shipment_id == shipment_id)
        .order_by(col(ReservationLineRow.line_no), col(ReservationLineRow.id))
    ).all()


def reserved_quantities(session: Session) -> dict[tuple[str, str], int]:
    """(warehouse, sku) -> quantity held by open reservations."""
    rows = session.exec(
        select(ReservationRow.warehouse, ReservationLineRow)
        .join(
            ReservationLineRow,
            col(ReservationLineRow.shipment_id) == col(ReservationRow.shipment_id),
        )
        .where(col(ReservationRow.status).in_(OPEN))
    ).all()
    held: dict[tuple[str, str], int] = defaultdict(int)
    for warehouse, line in rows:
        held[warehouse, line.sku] += line.held
    return held


def stock_levels(
    session: Session, skus: list[str] | None = None, warehouse: str | None = None
) -> list[StockOut]:
    """On hand and available by warehouse and SKU, optionally narrowed."""
    query = select(StockRow).order_by(col(StockRow.warehouse), col(StockRow.sku))
    if skus:
        query = query.where(col(StockRow.sku).in_(skus))
    if warehouse is not None:
        query = query.where(StockRow.warehouse == warehouse)
    held = reserved_quantities(session)
    return [
        StockOut(
            warehouse=row.warehouse,
            sku=row.sku,
            on_hand=row.on_hand,
            available=row.on_hand - held.get((row.warehouse, row.sku), 0),
        )
        for row in session.exec(query).all()
    ]


def reservation_or_404(session: Session, shipment_id: str) -> ReservationRow:
    """The reservation of a shipment, or a 404."""
    row = session.get(ReservationRow, shipment_id)
    if row is None:
        raise problem(404, "NOT_FOUND", f"no reservation for shipment {shipment_id}")
    return row


def touch(session: Session, row: ReservationRow, new_status: str, now: float) -> None:
    """Move a reservation to `new_status`; the caller commits."""
    row.status = new_status
    row.updated_at = now
    session.add(row)


def label_packed(
    session: Session, settings: SandboxSettings, row: ReservationRow, now: float
) -> None:
    """Packed and labelled: mark it so and schedule the truck; the caller commits."""
    touch(session, row, LABELLED, now)
    schedule(
        session,
        source=SOURCE,
        kind=ExecutionEventKind.SHIPPED,
        order_id=row.order_id,
        shipment_id=row.shipment_id,
        due_at=now + settings.ship_delay,
    )
