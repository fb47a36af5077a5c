"""The warehouse management system: stock, reservations and the floor.

A reservation is keyed by our shipment id and moves
`RESERVED -> RELEASED -> PICKED -> PACKED -> LABELLED -> SHIPPED`, or to `CANCELLED`.
Release schedules the floor work (`picked` after `pick_delay`, `packed` after
`pack_delay` more); a label may arrive at any point before shipping, and once the
shipment is both packed and labelled it ships after `ship_delay`: on-hand stock goes
down, the reservation is consumed and the carrier is told of the pickup.

Quantities are whole units of the warehouse's stock unit; the sandbox does no unit
conversion (the caller sends base units), it only echoes the unit back.
"""

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from sqlmodel import Session, col, delete, select

from canonical.address import Address
from canonical.events import ExecutionEventKind
from sandbox import carrier
from sandbox.db import (
    OutboxRow,
    ReservationLineRow,
    ReservationRow,
    SessionDep,
    SettingsDep,
    StockRow,
    known_warehouses,
)
from sandbox.errors import problem
from sandbox.outbox import Applied, Applier, cancel_scheduled, iso, schedule
from sandbox.settings import SandboxSettings
from sandbox.wms_schemas import (
    LabelAttachIn,
    LineOut,
    ReleaseIn,
    ReservationIn,
    ReservationOut,
    StockIn,
    StockOut,
)

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

ShipmentId = Annotated[str, Path(min_length=1, max_length=80)]


def _lines(session: Session, shipment_id: str) -> Sequence[ReservationLineRow]:
    return session.exec(
        select(ReservationLineRow)
        .where(ReservationLineRow.shipment_id == shipment_id)
        .order_by(col(ReservationLineRow.line_no), col(ReservationLineRow.id))
    ).all()


def _reservation_out(session: Session, row: ReservationRow) -> ReservationOut:
    return ReservationOut(
        shipment_id=row.shipment_id,
        order_id=row.order_id,
        warehouse=row.warehouse,
        status=row.status,
        lines=[
            LineOut(line_no=line.line_no, sku=line.sku, quantity=line.quantity, uom=line.uom)
            for line in _lines(session, row.shipment_id)
        ],
        ship_to=Address.model_validate_json(row.ship_to) if row.ship_to else None,
        carrier=row.carrier,
        tracking_number=row.tracking_number,
        created_at=iso(row.created_at),
        updated_at=iso(row.updated_at),
        shipped_at=iso(row.shipped_at),
    )


def reserved_quantities(session: Session) -> dict[tuple[str, str], int]:
    """(warehouse, sku) -> quantity held by open reservations."""
    rows = session.exec(
        select(ReservationRow.warehouse, ReservationLineRow.sku, ReservationLineRow.quantity)
        .join(
            ReservationLineRow,
            col(ReservationLineRow.shipment_id) == col(ReservationRow.shipment_id),
        )
        .where(col(ReservationRow.status).in_(OPEN))
    ).all()
    held: dict[tuple[str, str], int] = defaultdict(int)
    for warehouse, sku, quantity in rows:
        held[warehouse, sku] += quantity
    return held


def _stock_levels(session: Session, skus: list[str] | None = None) -> list[StockOut]:
    query = select(StockRow).order_by(col(StockRow.warehouse), col(StockRow.sku))
    if skus:
        query = query.where(col(StockRow.sku).in_(skus))
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


def _get(session: Session, shipment_id: str) -> ReservationRow:
    row = session.get(ReservationRow, shipment_id)
    if row is None:
        raise problem(404, "NOT_FOUND", f"no reservation for shipment {shipment_id}")
    return row


def _touch(session: Session, row: ReservationRow, new_status: str, now: float) -> None:
    row.status = new_status
    row.updated_at = now
    session.add(row)


router = APIRouter(prefix="/wms", tags=["wms"])


@router.get("/stock")
async def get_stock(
    session: SessionDep, sku: Annotated[list[str] | None, Query()] = None
) -> list[StockOut]:
    """Stock by warehouse and SKU; `?sku=A&sku=B` narrows it to those SKUs."""
    return _stock_levels(session, sku)


@router.put("/stock")
async def put_stock(layout: list[StockIn], session: SessionDep) -> list[StockOut]:
    """Replace the whole stock layout; reservations are kept."""
    seen: set[tuple[str, str]] = set()
    for item in layout:
        key = (item.warehouse, item.sku)
        if key in seen:
            raise problem(
                422, "DUPLICATE_STOCK_ROW", f"{item.sku} in {item.warehouse} is listed twice"
            )
        seen.add(key)
    session.exec(delete(StockRow))
    for item in layout:
        session.add(StockRow(warehouse=item.warehouse, sku=item.sku, on_hand=item.on_hand))
    session.commit()
    return _stock_levels(session)


