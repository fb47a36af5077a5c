"""Telling a workflow that has ended from one that never was."""

from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode


async def has_ended(handle: WorkflowHandle[Any, Any]) -> bool:
    """After a call answered NOT_FOUND: True when the workflow exists but has ended,
    False when there is none. Only this rare path pays a describe."""
    try:
        await handle.describe()
    except RPCError as missing:
        if missing.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True
