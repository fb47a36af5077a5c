"""Access control on the running API process: the keys come from its environment
(`ORDERMESH_API_KEYS`, set by the e2e stack), each role is held to what it may do, and
what is open stays open."""

import httpx
import pytest

from api.auth import DEV_OPS_KEY
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


async def test_the_api_process_checks_the_keys_it_was_given(e2e: RunningStack) -> None:
    async with httpx.AsyncClient(base_url=str(e2e.api.base_url), timeout=30) as anonymous:
        missing = await anonymous.get("/orders")
        assert missing.status_code == 401, missing.text
        assert missing.headers["WWW-Authenticate"] == "Bearer"
        # The development keys are not this stack's: its keys came from the environment.
        dev = await anonymous.get("/orders", headers={"Authorization": f"Bearer {DEV_OPS_KEY}"})
        assert dev.status_code == 401, dev.text
        assert (await anonymous.get("/health")).status_code == 200
        assert (await anonymous.get("/openapi.json")).status_code == 200

    assert (await e2e.api.post("/cash/run")).status_code == 403
    assert (await e2e.api.get("/orders", params={"customer_id": "1000004"})).status_code == 403
    assert (await e2e.support.get("/cash/unapplied")).status_code == 200
    assert (await e2e.support.post("/orders/NOPE-1/cancel")).status_code == 403
    assert (await e2e.ops.get("/orders", params={"customer_id": "1000004"})).status_code == 200
    assert (await e2e.ops.post("/orders/NOPE-1/cancel")).status_code == 404
