"""Customer returns at the warehouse: the receiving dock's count, then disposition.

- `POST /wms/return-receipts` records what arrived for an RMA (possibly less than
  was authorised, possibly nothing) and sends a `return_received` event with the
  order, the RMA, the warehouse and the lines with their condition to
  `POST {webhook_base_url}/wms`. Returned goods go to quarantine, not to sellable
  stock: on-hand stock does not change until someone decides what to do with them.
  The dock (tests, operators) plays this, so it is exempt from injected faults.
- `POST /wms/restock` puts returned goods back on the shelf (on hand goes up) and
  `POST /wms/scrap` writes them off (no stock change); each is booked once per
  idempotency key, and a repeat answers 200 with what the first call booked. A key
  reused for something else is 409 `IDEMPOTENCY_KEY_REUSED`.

The sandbox does not check dispositions against what was received: the dock's
count and the inspection are the caller's to reconcile.
"""

import time
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import TypeAdapter
from sqlmodel import Session, col, select

from canonical.events import ExecutionEventKind
from sandbox.db import (
    DispositionRow,
    OutboxRow,
    ReturnReceiptRow,
    SessionDep,
    StockRow,
    known_warehouses,
)
from sandbox.errors import problem
from sandbox.outbox import Applied, emit, iso
from sandbox.returns_schemas import (
    DispositionIn,
    DispositionOut,
    ReturnLineIn,
    ReturnReceiptIn,
    ReturnReceiptOut,
)
from sandbox.wms_state import SOURCE

RESTOCK = "RESTOCK"
SCRAP = "SCRAP"

_LINES = TypeAdapter(list[ReturnLineIn])

router = APIRouter(prefix="/wms", tags=["wms returns"])


def _receipt_out(row: ReturnReceiptRow) -> ReturnReceiptOut:
    return ReturnReceiptOut(
        rma_id=row.rma_id,
        order_id=row.order_id,
        warehouse=row.warehouse,
        lines=_LINES.validate_json(row.lines),
        event_id=row.event_id,
        received_at=iso(row.received_at),
    )


def _check_warehouse(session: Session, warehouse: str) -> None:
    if warehouse not in known_warehouses(session):
        raise problem(422, "UNKNOWN_WAREHOUSE", f"unknown warehouse {warehouse}")


def _summary(body: ReturnReceiptIn) -> str:
    counts = {"sellable": 0, "damaged": 0}
    for line in body.lines:
        counts[line.condition] += int(line.quantity)
    return (
        f"return {body.rma_id} received in {body.warehouse}: "
        f"{counts['sellable']} sellable, {counts['damaged']} damaged"
    )


