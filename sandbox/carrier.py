"""The carriers: labels, pickups and tracking events.

The sandbox plays every carrier in `sandbox.rates` (parcel and LTL alike) behind
one API: a label names its carrier and service as the TMS quoted them, or none for
the default carrier's `standard`. A label is keyed by our shipment id: buying twice
returns the same label (whatever the second request asks for), voiding twice is
harmless, and buying after a void issues a new label with a new tracking number.
The WMS tells the carrier when a parcel is picked up (`record_pickup`, an in-process
call standing in for the driver's scan); from then on the carrier reports
`in_transit` and `delivered` to `POST {webhook_base_url}/carrier`, whichever
carrier it is.
"""

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from canonical.address import Address
from canonical.events import ExecutionEventKind
from sandbox import rates
from sandbox.db import LabelRow, OutboxRow, SessionDep, SettingsDep
from sandbox.errors import problem
from sandbox.outbox import FAILED, PENDING, REJECTED, SENT, Applied, Applier, iso, schedule
from sandbox.settings import SandboxSettings

SOURCE = "carrier"

ACTIVE = "ACTIVE"
VOIDED = "VOIDED"
PICKED_UP = "PICKED_UP"
IN_TRANSIT = "IN_TRANSIT"
DELIVERED = "DELIVERED"

ShipmentId = Annotated[str, Path(min_length=1, max_length=80)]


class LabelIn(BaseModel):
    """A label purchase; an empty `carrier` is the default carrier."""

    order_id: str = Field(min_length=1, max_length=64)
    ship_from: str = Field(min_length=1, max_length=120)
    ship_to: Address
    weight_kg: Decimal = Field(default=Decimal("1"), gt=0, le=1000, max_digits=10)
    carrier: str = Field(default="", max_length=40)
    service: str = Field(default=rates.DEFAULT_SERVICE, min_length=1, max_length=40)


class LabelOut(BaseModel):
    """A label as the carrier returns it."""

    label_id: str
    carrier: str
    service: str
    tracking_number: str
    shipment_id: str
    order_id: str
    status: str
    weight_kg: str
    created_at: str | None
    picked_up_at: str | None


class TrackingEventOut(BaseModel):
    """One scan of a parcel."""

    event_id: str
    kind: str
    occurred_at: str | None
    detail: str


class TrackingOut(BaseModel):
    """A parcel's status and its scans so far."""

    tracking_number: str
    shipment_id: str
    order_id: str
    status: str
    events: list[TrackingEventOut]


def tracking_number_for(shipment_id: str, generation: int, salt: int = 0, carrier: str = "") -> str:
    """The carrier's prefix and digits (`1ZSBX` and ten for the default carrier), the
    same for the same shipment, generation, salt and carrier."""
    prefix, digits = rates.tracking_format(carrier)
    digest = hashlib.sha256(f"{shipment_id}#{generation}#{salt}".encode()).hexdigest()
    return f"{prefix}{int(digest, 16) % 10**digits:0{digits}d}"


def _label_out(row: LabelRow) -> LabelOut:
    return LabelOut(
        label_id=row.label_id,
        carrier=row.carrier,
        service=row.service,
        tracking_number=row.tracking_number,
        shipment_id=row.shipment_id,
        order_id=row.order_id,
        status=row.status,
        weight_kg=row.weight_kg,
        created_at=iso(row.created_at),
        picked_up_at=iso(row.picked_up_at),
    )


def _unused_tracking_number(
    session: Session, shipment_id: str, generation: int, carrier: str
) -> str:
    salt = 0
    while True:
        candidate = tracking_number_for(shipment_id, generation, salt, carrier)
        taken = session.exec(select(LabelRow).where(LabelRow.tracking_number == candidate)).first()
        if taken is None:
            return candidate
        salt += 1


router = APIRouter(prefix="/carrier", tags=["carrier"])


