"""`/sandbox/events`: the outbox, for debugging and tests."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlmodel import col, select

from sandbox.db import OutboxRow, SessionDep
from sandbox.outbox import iso


class OutboxEventOut(BaseModel):
    """An outbox row as `/sandbox/events` shows it."""

    id: int
    event_id: str
    source: str
    kind: str
    order_id: str
    shipment_id: str
    tracking_number: str
    detail: str
    due_at: str | None
    applied_at: str | None
    status: str
    attempts: int
    next_attempt_at: str | None
    last_status_code: int | None
    last_response: str
    sent_at: str | None
    duplicates_sent: int


router = APIRouter(prefix="/sandbox", tags=["sandbox"])


@router.get("/events")
async def list_events(
    session: SessionDep,
    order_id: Annotated[str | None, Query()] = None,
    shipment_id: Annotated[str | None, Query()] = None,
    source: Annotated[str | None, Query()] = None,
) -> list[OutboxEventOut]:
    """Outbox rows, oldest first, for debugging and tests."""
    query = select(OutboxRow).order_by(col(OutboxRow.id))
    if order_id is not None:
        query = query.where(OutboxRow.order_id == order_id)
    if shipment_id is not None:
        query = query.where(OutboxRow.shipment_id == shipment_id)
    if source is not None:
        query = query.where(OutboxRow.source == source)
    return [
        OutboxEventOut(
            id=row.id or 0,
            event_id=row.event_id,
            source=row.source,
            kind=row.kind,
            order_id=row.order_id,
            shipment_id=row.shipment_id,
            tracking_number=row.tracking_number,
            detail=row.detail,
            due_at=iso(row.due_at),
            applied_at=iso(row.applied_at),
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=iso(row.next_attempt_at),
            last_status_code=row.last_status_code,
            last_response=row.last_response,
            sent_at=iso(row.sent_at),
            duplicates_sent=row.duplicates_sent,
        )
        for row in session.exec(query).all()
    ]
