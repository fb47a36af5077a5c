"""Returns: `POST /orders/{order_id}/returns`, and `/returns/{rma_id}` to read, approve,
refuse or cancel one."""

from typing import Annotated

from fastapi import APIRouter, Path, status
from fastapi.responses import JSONResponse

from api.auth import Principal
from api.deps import GatewayDep, OperatorDep, ReaderDep, ReturnGatewayDep, ReturnRequesterDep
from api.models import Problem, ReturnApproval, ReturnCreate, ReturnPublic, problem
from api.order_gateway import OrderGateway, OrderNotFound
from api.return_gateway import ReturnNotFound, ReturnRefused
from api.routes.orders import OrderIdPath, ensure_sees
from canonical.returns import ReturnView
from canonical.statuses import ReturnStatus
from workflows.return_contracts import ApprovalDecision

router = APIRouter(tags=["returns"])

RmaPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]

# Once the goods are in, a return can no longer be cancelled; once ended, neither.
_NOT_CANCELLABLE = frozenset(ReturnStatus) - {
    ReturnStatus.REQUESTED,
    ReturnStatus.AUTHORIZED,
    ReturnStatus.LABEL_ISSUED,
}


@router.post(
    "/orders/{order_id}/returns",
    status_code=status.HTTP_201_CREATED,
    response_model=ReturnPublic,
    responses={
        202: {"model": ReturnPublic, "description": "Waiting for approval (high value)."},
        404: {"model": Problem},
        409: {"model": Problem, "description": "The rma_id is another order's return."},
        422: {"model": ReturnPublic, "description": "DENIED with the reason, or a bad body."},
    },
)
async def request_return(
    order_id: OrderIdPath,
    body: ReturnCreate,
    orders: GatewayDep,
    returns: ReturnGatewayDep,
    principal: ReturnRequesterDep,
) -> JSONResponse:
    """Ask to return lines of an order: 201 with the RMA (authorized, label on its
    way), 202 when it waits for approval, 422 DENIED with the reason. A portal key
    asks for its own customers' orders only (another's is `404`)."""
    # 404 for an unknown order (or another customer's), before anything starts.
    order = await orders.view(order_id)
    ensure_sees(principal, order.customer_id, order_id)
    view = await returns.request(order_id, body)
    if view.order_id != order_id:
        # An `rma_id` already taken by a return of another order: never show that one.
        return problem(
            status.HTTP_409_CONFLICT,
            f"return {view.rma_id} was asked for before, for another order; use another rma_id",
        )
    if view.status is ReturnStatus.DENIED:
        code = status.HTTP_422_UNPROCESSABLE_CONTENT
    elif view.awaiting_approval:
        code = status.HTTP_202_ACCEPTED
    else:
        code = status.HTTP_201_CREATED
    return _json(code, ReturnPublic.model_validate(view.model_dump()))


@router.get("/returns/{rma_id}", response_model=ReturnPublic, responses={404: {"model": Problem}})
async def read_return(
    rma_id: RmaPath, returns: ReturnGatewayDep, orders: GatewayDep, principal: ReaderDep
) -> ReturnPublic | JSONResponse:
    """The return as it is now: status, lines, label, receipt, credit, timeline.
    Another customer's return is `404` to a portal key, as an unknown one is."""
    try:
        view = await returns.view(rma_id)
    except ReturnNotFound:
        return problem(404, f"no return {rma_id}")
    if not await _sees(principal, view, orders):
        return problem(404, f"no return {rma_id}")
    return ReturnPublic.model_validate(view.model_dump())


@router.post(
    "/returns/{rma_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReturnPublic,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
)
async def cancel_return(
    rma_id: RmaPath, returns: ReturnGatewayDep, principal: OperatorDep
) -> JSONResponse:
    """Cancel a return before the goods arrive: the label is voided and the ERP's
    returns order cancelled. `409` once the goods are in."""
    try:
        view = await returns.view(rma_id)
        if view.status in _NOT_CANCELLABLE:
            return problem(409, f"return {rma_id} is {view.status.value}: it cannot be cancelled")
        await returns.cancel(rma_id)
    except ReturnNotFound:
        return problem(404, f"no return {rma_id}")
    return _json(202, ReturnPublic.model_validate(view.model_dump()))


@router.post(
    "/returns/{rma_id}/{decision}",
    response_model=ReturnPublic,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
)
async def decide_return(
    rma_id: RmaPath,
    decision: Annotated[str, Path(pattern=r"^(approve|reject)$")],
    body: ReturnApproval,
    returns: ReturnGatewayDep,
    principal: OperatorDep,
) -> ReturnPublic | JSONResponse:
    """Ops approve or refuse a return waiting for approval (`409` when it is not)."""
    try:
        view = await returns.decide(
            rma_id, ApprovalDecision(approve=decision == "approve", by=body.by, note=body.note)
        )
    except ReturnNotFound:
        return problem(404, f"no running return {rma_id}")
    except ReturnRefused as refused:
        return problem(409, refused.message)
    return ReturnPublic.model_validate(view.model_dump())


async def _sees(principal: Principal, view: ReturnView, orders: OrderGateway) -> bool:
    """Whether the principal may see the return: its order's customer is one of its
    own. A return not authorized yet (or denied) names no customer; its order does."""
    if principal.customers is None:
        return True
    customer_id = view.customer_id
    if not customer_id:
        try:
            customer_id = (await orders.view(view.order_id)).customer_id
        except OrderNotFound:
            return False
    return principal.sees(customer_id)


def _json(code: int, model: ReturnPublic) -> JSONResponse:
    return JSONResponse(
        status_code=code,
        content=model.model_dump(mode="json"),
        headers={"Location": f"/returns/{model.rma_id}"},
    )
