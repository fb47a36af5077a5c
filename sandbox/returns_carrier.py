"""The carriers' return labels: the customer sends goods back to our warehouse.

A return label is keyed by the RMA id: issuing twice returns the same label
(whatever the second request asks for), voiding twice or voiding a label never
issued is harmless, and issuing after a void gives a new label with a new tracking
number. Any carrier of `sandbox.rates` issues them, as service `return`; an empty
carrier is the default one. The sandbox does not track the return parcel: the
warehouse's receiving dock reports what arrived (`sandbox.wms_returns`).
"""

import hashlib
import time
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from sqlmodel import Session, select

from sandbox import rates
from sandbox.carrier import tracking_number_for
from sandbox.db import ReturnLabelRow, SessionDep, SettingsDep
from sandbox.errors import problem
from sandbox.outbox import iso
from sandbox.returns_schemas import ReturnLabelIn, ReturnLabelOut

ISSUED = "ISSUED"
VOIDED = "VOIDED"
RETURN_SERVICE = "return"

RmaPath = Annotated[str, Path(min_length=1, max_length=64)]

router = APIRouter(prefix="/carrier", tags=["carrier returns"])


def _out(row: ReturnLabelRow) -> ReturnLabelOut:
    return ReturnLabelOut(
        label_id=row.label_id,
        carrier=row.carrier,
        service=RETURN_SERVICE,
        tracking_number=row.tracking_number,
        rma_id=row.rma_id,
        order_id=row.order_id,
        to_warehouse=row.to_warehouse,
        status=row.status,
        weight_kg=row.weight_kg,
        created_at=iso(row.created_at),
    )


def _unused_tracking_number(session: Session, rma_id: str, generation: int, carrier: str) -> str:
    # Seeded apart from outbound labels ("return:"), so an RMA id that happens to
    # equal a shipment id does not get that shipment's number.
    salt = 0
    while True:
        candidate = tracking_number_for(f"return:{rma_id}", generation, salt, carrier)
        query = select(ReturnLabelRow).where(ReturnLabelRow.tracking_number == candidate)
        if session.exec(query).first() is None:
            return candidate
        salt += 1


@router.put("/return-labels/{rma_id}", status_code=status.HTTP_201_CREATED)
async def issue_return_label(
    rma_id: RmaPath,
    body: ReturnLabelIn,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> ReturnLabelOut:
    """Issue the return label of an RMA: 201 the first time, 200 with the same label again.

    An unknown carrier is 422 `UNKNOWN_CARRIER`; a customer in a country no carrier
    serves is 422 `ADDRESS_NOT_SERVICEABLE`.
    """
    existing = session.get(ReturnLabelRow, rma_id)
    if existing is not None and existing.status == ISSUED:
        response.status_code = status.HTTP_200_OK
        return _out(existing)
    carrier_name = body.carrier or settings.carrier_name
    known = sorted({service.carrier for service in rates.services(settings)})
    if carrier_name not in known:
        raise problem(
            422,
            "UNKNOWN_CARRIER",
            f"no carrier {carrier_name!r}; known: {', '.join(known)}",
            carrier=carrier_name,
        )
    country = body.ship_from.country
    if not rates.serves(settings, country):
        raise problem(
            422,
            "ADDRESS_NOT_SERVICEABLE",
            f"{carrier_name} does not collect in country {country}",
            country=country,
        )
    now = time.time()
    generation = 0 if existing is None else existing.generation + 1
    digest = hashlib.sha256(f"return-label#{rma_id}#{generation}".encode()).hexdigest()
    row = ReturnLabelRow(
        rma_id=rma_id,
        label_id=f"RLBL-{digest[:12].upper()}",
        order_id=body.order_id,
        carrier=carrier_name,
        tracking_number=_unused_tracking_number(session, rma_id, generation, carrier_name),
        ship_from=body.ship_from.model_dump_json(),
        to_warehouse=body.to_warehouse,
        weight_kg=str(body.weight_kg),
        status=ISSUED,
        generation=generation,
        created_at=now,
        updated_at=now,
    )
    session.merge(row)
    session.commit()
    return _out(row)


@router.delete("/return-labels/{rma_id}", status_code=status.HTTP_204_NO_CONTENT)
async def void_return_label(rma_id: RmaPath, session: SessionDep) -> Response:
    """Void the RMA's return label; idempotent, and one never issued counts as voided."""
    row = session.get(ReturnLabelRow, rma_id)
    if row is not None and row.status == ISSUED:
        row.status = VOIDED
        row.updated_at = time.time()
        session.add(row)
        session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/return-labels/{rma_id}")
async def get_return_label(rma_id: RmaPath, session: SessionDep) -> ReturnLabelOut:
    """The RMA's return label, voided or not."""
    row = session.get(ReturnLabelRow, rma_id)
    if row is None:
        raise problem(404, "NOT_FOUND", f"no return label for RMA {rma_id}")
    return _out(row)
