"""`/metrics`: the API's business metrics for Prometheus (see `api.metrics`)."""

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.deps import TemporalDep
from api.metrics import ApiMetrics

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response)
async def metrics(request: Request, temporal: TemporalDep) -> Response:
    """Submissions by channel and verdict, verdict latency, running orders by status
    and the exception queue's depth. Open, like `/health`: meant for a scraper on
    the operator's network, it shows counts, never an order."""
    registry: ApiMetrics = request.app.state.metrics
    return Response(await registry.scrape(temporal), media_type=CONTENT_TYPE_LATEST)
