"""`/orders/{order_id}/actions/{action}`: the decisions ops take on an order that waits
in `NEEDS_ATTENTION`, the same ones the Temporal UI sends as the `decide` signal."""

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from api.routes.orders import OrderIdPath

router = APIRouter(prefix="/orders", tags=["operations"])

ActionPath = Annotated[str, Path(pattern=r"^(retry|skip|cancel)$")]


@router.post("/{order_id}/actions/{action}", status_code=202)
async def act_on_order(order_id: OrderIdPath, action: ActionPath) -> JSONResponse:
    """Retry, skip or cancel the step an order is parked on (placeholder, being built)."""
    return JSONResponse(status_code=501, content={"detail": "not yet"})
