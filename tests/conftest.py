"""Shared fixtures: Temporal environments from the pinned binaries, never downloaded."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from canonical.search_attributes import SEARCH_ATTRIBUTES
from tests.helpers import pinned_binary


@pytest.fixture(scope="module")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping test server per test module: its clock is shared by everything
    on it, so one module's leftovers (an activity still retrying when its test ended)
    cannot stop time for another's."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=pinned_binary("temporal-test-server"),
    )
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={name: _INDEXED[kind] for name, kind in SEARCH_ATTRIBUTES.items()},
        )
    )
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


_INDEXED = {
    "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "KeywordList": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
}


def _key(name: str, kind: str) -> SearchAttributeKey[Any]:
    if kind == "KeywordList":
        return SearchAttributeKey.for_keyword_list(name)
    return SearchAttributeKey.for_keyword(name)
