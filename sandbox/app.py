"""The sandbox app: WMS, TMS and carrier routers, fault injection and the dispatcher.

`create_app(settings)` creates the tables and seeds stock at once, so the app
answers requests even when its lifespan is not run (as under `httpx.ASGITransport`);
the lifespan only starts and stops the event dispatcher. Tests that want events
either enter `app.router.lifespan_context(app)` or drive `dispatcher_of(app)`
themselves (`start()`/`stop()`, or `run_once()` step by step).
"""

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from sandbox import (
    carrier,
    events_api,
    floor,
    returns_carrier,
    tms,
    wms,
    wms_controls,
    wms_returns,
)
from sandbox.db import init_db, make_engine
from sandbox.outbox import Dispatcher, Faults
from sandbox.settings import SandboxSettings


class FaultsBody(BaseModel):
    """Fault injection as `/sandbox/faults` shows and takes it; omitted fields stay."""

    latency_ms: int | None = Field(default=None, ge=0)
    error_rate: float | None = Field(default=None, ge=0, le=1)
    duplicate_event_rate: float | None = Field(default=None, ge=0, le=1)


_CONTROL_PANEL = frozenset({"/wms/stock", "/wms/receipts", "/wms/short-picks", "/wms/dispositions"})


def _faulty(path: str) -> bool:
    """Whether a path is subject to injected latency and errors.

    The stock layout, receipts, short picks, return receipts and the list of
    dispositions are exempt: they are the operator's (and the receiving dock's)
    control panel, not the API Ordermesh integrates with.
    """
    if path in _CONTROL_PANEL or path.startswith("/wms/return-receipts"):
        return False
    return path.startswith(("/wms/", "/tms/", "/carrier/"))


def dispatcher_of(app: FastAPI) -> Dispatcher:
    """The event dispatcher of an app made by `create_app`."""
    dispatcher: Dispatcher = app.state.dispatcher
    return dispatcher


def faults_of(request: Request) -> Faults:
    """The live fault settings (request dependency)."""
    faults: Faults = request.app.state.faults
    return faults


def create_app(
    settings: SandboxSettings | None = None,
    *,
    webhook_client: httpx.AsyncClient | None = None,
    rng: random.Random | None = None,
) -> FastAPI:
    """Build the sandbox app.

    Args:
        settings: Defaults to `SandboxSettings()` (the environment).
        webhook_client: The client the dispatcher posts webhooks with, e.g. one over
            `httpx.MockTransport` in tests; the caller closes it. By default the
            dispatcher makes its own.
        rng: Randomness for fault injection and duplicate events.
    """
    settings = settings or SandboxSettings()
    rng = rng or random.Random(settings.random_seed)
    engine = make_engine(settings.database_url)
    init_db(engine, settings)
    faults = Faults(
        latency_ms=settings.latency_ms,
        error_rate=settings.error_rate,
        duplicate_event_rate=settings.duplicate_event_rate,
    )
    dispatcher = Dispatcher(
        settings,
        engine,
        {**floor.appliers(settings), **carrier.appliers(settings)},
        faults,
        client=webhook_client,
        rng=rng,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await dispatcher.start()
        try:
            yield
        finally:
            await dispatcher.stop()

    app = FastAPI(
        title="Ordermesh sandbox",
        description="A simulated WMS, TMS and carriers that send signed webhooks.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.dispatcher = dispatcher
    app.state.faults = faults

    @app.middleware("http")
    async def inject_faults(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not _faulty(request.url.path):
            return await call_next(request)
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.error_rate and rng.random() < faults.error_rate:
            return JSONResponse(
                status_code=503,
                content={
                    "detail": {
                        "code": "INJECTED_FAULT",
                        "message": f"sandbox fault injection (error_rate={faults.error_rate})",
                    }
                },
            )
        return await call_next(request)

    @app.get("/health", tags=["sandbox"])
    async def health() -> dict[str, object]:
        return {"status": "ok", "dispatcher_running": dispatcher.running}

    @app.get("/sandbox/faults", tags=["sandbox"])
    async def get_faults() -> FaultsBody:
        return FaultsBody(
            latency_ms=faults.latency_ms,
            error_rate=faults.error_rate,
            duplicate_event_rate=faults.duplicate_event_rate,
        )

    @app.put("/sandbox/faults", tags=["sandbox"])
    async def put_faults(
        body: FaultsBody, live: Annotated[Faults, Depends(faults_of)]
    ) -> FaultsBody:
        """Change fault injection while the sandbox runs."""
        for name, value in body.model_dump(exclude_none=True).items():
            setattr(live, name, value)
        return await get_faults()

    app.include_router(wms.router)
    app.include_router(wms_controls.router)
    app.include_router(tms.router)
    app.include_router(wms_returns.router)
    app.include_router(carrier.router)
    app.include_router(returns_carrier.router)
    app.include_router(events_api.router)
    return app
