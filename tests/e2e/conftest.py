"""The whole product as processes: the Temporal dev server, mock-sap, mock-bank, the
sandbox, a worker and the API, started by the same definitions as `make run`, on free
ports.

The API gets keys of its own (not the development ones, so the test shows
`ORDERMESH_API_KEYS` reaches the process): `api` is a portal client for the demo
customers, `ops` an ops client, `support` a support client. The portal also acts for
9999999, a customer mock-sap does not know, so an order for it reaches the ERP's
verdict (REJECTED) rather than the API's 403.
"""

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.edi_partner import EdiPartnerUrls, introduce
from sandbox.stack import Stack, StackPorts, disposable_stack

# The customers the e2e portal key acts for: mock-sap's demo customers, and 9999999,
# which mock-sap does not know (for the rejection test).
PORTAL_CUSTOMERS = ("1000001", "1000002", "1000003", "9999999")


@dataclass
class RunningStack:
    """The running processes and clients for them.

    Attributes:
        api: The API as the portal calls it (PORTAL_CUSTOMERS): submit, read, returns.
        ops: The API as ops call it: cancel, act, cash.
        support: The API as support calls it: read everything.
        edi: mock-edi, the EDI buyer MOCKEDI (its `/_mock` control plane).
    """

    stack: Stack
    ports: StackPorts
    logs: Path
    api: httpx.AsyncClient
    sap: httpx.AsyncClient
    sandbox: httpx.AsyncClient
    bank: httpx.AsyncClient
    ops: httpx.AsyncClient
    support: httpx.AsyncClient
    edi: httpx.AsyncClient

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
    # Spans are written within 0.2 s, so the tracing test reads them while it runs.
    stack, ports = disposable_stack(
        root, step_delay_seconds=0.3, env={"OTEL_BSP_SCHEDULE_DELAY": "200"}
    )
    keys = {
        role: f"e2e-{role}-{secrets.token_urlsafe(12)}" for role in ("portal", "support", "ops")
    }
    api_keys = (
        f"ops:{keys['ops']},support:{keys['support']},"
        f"portal:{'+'.join(PORTAL_CUSTOMERS)}:{keys['portal']}"
    )
    api = stack.services["api"]
    stack.services["api"] = replace(api, env={**api.env, "ORDERMESH_API_KEYS": api_keys})
    api_url = f"http://127.0.0.1:{ports.api}"
    try:
        await stack.start()
        await introduce(
            EdiPartnerUrls(
                mock_edi=f"http://127.0.0.1:{ports.mock_edi}", api=api_url, ops_key=keys["ops"]
            )
        )
    except Exception:
        await stack.stop()
        raise

    def bearer(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {keys[role]}"}

    async with (
        httpx.AsyncClient(base_url=api_url, headers=bearer("portal"), timeout=30) as portal,
        httpx.AsyncClient(base_url=api_url, headers=bearer("ops"), timeout=30) as ops,
        httpx.AsyncClient(base_url=api_url, headers=bearer("support"), timeout=30) as support,
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{ports.mock_sap}/sap/opu/odata/sap",
            params={"$format": "json"},
            timeout=30,
        ) as sap,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports.sandbox}", timeout=30) as sandbox,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports.mock_bank}", timeout=30) as bank,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports.mock_edi}", timeout=30) as edi,
    ):
        running = RunningStack(
            stack, ports, root / "logs", portal, sap, sandbox, bank, ops, support, edi
        )
        try:
            yield running
        finally:
            await stack.stop()


GENEROUS = [
    {"warehouse": w, "sku": sku, "on_hand": 500}
    for w in ("W1", "W2", "W3")
    for sku in ("TG11", "TG12", "TG13", "TG14", "TG21", "TG22", "TG31")
]


@pytest.fixture
async def layout(e2e: RunningStack) -> AsyncIterator[Any]:
    """Set a stock layout for one test; the generous one comes back afterwards."""

    async def put(rows: list[dict[str, Any]]) -> None:
        response = await e2e.sandbox.put("/wms/stock", json=rows)
        assert response.status_code in (200, 204), response.text

    yield put
    await put(GENEROUS)
