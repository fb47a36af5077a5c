"""mock-bank in process, for the bank adapter's tests.

Not a conftest (that file is shared); a test module makes these fixtures its own by
naming them at module level, e.g. `mock_bank = bank_fixtures.mock_bank`, since
pytest finds fixtures among a module's attributes.

- `running_mock_bank`: a mock-bank on a free port in a daemon thread, its clock
  pinned to `MONDAY` 09:00 (before the 15:00 cutoff, so a credit books the same day).
- `mock_bank_url`: one for the session; `mock_bank` resets it for one test and gives
  its control plane (`MockBank`) to arrange and check data; `bank_adapter` is the
  real adapter, built the production way, pointed at it. `reset_mock_bank` and
  `adapter_for` are the same two for a fixture of one's own.
"""

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from mockbank.server import Config, make_server  # type: ignore[import-untyped]

from adapters.bank.http import MockBankAdapter
from adapters.bank.settings import BankSettings

MONDAY = date(2026, 10, 5)
CLOCK = f"{MONDAY.isoformat()}T09:00"
ACCOUNT = "ACME"
ACCOUNT_IBAN = "NL41MOCK0000000001"
OPENING = Decimal("125000.00")
"""ACME's seeded balance."""
PAYER_IBAN = "NL14MOCK0000000002"


@contextmanager
def running_mock_bank(**options: Any) -> Iterator[str]:
    """A mock-bank (in memory, quiet, clock at `CLOCK`) until the block ends; its URL.

    Args:
        **options: More `mockbank.server.Config` options, e.g. `auth="user:pw"`.
    """
    httpd = make_server(Config(port=0, quiet=True, clock=CLOCK, **options))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def mock_bank_url() -> Iterator[str]:
    """One mock-bank for the session (per module that takes the fixture)."""
    with running_mock_bank() as url:
        yield url


@dataclass
class MockBank:
    """Test-side access to mock-bank's control plane, independent of the adapter."""

    base_url: str
    http: httpx.AsyncClient

    async def reset(self) -> None:
        """Back to the seeded accounts, no messages, the clock at `CLOCK`."""
        (await self.http.post("/_mock/reset")).raise_for_status()

    async def credit(self, **fields: Any) -> dict[str, Any]:
        """`POST /_mock/credits` into `ACCOUNT` unless `account` is given; the
        credit as the bank recorded it (its `note` as the bank cut it)."""
        response = await self.http.post("/_mock/credits", json={"account": ACCOUNT, **fields})
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    async def advance(self, days: int = 1) -> None:
        """Move the bank clock on; the days it passes end with their statements."""
        (await self.http.post("/_mock/advance", params={"days": days})).raise_for_status()

    async def get(self, path: str, **params: str) -> Any:
        response = await self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()


@asynccontextmanager
async def reset_mock_bank(url: str) -> AsyncIterator[MockBank]:
    """The mock-bank at `url`, reset to its seed, and a client for its control plane."""
    async with httpx.AsyncClient(base_url=url, timeout=5) as http:
        bank = MockBank(url, http)
        await bank.reset()
        yield bank


@asynccontextmanager
async def adapter_for(url: str) -> AsyncIterator[MockBankAdapter]:
    """The real adapter, built from settings the production way, for the bank at `url`."""
    adapter = MockBankAdapter.from_settings(BankSettings(base_url=url, timeout_seconds=5))
    try:
        yield adapter
    finally:
        await adapter.aclose()


@pytest.fixture
async def mock_bank(mock_bank_url: str) -> AsyncIterator[MockBank]:
    """The session's mock-bank, reset to its seed."""
    async with reset_mock_bank(mock_bank_url) as bank:
        yield bank


@pytest.fixture
async def bank_adapter(mock_bank: MockBank) -> AsyncIterator[MockBankAdapter]:
    """The real adapter pointed at the reset mock-bank."""
    async with adapter_for(mock_bank.base_url) as adapter:
        yield adapter
