"""`/health`: whether the API can reach Temporal and its database."""

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import InboxDep, TemporalDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(temporal: TemporalDep, inbox: InboxDep) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        await temporal.service_client.check_health()
        checks["temporal"] = "ok"
    except Exception as err:  # any failure means "not healthy", and says which
        checks["temporal"] = f"unavailable: {err}"
    try:
        await run_in_threadpool(inbox.ping)
        checks["database"] = "ok"
    except Exception as err:
        checks["database"] = f"unavailable: {err}"
    healthy = all(v == "ok" for v in checks.values())
    return JSONResponse(
        status_code=200 if healthy else 503,
        content={"status": "ok" if healthy else "degraded", "checks": checks},
    )
