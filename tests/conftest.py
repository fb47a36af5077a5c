"""Shared fixtures: Temporal environments from the pinned binaries, never downloaded."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from canonical.search_attributes import SEARCH_ATTRIBUTES
from tests.helpers import pinned_binary, start_time_skipping


@pytest.fixture(scope="module")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping test server per test module: its clock is shared by everything
    on it, so one module's leftovers (an activity still retrying when its test ended)
    cannot stop time for another's."""
    env = await start_time_skipping()
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="session")
async def dev_server_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal dev server, in memory, for update-with-start and the API."""
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=pinned_binary("temporal"),
        dev_server_extra_args=["--log-level", "error"],
        search_attributes=[_key(name, kind) for name, kind in SEARCH_ATTRIBUTES.items()],
    )
    try:
        yield env
    finally:
        await env.shutdown()


def _key(name: str, kind: str) -> SearchAttributeKey[Any]:
    if kind == "KeywordList":
        return SearchAttributeKey.for_keyword_list(name)
    return SearchAttributeKey.for_keyword(name)
