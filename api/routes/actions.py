"""`/orders/{order_id}/actions/{action}`: the decisions ops take on an order that waits
in `NEEDS_ATTENTION`, the same ones the Temporal UI sends as the `decide` signal."""

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, status
from fastapi.responses import JSONResponse

from api.deps import GatewayDep, OperatorDep
from api.models import OrderActionCreate, OrderPublic, Problem, problem
from api.order_gateway import DecisionRefused
from api.routes.orders import OrderIdPath
from workflows.contracts import OpsDecision

router = APIRouter(prefix="/orders", tags=["operations"])

ActionPath = Annotated[Literal["retry", "skip", "cancel"], Path()]


@router.post(
    "/{order_id}/actions/{action}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=OrderPublic,
    responses={
        404: {"model": Problem},
        409: {"model": Problem, "description": "Nothing waits, or not for that decision."},
    },
)
async def act_on_order(
    order_id: OrderIdPath,
    action: ActionPath,
    principal: OperatorDep,
    gateway: GatewayDep,
    body: Annotated[OrderActionCreate | None, Body()] = None,
) -> JSONResponse:
    """Decide for a parked order: `retry` runs the failed step again, `skip` passes it
    by (where the step allows it), `cancel` compensates and ends the order
    `CANCELLED` (until goods have shipped). Answers with the order once it went on;
    `409` when the order does not wait for that decision."""
    body = body or OrderActionCreate()
    decision = OpsDecision(
        action=action,
        shipment_id=body.shipment_id,
        by=body.by or principal.name,
        note=body.note,
    )
    try:
        view = await gateway.decide(order_id, decision)
    except DecisionRefused as refused:
        return problem(409, f"order {order_id}: {refused.message}")
    return JSONResponse(
        status_code=202,
        content=OrderPublic.model_validate(view.model_dump()).model_dump(mode="json"),
        headers={"Location": f"/orders/{order_id}"},
    )
