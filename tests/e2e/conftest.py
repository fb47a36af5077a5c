"""The whole product as processes: the Temporal dev server, mock-sap, mock-bank, the
sandbox, a worker and the API, started by the same definitions as `make run`, on free
ports."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sandbox.stack import Stack, StackPorts, disposable_stack


@dataclass
class RunningStack:
    stack: Stack
    ports: StackPorts
    logs: Path
    api: httpx.AsyncClient
    sap: httpx.AsyncClient
    sandbox: httpx.AsyncClient
    bank: httpx.AsyncClient

    def log_tail(self, lines: int = 40) -> str:
        out = []
        for log in sorted(self.logs.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(out)


@pytest.fixture(scope="session")
async def e2e(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningStack]:
    root = tmp_path_factory.mktemp("stack")
    # A quick warehouse and carrier, so an order completes in seconds.
    stack, ports = disposable_stack(root, step_delay_seconds=0.3)
    try:
        await stack.start()
    except Exception:
        await stack.stop()
        raise
    async with (
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports.api}", timeout=30) as api,
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{ports.mock_sap}/sap/opu/odata/sap",
            params={"$format": "json"},
            timeout=30,
        ) as sap,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports.sandbox}", timeout=30) as sandbox,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports.mock_bank}", timeout=30) as bank,
    ):
        running = RunningStack(stack, ports, root / "logs", api, sap, sandbox, bank)
        try:
            yield running
        finally:
            await stack.stop()
