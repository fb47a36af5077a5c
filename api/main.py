"""The FastAPI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from adapters.edi.http import As2HttpEndpoint
from api.cash_gateway import CashGateway
from api.edi_inbound import EdiReceiver
from api.metrics import ApiMetrics
from api.order_gateway import OrderGateway, OrderNotFound
from api.return_gateway import ReturnGateway
from api.routes import (
    actions,
    cash,
    edi,
    health,
    metrics,
    orders,
    partners,
    returns,
    shopify,
    timeline,
    webhooks,
)
from api.settings import ApiSettings
from runtime.settings import TemporalSettings
from runtime.temporal import connect
from store.cash_ledger import CashLedger
from store.db import create_schema, make_engine
from store.inbox import Inbox
from store.partner_documents import PartnerDocuments
from store.partners import PartnerRegistry
from store.returns_ledger import ReturnsLedger


def create_app(
    settings: ApiSettings | None = None,
    temporal_settings: TemporalSettings | None = None,
    *,
    client: Client | None = None,
    engine: Engine | None = None,
) -> FastAPI:
    """Build the API. `client` and `engine` are for tests and embedding; when absent
    the lifespan connects to what the settings name."""
    settings = settings or ApiSettings()
    temporal_settings = temporal_settings or TemporalSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        temporal = client or await connect(temporal_settings)
        db = engine or make_engine(settings.database_url)
        create_schema(db)
        app.state.settings = settings
        app.state.temporal_settings = temporal_settings
        app.state.temporal = temporal
        app.state.inbox = Inbox(db)
        app.state.ledger = CashLedger(db)
        app.state.returns_ledger = ReturnsLedger(db)
        app.state.partners = PartnerRegistry(db)
        app.state.partner_documents = PartnerDocuments(db)
        app.state.return_gateway = ReturnGateway(
            temporal,
            task_queue=temporal_settings.task_queue,
            erp_task_queue=temporal_settings.erp_task_queue,
        )
        app.state.cash_gateway = CashGateway(
            temporal,
            task_queue=temporal_settings.task_queue,
            erp_task_queue=temporal_settings.erp_task_queue,
            account=settings.bank_account,
        )
        app.state.metrics = ApiMetrics()
        app.state.gateway = OrderGateway(
            temporal,
            task_queue=temporal_settings.task_queue,
            erp_task_queue=temporal_settings.erp_task_queue,
            erp_lookup_task_queue=temporal_settings.erp_lookup_task_queue,
            warehouse_preference=settings.warehouse_preference,
            verdict_timeout=timedelta(seconds=settings.verdict_timeout_seconds),
            metrics=app.state.metrics,
        )
        partner_http = httpx.AsyncClient(timeout=settings.partner_timeout_seconds)
        app.state.edi = EdiReceiver(
            app.state.partners,
            app.state.partner_documents,
            app.state.gateway,
            temporal,
            As2HttpEndpoint(partner_http),
        )
        yield
        await partner_http.aclose()
        if engine is None:
            db.dispose()

    app = FastAPI(
        title="Ordermesh",
        summary="Durable order orchestration for distributors.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.include_router(orders.router)
    app.include_router(timeline.router)
    app.include_router(actions.router)
    app.include_router(webhooks.router)
    app.include_router(shopify.router)
    app.include_router(cash.router)
    app.include_router(returns.router)
    app.include_router(partners.router)
    app.include_router(edi.router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.add_exception_handler(OrderNotFound, _order_not_found)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(RPCError, _temporal_unavailable)
    app.add_exception_handler(WorkflowUpdateFailedError, _order_refused_the_call)
    return app


async def _order_not_found(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": f"no order {exc}"})


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return JSONResponse(status_code=400, content={"detail": "the body is not valid JSON"})
    return JSONResponse(
        status_code=422,
        content={
            "detail": [
                {
                    "loc": list(e.get("loc", ())),
                    "msg": e.get("msg", ""),
                    "type": e.get("type", ""),
                }
                for e in errors
            ]
        },
    )


async def _order_refused_the_call(request: Request, exc: Exception) -> JSONResponse:
    # An order that could not take a call answers "try later", not a crash: the
    # sender retries and the order is unharmed.
    cause = getattr(exc, "cause", None)
    return JSONResponse(
        status_code=503,
        content={"detail": f"the order could not take this now, try again: {cause or exc}"},
        headers={"Retry-After": "5"},
    )


async def _temporal_unavailable(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        status_code=503,
        content={"detail": f"order engine unavailable, try again: {exc}"},
        headers={"Retry-After": "5"},
    )
