"""`GET /orders/{order_id}/timeline.html`: the order as a page support reads.

The same order view as `GET /orders/{order_id}`, under the same access rule (another
customer's order is `404` to a portal key, as an unknown one is), rendered by
`api.timeline_page`. Errors answer as every other route does: a JSON `Problem`.
"""

from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.deps import GatewayDep, ReaderDep, ReturnsLedgerDep
from api.models import Problem
from api.routes.orders import OrderIdPath, visible_order
from api.timeline_page import render_timeline

router = APIRouter(prefix="/orders", tags=["orders"])

# The page runs no script and loads nothing: a policy that forbids both keeps it so,
# even if a value ever slipped through unescaped. Order data is the customer's: no
# shared cache keeps it.
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


@router.get(
    "/{order_id}/timeline.html",
    response_class=HTMLResponse,
    responses={
        200: {"content": {"text/html": {}}, "description": "The order's timeline page."},
        404: {"model": Problem},
    },
)
async def order_timeline_page(
    order_id: OrderIdPath, gateway: GatewayDep, returns: ReturnsLedgerDep, principal: ReaderDep
) -> HTMLResponse:
    """The order for support, as HTML: header, what it waits on, its steps with the
    time between them, one lane per shipment, compensations. `404` for an unknown
    order, and for another customer's to a portal key."""
    view = await visible_order(order_id, gateway, returns, principal)
    page = render_timeline(view, now=datetime.now(UTC))
    return HTMLResponse(page, headers=_HEADERS)