@router.put("/reservations/{shipment_id}", status_code=status.HTTP_201_CREATED)
async def reserve(
    shipment_id: ShipmentId, body: ReservationIn, response: Response, session: SessionDep
) -> ReservationOut:
    """Hold stock for a shipment, all lines or none.

    The same shipment id again returns the existing reservation (200); a cancelled
    one is reserved afresh (201), so a saga may reserve again after compensating.
    """
    existing = session.get(ReservationRow, shipment_id)
    if existing is not None and existing.status != CANCELLED:
        response.status_code = status.HTTP_200_OK
        return _reservation_out(session, existing)
    if body.warehouse not in known_warehouses(session):
        raise problem(422, "UNKNOWN_WAREHOUSE", f"unknown warehouse {body.warehouse}")
    wanted: dict[str, int] = defaultdict(int)
    for line in body.lines:
        wanted[line.sku] += int(line.quantity)
    on_hand = {
        row.sku: row.on_hand
        for row in session.exec(select(StockRow).where(StockRow.warehouse == body.warehouse))
    }
    held = reserved_quantities(session)
    shortages = []
    for sku, quantity in wanted.items():
        available = on_hand.get(sku, 0) - held.get((body.warehouse, sku), 0)
        if quantity > available:
            shortages.append({"sku": sku, "wanted": quantity, "available": max(available, 0)})
    if shortages:
        text = "; ".join(
            f"{s['sku']} wanted {s['wanted']}, available {s['available']}" for s in shortages
        )
        raise problem(
            409,
            "INSUFFICIENT_STOCK",
            f"not enough stock in {body.warehouse}: {text}",
            shortages=shortages,
        )
    now = time.time()
    if existing is not None:
        session.exec(
            delete(ReservationLineRow).where(col(ReservationLineRow.shipment_id) == shipment_id)
        )
        session.delete(existing)
        session.flush()
    row = ReservationRow(
        shipment_id=shipment_id,
        order_id=body.order_id,
        warehouse=body.warehouse,
        status=RESERVED,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    for line in body.lines:
        session.add(
            ReservationLineRow(
                shipment_id=shipment_id,
                line_no=line.line_no,
                sku=line.sku,
                quantity=int(line.quantity),
                uom=line.uom.value,
            )
        )
    session.commit()
    session.refresh(row)
    return _reservation_out(session, row)


@router.get("/reservations/{shipment_id}")
async def get_reservation(shipment_id: ShipmentId, session: SessionDep) -> ReservationOut:
    """One reservation."""
    return _reservation_out(session, _get(session, shipment_id))


@router.delete("/reservations/{shipment_id}", status_code=status.HTTP_204_NO_CONTENT)
async def cancel_reservation(shipment_id: ShipmentId, session: SessionDep) -> Response:
    """Give the stock back; unknown or already cancelled is fine, shipped is 409."""
    row = session.get(ReservationRow, shipment_id)
    if row is not None and row.status == SHIPPED:
        raise problem(409, "ALREADY_SHIPPED", f"shipment {shipment_id} has shipped")
    if row is not None and row.status != CANCELLED:
        cancel_scheduled(session, source=SOURCE, shipment_id=shipment_id)
        _touch(session, row, CANCELLED, time.time())
        session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/reservations/{shipment_id}/release")
async def release(
    shipment_id: ShipmentId, body: ReleaseIn, session: SessionDep, settings: SettingsDep
) -> ReservationOut:
    """Send the shipment to the floor: picked, then packed, then it waits for a label."""
    row = _get(session, shipment_id)
    if row.status == CANCELLED:
        raise problem(409, "RESERVATION_CANCELLED", f"shipment {shipment_id} was cancelled")
    if row.status == RESERVED:
        now = time.time()
        row.ship_to = body.ship_to.model_dump_json()
        _touch(session, row, RELEASED, now)
        schedule(
            session,
            source=SOURCE,
            kind=ExecutionEventKind.PICKED,
            order_id=row.order_id,
            shipment_id=shipment_id,
            due_at=now + settings.pick_delay,
        )
        session.commit()
        session.refresh(row)
    return _reservation_out(session, row)


@router.post("/reservations/{shipment_id}/recall")
async def recall(shipment_id: ShipmentId, session: SessionDep) -> ReservationOut:
    """Take the shipment off the floor, back to RESERVED, dropping its label.

    The label goes because whoever recalls it will void it at the carrier; a
    shipment released again needs a new one.
    """
    row = _get(session, shipment_id)
    if row.status == SHIPPED:
        raise problem(409, "ALREADY_SHIPPED", f"shipment {shipment_id} has shipped")
    if row.status in ON_THE_FLOOR or (row.status == RESERVED and row.tracking_number):
        cancel_scheduled(session, source=SOURCE, shipment_id=shipment_id)
        row.carrier = ""
        row.tracking_number = ""
        _touch(session, row, RESERVED, time.time())
        session.commit()
        session.refresh(row)
    return _reservation_out(session, row)


@router.put("/reservations/{shipment_id}/label")
async def attach_label(
    shipment_id: ShipmentId, body: LabelAttachIn, session: SessionDep, settings: SettingsDep
) -> ReservationOut:
    """Hand the shipment its label; once it is also packed, it ships."""
    row = _get(session, shipment_id)
    if row.status == CANCELLED:
        raise problem(409, "RESERVATION_CANCELLED", f"shipment {shipment_id} was cancelled")
    if row.status == SHIPPED:
        if row.tracking_number != body.tracking_number:
            raise problem(
                409,
                "ALREADY_SHIPPED",
                f"shipment {shipment_id} shipped with tracking number {row.tracking_number}",
            )
        return _reservation_out(session, row)
    now = time.time()
    row.carrier = body.carrier
    row.tracking_number = body.tracking_number
    row.updated_at = now
    session.add(row)
    if row.status == PACKED:
        _label_packed(session, settings, row, now)
    session.commit()
    session.refresh(row)
    return _reservation_out(session, row)


def _label_packed(
    session: Session, settings: SandboxSettings, row: ReservationRow, now: float
) -> None:
    """Packed and labelled: mark it so and schedule the truck."""
    _touch(session, row, LABELLED, now)
    schedule(
        session,
        source=SOURCE,
        kind=ExecutionEventKind.SHIPPED,
        order_id=row.order_id,
        shipment_id=row.shipment_id,
        due_at=now + settings.ship_delay,
    )


def appliers(settings: SandboxSettings) -> dict[tuple[str, str], Applier]:
    """The warehouse's state change for each of its event kinds."""

    def at(session: Session, event: OutboxRow, expected: str) -> ReservationRow | None:
        row = session.get(ReservationRow, event.shipment_id)
        return row if row is not None and row.status == expected else None

    def picked(session: Session, event: OutboxRow, now: float) -> Applied | None:
        row = at(session, event, RELEASED)
        if row is None:
            return None
        _touch(session, row, PICKED, now)
        schedule(
            session,
            source=SOURCE,
            kind=ExecutionEventKind.PACKED,
            order_id=row.order_id,
            shipment_id=row.shipment_id,
            due_at=now + settings.pack_delay,
        )
        units = sum(line.quantity for line in _lines(session, row.shipment_id))
        return Applied(detail=f"picked {units} units in {row.warehouse}")

    def packed(session: Session, event: OutboxRow, now: float) -> Applied | None:
        row = at(session, event, PICKED)
        if row is None:
            return None
        if row.tracking_number:
            _label_packed(session, settings, row, now)
        else:
            _touch(session, row, PACKED, now)
        return Applied(detail=f"packed in {row.warehouse}")

    def shipped(session: Session, event: OutboxRow, now: float) -> Applied | None:
        row = at(session, event, LABELLED)
        if row is None:
            return None
        for line in _lines(session, row.shipment_id):
            stock = session.get(StockRow, (row.warehouse, line.sku))
            if stock is not None:
                # Clamped: a layout PUT after reserving may have left less than was held.
                stock.on_hand = max(0, stock.on_hand - line.quantity)
                session.add(stock)
        row.shipped_at = now
        _touch(session, row, SHIPPED, now)
        tracked = carrier.record_pickup(
            session, settings, tracking_number=row.tracking_number, now=now
        )
        detail = f"shipped from {row.warehouse} via {row.carrier}"
        if not tracked:
            detail += " (label unknown to the carrier; no tracking)"
        return Applied(tracking_number=row.tracking_number, detail=detail)

    table: dict[ExecutionEventKind, Callable[[Session, OutboxRow, float], Applied | None]] = {
        ExecutionEventKind.PICKED: picked,
        ExecutionEventKind.PACKED: packed,
        ExecutionEventKind.SHIPPED: shipped,
    }
    return {(SOURCE, kind.value): fn for kind, fn in table.items()}
