"""`/webhooks/{source}`: events from the WMS, TMS and carriers.

Signed (HMAC-SHA256 over the raw body, a secret per source) and deduplicated by
event id in the inbox; an event for an unknown order or shipment is refused with 404
and recorded.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from api.deps import GatewayDep, InboxDep, ReturnGatewayDep, SettingsDep
from api.models import Problem, WebhookReceipt
from api.return_gateway import ReturnGateway, ReturnRefused
from canonical.events import ExecutionEvent, ExecutionEventKind
from canonical.signing import SIGNATURE_HEADER, verify

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

SourcePath = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]


@router.post(
    "/{source}",
    status_code=202,
    response_model=WebhookReceipt,
    responses={
        200: {"model": WebhookReceipt, "description": "A duplicate, or for a closed order."},
        401: {"model": Problem},
        404: {"model": Problem},
        422: {"model": Problem},
    },
)
async def receive_event(
    source: SourcePath,
    request: Request,
    settings: SettingsDep,
    inbox: InboxDep,
    gateway: GatewayDep,
    returns: ReturnGatewayDep,
) -> JSONResponse:
    """Take one event; 202 when passed to its order, 200 for a duplicate."""
    secret = settings.webhook_secrets.get(source)
    if secret is None:
        return _reply(404, detail=f"unknown event source {source!r}")
    body = await request.body()
    if not verify(secret, body, request.headers.get(SIGNATURE_HEADER)):
        return _reply(401, detail=f"bad or missing {SIGNATURE_HEADER} for source {source!r}")
    try:
        event = ExecutionEvent.model_validate_json(body)
    except ValidationError as err:
        return _reply(422, detail=f"not an event: {_first_error(err)}")
    event = event.model_copy(update={"source": source})

    if event.kind is not ExecutionEventKind.STOCK_RECEIVED and not event.order_id:
        return _reply(422, detail=f"a {event.kind.value} event must name its order_id")
    if event.kind is ExecutionEventKind.RETURN_RECEIVED and not event.rma_id:
        return _reply(422, detail="a return_received event must name its rma_id")
    first = await run_in_threadpool(
        inbox.claim, source, event.event_id, event.order_id, event.kind.value
    )
    if not first:
        return _reply(200, status="duplicate", event_id=event.event_id)
    if event.kind is ExecutionEventKind.STOCK_RECEIVED:
        async with _claim_kept_only_if_handled(inbox, source, event.event_id):
            told = await gateway.notify_stock(event.warehouse, [line.sku for line in event.lines])
        await run_in_threadpool(inbox.settle, source, event.event_id, f"notified {told}")
        return JSONResponse(
            status_code=202,
            content={"status": "accepted", "event_id": event.event_id, "orders_notified": told},
        )
    if event.kind is ExecutionEventKind.RETURN_RECEIVED:
        return await _to_return(event, inbox, returns)
    async with _claim_kept_only_if_handled(inbox, source, event.event_id):
        outcome = await gateway.deliver_event(event)
    await run_in_threadpool(inbox.settle, source, event.event_id, outcome)
    if outcome == "unknown_order":
        return _reply(404, detail=f"no order {event.order_id}")
    if outcome == "unknown_shipment":
        return _reply(404, detail=f"order {event.order_id} has no shipment {event.shipment_id!r}")
    if outcome in ("order_closed", "duplicate"):
        return _reply(200, status=outcome, event_id=event.event_id)
    return _reply(202, status="accepted", event_id=event.event_id)


async def _to_return(
    event: ExecutionEvent, inbox: InboxDep, returns: ReturnGateway
) -> JSONResponse:
    """A receipt for a return goes to the return's own workflow."""
    try:
        async with _claim_kept_only_if_handled(inbox, event.source, event.event_id):
            outcome = await returns.deliver_event(event)
    except ReturnRefused as refused:
        return _reply(422, detail=refused.message)
    await run_in_threadpool(inbox.settle, event.source, event.event_id, outcome)
    if outcome == "unknown_return":
        return _reply(404, detail=f"no return {event.rma_id}")
    if outcome in ("return_closed", "duplicate"):
        return _reply(200, status=outcome, event_id=event.event_id)
    return _reply(202, status="accepted", event_id=event.event_id)


@asynccontextmanager
async def _claim_kept_only_if_handled(
    inbox: InboxDep, source: str, event_id: str
) -> AsyncIterator[None]:
    """If handling fails, drop the claim: the sender's retry then gets through rather
    than being taken for a duplicate."""
    try:
        yield
    except BaseException:
        await run_in_threadpool(inbox.forget, source, event_id)
        raise


def _reply(status_code: int, **content: str) -> JSONResponse:
    return JSONResponse(status_code=status_code, content=content)


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "body"
    return f"{where}: {first.get('msg', 'invalid')}"