@router.put("/labels/{shipment_id}", status_code=status.HTTP_201_CREATED)
async def buy_label(
    shipment_id: ShipmentId,
    body: LabelIn,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> LabelOut:
    """Buy the label for a shipment: 201 the first time, 200 with the same label again.

    An unknown carrier or service is 422 `UNKNOWN_SERVICE`; a country no carrier
    serves is 422 `ADDRESS_NOT_SERVICEABLE`.
    """
    existing = session.get(LabelRow, shipment_id)
    if existing is not None and existing.status != VOIDED:
        response.status_code = status.HTTP_200_OK
        return _label_out(existing)
    carrier_name = body.carrier or settings.carrier_name
    if rates.find(settings, carrier_name, body.service) is None:
        known = [f"{s.carrier}/{s.service}" for s in rates.services(settings)]
        raise problem(
            422,
            "UNKNOWN_SERVICE",
            f"no service {body.service!r} of carrier {carrier_name!r}; known: {', '.join(known)}",
            carrier=carrier_name,
            service=body.service,
        )
    country = body.ship_to.country
    if not rates.serves(settings, country):
        raise problem(
            422,
            "ADDRESS_NOT_SERVICEABLE",
            f"{carrier_name} does not deliver to country {country}",
            country=country,
        )
    now = time.time()
    generation = 0 if existing is None else existing.generation + 1
    label_digest = hashlib.sha256(f"label#{shipment_id}#{generation}".encode()).hexdigest()
    row = existing or LabelRow(
        shipment_id=shipment_id,
        label_id="",
        order_id="",
        carrier="",
        service="",
        tracking_number="",
        ship_from="",
        ship_to="",
        weight_kg="",
        status=ACTIVE,
        created_at=now,
        updated_at=now,
    )
    row.label_id = f"LBL-{label_digest[:12].upper()}"
    row.order_id = body.order_id
    row.carrier = carrier_name
    row.service = body.service
    row.tracking_number = _unused_tracking_number(session, shipment_id, generation, carrier_name)
    row.ship_from = body.ship_from
    row.ship_to = body.ship_to.model_dump_json()
    row.weight_kg = str(body.weight_kg)
    row.status = ACTIVE
    row.generation = generation
    row.created_at = now
    row.updated_at = now
    row.picked_up_at = None
    session.add(row)
    session.commit()
    session.refresh(row)
    return _label_out(row)


@router.delete("/labels/{shipment_id}", status_code=status.HTTP_204_NO_CONTENT)
async def void_label(shipment_id: ShipmentId, session: SessionDep) -> Response:
    """Void the label; idempotent, and a label never bought counts as voided."""
    row = session.get(LabelRow, shipment_id)
    if row is None or row.status == VOIDED:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    if row.status != ACTIVE:
        raise problem(
            409,
            "ALREADY_PICKED_UP",
            f"label {row.tracking_number} was picked up and can no longer be voided",
        )
    row.status = VOIDED
    row.updated_at = time.time()
    session.add(row)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/labels/{shipment_id}")
async def get_label(shipment_id: ShipmentId, session: SessionDep) -> LabelOut:
    """The label bought for a shipment, voided or not."""
    row = session.get(LabelRow, shipment_id)
    if row is None:
        raise problem(404, "NOT_FOUND", f"no label for shipment {shipment_id}")
    return _label_out(row)


@router.get("/tracking/{tracking_number}")
async def get_tracking(tracking_number: str, session: SessionDep) -> TrackingOut:
    """A parcel's status and the tracking events sent for it so far."""
    row = session.exec(select(LabelRow).where(LabelRow.tracking_number == tracking_number)).first()
    if row is None:
        raise problem(404, "NOT_FOUND", f"unknown tracking number {tracking_number}")
    events = session.exec(
        select(OutboxRow)
        .where(
            OutboxRow.source == SOURCE,
            OutboxRow.tracking_number == tracking_number,
            col(OutboxRow.status).in_([PENDING, SENT, REJECTED, FAILED]),
        )
        .order_by(col(OutboxRow.applied_at), col(OutboxRow.id))
    ).all()
    return TrackingOut(
        tracking_number=row.tracking_number,
        shipment_id=row.shipment_id,
        order_id=row.order_id,
        status=row.status,
        events=[
            TrackingEventOut(
                event_id=event.event_id,
                kind=event.kind,
                occurred_at=iso(event.applied_at),
                detail=event.detail,
            )
            for event in events
        ],
    )


def record_pickup(
    session: Session,
    settings: SandboxSettings,
    *,
    tracking_number: str,
    now: float,
) -> bool:
    """The driver scanned the parcel: start its tracking events; the caller commits.

    Returns:
        False when the carrier has no active label with that tracking number (never
        bought, or voided), in which case the parcel is not tracked.
    """
    row = session.exec(select(LabelRow).where(LabelRow.tracking_number == tracking_number)).first()
    if row is None or row.status == VOIDED:
        return False
    if row.status != ACTIVE:
        return True  # already on its way; a second scan changes nothing
    row.status = PICKED_UP
    row.picked_up_at = now
    row.updated_at = now
    session.add(row)
    schedule(
        session,
        source=SOURCE,
        kind=ExecutionEventKind.IN_TRANSIT,
        order_id=row.order_id,
        shipment_id=row.shipment_id,
        due_at=now + settings.in_transit_delay,
        tracking_number=row.tracking_number,
    )
    return True


def _label_for(session: Session, event: OutboxRow, expected_status: str) -> LabelRow | None:
    row = session.get(LabelRow, event.shipment_id)
    if row is None or row.status != expected_status:
        return None
    if row.tracking_number != event.tracking_number:
        return None  # the label was voided and re-bought since
    return row


def appliers(settings: SandboxSettings) -> dict[tuple[str, str], Applier]:
    """The carrier's state change for each of its event kinds."""

    def in_transit(session: Session, event: OutboxRow, now: float) -> Applied | None:
        row = _label_for(session, event, PICKED_UP)
        if row is None:
            return None
        row.status = IN_TRANSIT
        row.updated_at = now
        session.add(row)
        schedule(
            session,
            source=SOURCE,
            kind=ExecutionEventKind.DELIVERED,
            order_id=row.order_id,
            shipment_id=row.shipment_id,
            due_at=now + settings.deliver_delay,
            tracking_number=row.tracking_number,
        )
        return Applied(
            tracking_number=row.tracking_number,
            detail=f"{row.carrier} {row.service}: departed origin facility",
        )

    def delivered(session: Session, event: OutboxRow, now: float) -> Applied | None:
        row = _label_for(session, event, IN_TRANSIT)
        if row is None:
            return None
        row.status = DELIVERED
        row.updated_at = now
        session.add(row)
        stamp = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d %H:%M UTC")
        return Applied(
            tracking_number=row.tracking_number,
            detail=f"{row.carrier} {row.service}: delivered {stamp}",
        )

    table: dict[ExecutionEventKind, Callable[[Session, OutboxRow, float], Applied | None]] = {
        ExecutionEventKind.IN_TRANSIT: in_transit,
        ExecutionEventKind.DELIVERED: delivered,
    }
    return {(SOURCE, kind.value): fn for kind, fn in table.items()}
