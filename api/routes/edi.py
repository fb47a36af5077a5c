"""`/edi`: interchanges from EDI trading partners, over plain HTTP or AS2.

A partner is known by the interchange sender it is registered with (and, over AS2, by
`AS2-From` agreeing); there is no API key. S/MIME signing and encryption are not
done here: partners that need them reach us through a VAN or an AS2 gateway.
"""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from api.deps import EdiReceiverDep
from api.edi_inbound import InterchangeOutcome

router = APIRouter(prefix="/edi", tags=["edi"])

MAX_INTERCHANGE_BYTES = 16 * 1024 * 1024


@router.post(
    "/inbound",
    responses={
        200: {"description": "Every interchange and what became of it, with our 997s."},
        400: {"description": "No body, or larger than 16 MiB."},
        409: {"description": "Every interchange was received before."},
        422: {"description": "Every interchange was refused, with the reason."},
    },
)
async def receive_interchange(request: Request, receiver: EdiReceiverDep) -> JSONResponse:
    """Take a file of X12 interchanges: each is answered by its 997 (also delivered
    to the partner when it has an endpoint), each 850 that maps starts one order."""
    body = await request.body()
    if not body.strip() or len(body) > MAX_INTERCHANGE_BYTES:
        return JSONResponse(status_code=400, content={"detail": "send an X12 interchange"})
    outcomes = await receiver.receive(body)
    return JSONResponse(status_code=_status(outcomes), content=_summary(outcomes))


@router.post("/as2", response_class=PlainTextResponse)
async def receive_as2(
    request: Request,
    receiver: EdiReceiverDep,
    as2_from: Annotated[str | None, Header(alias="AS2-From", max_length=128)] = None,
    message_id: Annotated[str | None, Header(alias="Message-ID", max_length=998)] = None,
) -> PlainTextResponse:
    """An AS2 message: answered with a synchronous MDN, `processed` or
    `processed/error` with the reason (the 997s travel as messages of their own)."""
    if not as2_from:
        return PlainTextResponse("AS2-From is required", status_code=400)
    body = await request.body()
    if len(body) > MAX_INTERCHANGE_BYTES:
        return PlainTextResponse("message too large", status_code=413)
    outcomes = await receiver.receive(body, as2_from=as2_from)
    refused = [o for o in outcomes if o.status != "accepted"]
    disposition = "processed"
    if refused:
        reasons = "; ".join(f"{o.control_number or 'file'}: {o.reason}" for o in refused)
        disposition = f"processed/error: {reasons[:500]}"
    mdn = (
        "Content-Type: message/disposition-notification\r\n\r\n"
        "Reporting-UA: Ordermesh\r\n"
        f"Original-Message-ID: {message_id or ''}\r\n"
        f"Final-Recipient: rfc822; {request.headers.get('AS2-To', '')}\r\n"
        f"Disposition: automatic-action/MDN-sent-automatically; {disposition}\r\n"
    )
    return PlainTextResponse(mdn, media_type="message/disposition-notification")


def _status(outcomes: list[InterchangeOutcome]) -> int:
    if any(o.status == "accepted" for o in outcomes):
        return 200
    if outcomes and all(o.status == "duplicate" for o in outcomes):
        return 409
    return 422


def _summary(outcomes: list[InterchangeOutcome]) -> dict[str, object]:
    return {
        "accepted": all(o.status == "accepted" for o in outcomes),
        "orders": [order for o in outcomes for order in o.orders],
        "interchanges": [asdict(o) for o in outcomes],
    }
