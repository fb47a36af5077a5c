"""Fixtures for the API tests: the real app over the Temporal dev server and the fakes.

Each test gets its own `Stack` (fresh FakeErp, FakeWms and FakeCarrier, and a worker
running the real OrderToCashWorkflow on a random task queue) and its own app, with its
inbox in a SQLite file under `tmp_path`. The dev server is shared by the session, so
tests keep their order ids unique (random idempotency keys and order ids).

Access control is not what these tests are about: the app's principal resolver is
replaced (`app.dependency_overrides`) by one that answers with `EVERYTHING`, every
role for every customer, unless `make_api(real_auth=True)` asks for the real one
(tests/api/test_access.py).
"""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from temporalio.testing import WorkflowEnvironment

from api.auth import Principal, Role
from api.deps import get_principal
from api.main import create_app
from api.settings import ApiSettings
from runtime.settings import TemporalSettings
from tests.api.support import ApiHarness, AppFactory
from tests.workflows.support import Stack, running_stack

# Every role, every customer: what the harness calls the API as.
EVERYTHING = Principal(name="tests", roles=frozenset(Role), customers=None)


@pytest.fixture
async def stack(dev_server_env: WorkflowEnvironment) -> AsyncIterator[Stack]:
    """A worker over fresh fakes, on the shared dev server."""
    async with running_stack(dev_server_env.client) as running:
        yield running


@asynccontextmanager
async def harness_over(
    stack: Stack,
    *,
    real_auth: bool = False,
    prepare: Callable[[FastAPI], None] | None = None,
    **settings: Any,
) -> AsyncIterator[ApiHarness]:
    """An app over `stack` (its client, its task queue) with some settings changed,
    lifespan entered; `prepare` sees the app before its first request."""
    # The store the stack's cash activities write is the one the API reads.
    app = create_app(
        ApiSettings(**{"warehouse_preference": ["W1", "W2"], **settings}),
        TemporalSettings(
            task_queue=stack.task_queue,
            erp_task_queue=stack.task_queue,
            erp_lookup_task_queue=stack.task_queue,
        ),
        client=stack.client,
        engine=stack.ledger.engine,
    )
    if not real_auth:
        app.dependency_overrides[get_principal] = lambda: EVERYTHING
    if prepare is not None:
        prepare(app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http,
    ):
        yield ApiHarness(app=app, http=http, stack=stack, inbox=app.state.inbox)


@pytest.fixture
def make_api(stack: Stack) -> AppFactory:
    """Build an app over `stack` with some settings changed, lifespan entered; with
    `real_auth=True` the callers' API keys are checked as in production."""

    def build(
        *, real_auth: bool = False, **settings: Any
    ) -> AbstractAsyncContextManager[ApiHarness]:
        return harness_over(stack, real_auth=real_auth, **settings)

    return build


@pytest.fixture
async def api(make_api: AppFactory) -> AsyncIterator[ApiHarness]:
    """The app with its default settings (webhook secrets included)."""
    async with make_api() as harness:
        yield harness
