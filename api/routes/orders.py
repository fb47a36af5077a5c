"""`/orders`: submit with a synchronous verdict, read, cancel."""

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Path, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.auth import Principal
from api.deps import GatewayDep, OperatorDep, ReaderDep, ReturnsLedgerDep, SubmitterDep, TemporalDep
from api.models import OrderCreate, OrderPublic, OrderRejected, Problem, problem
from api.order_gateway import OrderGateway, OrderNotFound, VerdictPending, derived_order_id
from api.order_list import OrderSummary, list_orders, visibility_query
from canonical.orders import Channel, OrderSubmission
from canonical.statuses import ORDER_MILESTONES, OrderStatus, ShipmentStatus
from canonical.view import OrderView
from store.returns_ledger import ReturnsLedger

router = APIRouter(prefix="/orders", tags=["orders"])

OrderIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]

# Shipments in these have left the warehouse.
_GONE = frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED})

# Past these an order cannot be cancelled; it can only be returned.
_NOT_CANCELLABLE = frozenset(
    ORDER_MILESTONES[ORDER_MILESTONES.index(OrderStatus.PARTIALLY_SHIPPED) :]
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderPublic,
    responses={
        202: {"model": OrderPublic, "description": "Received; the verdict is still pending."},
        400: {"model": Problem},
        403: {"model": Problem, "description": "Not a portal key, or not its customer."},
        409: {"model": Problem, "description": "Idempotency-Key reused for another body."},
        422: {"model": OrderRejected, "description": "REJECTED, or a malformed body."},
    },
)
async def submit_order(
    body: OrderCreate,
    gateway: GatewayDep,
    principal: SubmitterDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Submit an order and get its verdict: 201 ACCEPTED or 422 REJECTED.

    Send an `Idempotency-Key` header or an `order_id`: the same submission again
    returns the same order and starts nothing new. A portal key submits for its own
    customers only (`403` for another).
    """
    if not principal.sees(body.customer_id):
        return problem(403, f"this API key may not submit orders for customer {body.customer_id}")
    if body.order_id is None and not idempotency_key:
        return problem(400, "send an Idempotency-Key header or an order_id")
    order_id = body.order_id or derived_order_id(body.customer_id, idempotency_key or "")
    submission = OrderSubmission.model_validate(body.model_dump())
    try:
        verdict = await gateway.submit(order_id, submission)
    except VerdictPending:
        view = await gateway.view(order_id)
        if not principal.sees(view.customer_id):
            return _submitted_before(order_id)  # someone else's order: never its view
        return _json(202, OrderPublic.model_validate(view.model_dump()), order_id)
    if not principal.sees(verdict.view.customer_id) or (
        verdict.fingerprint and verdict.fingerprint != submission.fingerprint()
    ):
        return _submitted_before(order_id)
    if verdict.status is OrderStatus.REJECTED:
        rejected = OrderRejected(order_id=order_id, reasons=verdict.reasons)
        return _json(422, rejected, order_id)
    return _json(201, OrderPublic.model_validate(verdict.view.model_dump()), order_id)


@router.get("", response_model=list[OrderSummary])
async def find_orders(
    temporal: TemporalDep,
    principal: ReaderDep,
    status: OrderStatus | None = None,
    customer_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9]{1,20}$")] = None,
    channel: Channel | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[OrderSummary]:
    """Orders by status, customer and channel, newest first, from Temporal's visibility
    store (the same filter as the Temporal UI's, e.g.
    `WorkflowType = 'OrderToCash' AND OrderStatus = 'NEEDS_ATTENTION'`). A portal key
    lists its own customers' orders only (`403` for another's `customer_id`)."""
    if customer_id and not principal.sees(customer_id):
        raise HTTPException(403, f"this API key may not list the orders of customer {customer_id}")
    within = None if customer_id else principal.customers
    query = visibility_query(status, customer_id, channel, within=within)
    return await list_orders(temporal, query, limit)


@router.get("/{order_id}", response_model=OrderPublic, responses={404: {"model": Problem}})
async def read_order(
    order_id: OrderIdPath, gateway: GatewayDep, returns: ReturnsLedgerDep, principal: ReaderDep
) -> OrderPublic:
    """The order view: status, lines, ERP order, shipments, invoices, payments, the
    RMA numbers of its returns (each at `GET /returns/{rma_id}`), timeline. Another
    customer's order is `404` to a portal key, as an unknown one is."""
    view = await visible_order(order_id, gateway, returns, principal)
    return OrderPublic.model_validate(view.model_dump())


@router.post(
    "/{order_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=OrderPublic,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
)
async def cancel_order(
    order_id: OrderIdPath, gateway: GatewayDep, principal: OperatorDep
) -> Response:
    """Cancel an order that has not shipped; its compensations run. Idempotent."""
    view = await gateway.view(order_id)
    if view.status in (OrderStatus.CANCELLING, OrderStatus.CANCELLED):
        return _json(202, OrderPublic.model_validate(view.model_dump()), order_id)
    if view.status in _NOT_CANCELLABLE or view.status is OrderStatus.REJECTED:
        return problem(409, f"order {order_id} is {view.status.value} and cannot be cancelled")
    if any(s.status in _GONE for s in view.shipments):
        # A parked order hides its milestone behind NEEDS_ATTENTION; its shipments do not.
        return problem(409, f"order {order_id} has shipped goods and cannot be cancelled")
    try:
        await gateway.cancel(order_id)
    except OrderNotFound:
        # The order exists (we just read it) but its workflow has ended.
        return problem(409, f"order {order_id} is {view.status.value} and already closed")
    view = await gateway.view(order_id)
    return _json(202, OrderPublic.model_validate(view.model_dump()), order_id)


async def visible_order(
    order_id: str, gateway: OrderGateway, returns: ReturnsLedger, principal: Principal
) -> OrderView:
    """The order as `principal` may see it, with the RMA numbers of its returns.

    Raises:
        OrderNotFound: No such order, or another customer's (see `ensure_sees`).
    """
    view = await gateway.view(order_id)
    ensure_sees(principal, view.customer_id, order_id)
    rmas = await run_in_threadpool(returns.rmas_of, order_id)
    return view.model_copy(update={"returns": rmas})


def ensure_sees(principal: Principal, customer_id: str, order_id: str) -> None:
    """Another customer's order is answered as an unknown one: `404`, nothing shown.

    Raises:
        OrderNotFound: The principal may not see `customer_id`'s orders.
    """
    if not principal.sees(customer_id):
        raise OrderNotFound(order_id)


def _submitted_before(order_id: str) -> JSONResponse:
    return problem(
        409,
        f"order {order_id} was submitted before with a different body;"
        " use a new Idempotency-Key or order_id for a different order",
    )


def _json(status_code: int, model: OrderPublic | OrderRejected, order_id: str) -> JSONResponse:
    return JSONResponse(
        status_code=status_code,
        content=model.model_dump(mode="json"),
        headers={"Location": f"/orders/{order_id}"},
    )


__all__ = ["OrderNotFound", "router"]
