"""Fixtures for the sandbox tests; the machinery is in `tests.sandbox.harness`."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.settings import SandboxSettings
from tests.sandbox.harness import SandboxUnderTest, fast_settings, open_sandbox


@pytest.fixture
def settings(tmp_path: Path) -> SandboxSettings:
    return fast_settings(tmp_path)


@pytest.fixture
async def sandbox(settings: SandboxSettings) -> AsyncIterator[SandboxUnderTest]:
    """The app with its dispatcher stopped: tests step it with `run_once`."""
    async with open_sandbox(settings) as under_test:
        yield under_test


@pytest.fixture
async def running(settings: SandboxSettings) -> AsyncIterator[SandboxUnderTest]:
    """The app with its dispatcher running in the background, as in production."""
    async with open_sandbox(settings, run_dispatcher=True) as under_test:
        yield under_test