@router.post("/return-receipts", status_code=status.HTTP_201_CREATED)
async def receive_return(
    body: ReturnReceiptIn, response: Response, session: SessionDep
) -> ReturnReceiptOut:
    """Record what arrived for an RMA and send `return_received`; stock is untouched.

    One receipt per RMA: the same receipt again (same order, warehouse and lines, and
    the same or no event id) answers 200 with the first one and sends nothing; a
    different one is 409 `RETURN_ALREADY_RECEIVED`. An event id already used by
    another event is 409 `DUPLICATE_EVENT_ID`.
    """
    lines_json = _LINES.dump_json(body.lines).decode()
    existing = session.get(ReturnReceiptRow, body.rma_id)
    if existing is not None:
        same = (existing.order_id, existing.warehouse, existing.lines) == (
            body.order_id,
            body.warehouse,
            lines_json,
        )
        if same and body.event_id in (None, existing.event_id):
            response.status_code = status.HTTP_200_OK
            return _receipt_out(existing)
        raise problem(
            409,
            "RETURN_ALREADY_RECEIVED",
            f"RMA {body.rma_id} was received already, with other contents",
        )
    _check_warehouse(session, body.warehouse)
    if body.event_id is not None:
        taken = session.exec(select(OutboxRow).where(OutboxRow.event_id == body.event_id)).first()
        if taken is not None:
            raise problem(409, "DUPLICATE_EVENT_ID", f"event id {body.event_id} is taken")
    now = time.time()
    event = emit(
        session,
        source=SOURCE,
        kind=ExecutionEventKind.RETURN_RECEIVED,
        result=Applied(
            detail=_summary(body),
            lines=tuple(
                (line.line_no, line.sku, int(line.quantity), line.condition) for line in body.lines
            ),
            warehouse=body.warehouse,
            rma_id=body.rma_id,
        ),
        now=now,
        order_id=body.order_id,
        event_id=body.event_id,
    )
    row = ReturnReceiptRow(
        rma_id=body.rma_id,
        order_id=body.order_id,
        warehouse=body.warehouse,
        lines=lines_json,
        event_id=event.event_id,
        received_at=now,
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return _receipt_out(row)


@router.get("/return-receipts/{rma_id}")
async def get_return_receipt(
    rma_id: Annotated[str, Path(min_length=1, max_length=64)], session: SessionDep
) -> ReturnReceiptOut:
    """The receipt of an RMA; 404 while nothing was received for it."""
    row = session.get(ReturnReceiptRow, rma_id)
    if row is None:
        raise problem(404, "NOT_FOUND", f"no return receipt for RMA {rma_id}")
    return _receipt_out(row)


def _disposition_out(row: DispositionRow) -> DispositionOut:
    return DispositionOut(
        idempotency_key=row.idempotency_key,
        kind=row.kind,
        rma_id=row.rma_id,
        warehouse=row.warehouse,
        sku=row.sku,
        quantity=row.quantity,
        created_at=iso(row.created_at),
    )


def _dispose(
    kind: str, body: DispositionIn, response: Response, session: Session
) -> DispositionOut:
    """Book a disposition once per key; RESTOCK also puts the goods on hand."""
    existing = session.get(DispositionRow, body.idempotency_key)
    if existing is not None:
        asked = (kind, body.rma_id, body.warehouse, body.sku, int(body.quantity))
        booked = (existing.kind, existing.rma_id, existing.warehouse, existing.sku)
        if asked != (*booked, existing.quantity):
            raise problem(
                409,
                "IDEMPOTENCY_KEY_REUSED",
                f"idempotency key {body.idempotency_key} was used for another disposition",
            )
        response.status_code = status.HTTP_200_OK
        return _disposition_out(existing)
    _check_warehouse(session, body.warehouse)
    if kind == RESTOCK:
        stock = session.get(StockRow, (body.warehouse, body.sku))
        if stock is None:
            stock = StockRow(warehouse=body.warehouse, sku=body.sku, on_hand=0)
        stock.on_hand += int(body.quantity)
        session.add(stock)
    row = DispositionRow(
        idempotency_key=body.idempotency_key,
        kind=kind,
        rma_id=body.rma_id,
        warehouse=body.warehouse,
        sku=body.sku,
        quantity=int(body.quantity),
        created_at=time.time(),
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return _disposition_out(row)


@router.post("/restock", status_code=status.HTTP_201_CREATED)
async def restock(body: DispositionIn, response: Response, session: SessionDep) -> DispositionOut:
    """Put returned goods back into sellable stock, once per idempotency key."""
    return _dispose(RESTOCK, body, response, session)


@router.post("/scrap", status_code=status.HTTP_201_CREATED)
async def scrap(body: DispositionIn, response: Response, session: SessionDep) -> DispositionOut:
    """Write returned goods off, once per idempotency key; stock does not change."""
    return _dispose(SCRAP, body, response, session)


@router.get("/dispositions")
async def list_dispositions(
    session: SessionDep, rma_id: Annotated[str | None, Query()] = None
) -> list[DispositionOut]:
    """Dispositions in the order they were booked, optionally of one RMA."""
    query = select(DispositionRow).order_by(
        col(DispositionRow.created_at), col(DispositionRow.idempotency_key)
    )
    if rma_id is not None:
        query = query.where(DispositionRow.rma_id == rma_id)
    return [_disposition_out(row) for row in session.exec(query).all()]
