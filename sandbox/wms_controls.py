"""The warehouse operator's controls: receipts and short picks.

- `POST /wms/receipts` books stock in at once and sends a `stock_received` event
  (no order, no shipment; the warehouse and one line `line_no` 0 with the SKU and
  quantity) to `POST {webhook_base_url}/wms`.
- `POST /wms/short-picks` arms a short pick: the next pick of the SKU (in the
  warehouse, or in any when none is given) comes up `quantity` short, never below
  zero, and the rule is spent. Rules are used oldest first, one per SKU per pick.
  `GET` lists the armed rules, `DELETE` disarms them all.

Like the stock layout, these are not subject to injected faults: they are the
operator's control panel, not the API Ordermesh integrates with.
"""

import time

from fastapi import APIRouter, Response, status
from sqlmodel import Session, col, delete, select

from canonical.events import ExecutionEventKind
from sandbox.db import SessionDep, ShortPickRow, StockRow, known_warehouses
from sandbox.errors import problem
from sandbox.outbox import Applied, emit, iso
from sandbox.wms_schemas import ReceiptIn, ShortPickIn, ShortPickOut, StockOut
from sandbox.wms_state import SOURCE, stock_levels

router = APIRouter(prefix="/wms", tags=["wms controls"])


def _unknown_warehouse(warehouse: str) -> Exception:
    return problem(422, "UNKNOWN_WAREHOUSE", f"unknown warehouse {warehouse}")


@router.post("/receipts", status_code=status.HTTP_201_CREATED)
async def receive(body: ReceiptIn, session: SessionDep) -> StockOut:
    """Book stock in: on hand goes up now, and `stock_received` is sent.

    Returns the SKU's new stock level in that warehouse.
    """
    if body.warehouse not in known_warehouses(session):
        raise _unknown_warehouse(body.warehouse)
    now = time.time()
    stock = session.get(StockRow, (body.warehouse, body.sku))
    if stock is None:
        stock = StockRow(warehouse=body.warehouse, sku=body.sku, on_hand=0)
    stock.on_hand += body.quantity
    session.add(stock)
    emit(
        session,
        source=SOURCE,
        kind=ExecutionEventKind.STOCK_RECEIVED,
        result=Applied(
            detail=f"received {body.quantity} {body.sku} in {body.warehouse}",
            lines=((0, body.sku, body.quantity),),
            warehouse=body.warehouse,
        ),
        now=now,
    )
    session.commit()
    [level] = stock_levels(session, [body.sku], warehouse=body.warehouse)
    return level


def _short_pick_out(row: ShortPickRow) -> ShortPickOut:
    return ShortPickOut(
        id=row.id or 0,
        sku=row.sku,
        quantity=row.quantity,
        warehouse=row.warehouse or None,
        created_at=iso(row.created_at),
    )


@router.post("/short-picks", status_code=status.HTTP_201_CREATED)
async def arm_short_pick(body: ShortPickIn, session: SessionDep) -> ShortPickOut:
    """Make the next pick of a SKU come up short."""
    if body.warehouse is not None and body.warehouse not in known_warehouses(session):
        raise _unknown_warehouse(body.warehouse)
    row = ShortPickRow(
        sku=body.sku, warehouse=body.warehouse or "", quantity=body.quantity, created_at=time.time()
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return _short_pick_out(row)


@router.get("/short-picks")
async def list_short_picks(session: SessionDep) -> list[ShortPickOut]:
    """The armed short picks, oldest first."""
    rows = session.exec(select(ShortPickRow).order_by(col(ShortPickRow.id))).all()
    return [_short_pick_out(row) for row in rows]


@router.delete("/short-picks", status_code=status.HTTP_204_NO_CONTENT)
async def clear_short_picks(session: SessionDep) -> Response:
    """Disarm every short pick."""
    session.exec(delete(ShortPickRow))
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def take_short_pick(session: Session, *, warehouse: str, sku: str) -> int:
    """Spend the oldest short pick armed for `sku` in `warehouse` (or in any).

    Returns:
        How many units the pick comes up short; 0 when no rule is armed. The caller
        commits, so the rule is spent only if the pick is.
    """
    rule = session.exec(
        select(ShortPickRow)
        .where(
            ShortPickRow.sku == sku,
            col(ShortPickRow.warehouse).in_([warehouse, ""]),
        )
        .order_by(col(ShortPickRow.id))
    ).first()
    if rule is None:
        return 0
    session.delete(rule)
    return rule.quantity
