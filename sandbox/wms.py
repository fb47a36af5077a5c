"""The warehouse management system's API: stock, reservations and the floor's controls.

Release schedules the floor work (`sandbox.floor`: `picked` after `pick_delay`,
`packed` after `pack_delay` more); a label may arrive at any point before shipping,
and once the shipment is both packed and labelled it ships after `ship_delay`:
on-hand stock goes down, the reservation is consumed and the carrier is told of the
pickup. Receipts and short picks are in `sandbox.wms_controls`; the statuses and
what a reservation holds in `sandbox.wms_state`.

Quantities are whole units of the warehouse's stock unit; the sandbox does no unit
conversion (the caller sends base units), it only echoes the unit back.
"""

import time
from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from sqlmodel import Session, col, delete, select

from canonical.address import Address
from canonical.events import ExecutionEventKind
from sandbox.db import (
    ReservationLineRow,
    ReservationRow,
    SessionDep,
    SettingsDep,
    StockRow,
    known_warehouses,
)
from sandbox.errors import problem
from sandbox.outbox import cancel_scheduled, iso, schedule
from sandbox.wms_schemas import (
    LabelAttachIn,
    LineOut,
    ReleaseIn,
    ReservationIn,
    ReservationOut,
    StockIn,
    StockOut,
)
from sandbox.wms_state import (
    CANCELLED,
    ON_THE_FLOOR,
    PACKED,
    RELEASED,
    RESERVED,
    SHIPPED,
    SOURCE,
    label_packed,
    lines_of,
    reservation_or_404,
    reserved_quantities,
    stock_levels,
    touch,
)

ShipmentId = Annotated[str, Path(min_length=1, max_length=80)]


def _reservation_out(session: Session, row: ReservationRow) -> ReservationOut:
    return ReservationOut(
        shipment_id=row.shipment_id,
        order_id=row.order_id,
        warehouse=row.warehouse,
        status=row.status,
        lines=[
            LineOut(
                line_no=line.line_no,
                sku=line.sku,
                quantity=line.quantity,
                uom=line.uom,
                picked=line.picked,
            )
            for line in lines_of(session, row.shipment_id)
        ],
        ship_to=Address.model_validate_json(row.ship_to) if row.ship_to else None,
        carrier=row.carrier,
        tracking_number=row.tracking_number,
        created_at=iso(row.created_at),
        updated_at=iso(row.updated_at),
        shipped_at=iso(row.shipped_at),
    )


router = APIRouter(prefix="/wms", tags=["wms"])


@router.get("/stock")
async def get_stock(
    session: SessionDep, sku: Annotated[list[str] | None, Query()] = None
) -> list[StockOut]:
    """Stock by warehouse and SKU; `?sku=A&sku=B` narrows it to those SKUs."""
    return stock_levels(session, sku)


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
    return stock_levels(session)


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
    return _reservation_out(session, reservation_or_404(session, shipment_id))


@router.delete("/reservations/{shipment_id}", status_code=status.HTTP_204_NO_CONTENT)
async def cancel_reservation(shipment_id: ShipmentId, session: SessionDep) -> Response:
    """Give the stock back; unknown or already cancelled is fine, shipped is 409."""
    row = session.get(ReservationRow, shipment_id)
    if row is not None and row.status == SHIPPED:
        raise problem(409, "ALREADY_SHIPPED", f"shipment {shipment_id} has shipped")
    if row is not None and row.status != CANCELLED:
        cancel_scheduled(session, source=SOURCE, shipment_id=shipment_id)
        touch(session, row, CANCELLED, time.time())
        session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/reservations/{shipment_id}/release")
async def release(
    shipment_id: ShipmentId, body: ReleaseIn, session: SessionDep, settings: SettingsDep
) -> ReservationOut:
    """Send the shipment to the floor: picked, then packed, then it waits for a label."""
    row = reservation_or_404(session, shipment_id)
    if row.status == CANCELLED:
        raise problem(409, "RESERVATION_CANCELLED", f"shipment {shipment_id} was cancelled")
    if row.status == RESERVED:
        now = time.time()
        row.ship_to = body.ship_to.model_dump_json()
        touch(session, row, RELEASED, now)
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
    row = reservation_or_404(session, shipment_id)
    if row.status == SHIPPED:
        raise problem(409, "ALREADY_SHIPPED", f"shipment {shipment_id} has shipped")
    if row.status in ON_THE_FLOOR or (row.status == RESERVED and row.tracking_number):
        cancel_scheduled(session, source=SOURCE, shipment_id=shipment_id)
        row.carrier = ""
        row.tracking_number = ""
        touch(session, row, RESERVED, time.time())
        session.commit()
        session.refresh(row)
    return _reservation_out(session, row)


@router.put("/reservations/{shipment_id}/label")
async def attach_label(
    shipment_id: ShipmentId, body: LabelAttachIn, session: SessionDep, settings: SettingsDep
) -> ReservationOut:
    """Hand the shipment its label; once it is also packed, it ships."""
    row = reservation_or_404(session, shipment_id)
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
        label_packed(session, settings, row, now)
    session.commit()
    session.refresh(row)
    return _reservation_out(session, row)
