"""GET /health, a verdict still pending (202 RECEIVED), and Temporal unreachable (503)."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from temporalio.service import RPCError, RPCStatusCode

from adapters.errors import TransientError
from api.deps import get_gateway, get_inbox, get_temporal
from api.order_gateway import VerdictPending, derived_order_id
from canonical.events import TimelineEntry
from canonical.orders import OrderSubmission
from canonical.statuses import OrderStatus
from canonical.view import OrderView
from tests.api.support import ApiHarness, AppFactory, has_status, new_key, released, submit, until
from workflows.contracts import SubmitVerdict

Overrides = dict[Callable[..., Any], Callable[..., Any]]


class _FailingHealth:
    async def check_health(self) -> bool:
        raise ConnectionError("connection refused by 127.0.0.1:7233")


class _UnreachableTemporal:
    """Just enough of a Temporal client for /health: its health check fails."""

    service_client = _FailingHealth()


class _BrokenInbox:
    def ping(self) -> None:
        raise OSError("disk I/O error")


class _PendingGateway:
    """A gateway whose ERP never answers in time: every verdict is pending."""

    def __init__(self) -> None:
        self.submitted: list[tuple[str, OrderSubmission]] = []

    async def submit(self, order_id: str, submission: OrderSubmission) -> SubmitVerdict:
        self.submitted.append((order_id, submission))
        raise VerdictPending(order_id)

    async def view(self, order_id: str) -> OrderView:
        now = datetime.now(UTC)
        entry = TimelineEntry(at=now, kind="RECEIVED", source="api", correlation_id=order_id)
        return OrderView(
            order_id=order_id, status=OrderStatus.RECEIVED, customer_id="1000001", timeline=[entry]
        )


class _UnavailableGateway:
    async def submit(self, order_id: str, submission: OrderSubmission) -> SubmitVerdict:
        raise RPCError("connection refused", RPCStatusCode.UNAVAILABLE, b"")


@pytest.fixture
def overrides(api: ApiHarness) -> Iterator[Overrides]:
    """`app.dependency_overrides`, cleared after the test."""
    yield api.app.dependency_overrides
    api.app.dependency_overrides.clear()


async def test_health_is_ok_when_temporal_and_the_database_answer(api: ApiHarness) -> None:
    response = await api.http.get("/health")

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "checks": {"temporal": "ok", "database": "ok"}}


async def test_health_is_503_when_temporal_does_not_answer(
    api: ApiHarness, overrides: Overrides
) -> None:
    overrides[get_temporal] = _UnreachableTemporal

    response = await api.http.get("/health")

    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["temporal"].startswith("unavailable: ")
    assert "connection refused" in body["checks"]["temporal"]
    assert body["checks"]["database"] == "ok"


async def test_health_is_503_when_the_database_does_not_answer(
    api: ApiHarness, overrides: Overrides
) -> None:
    overrides[get_inbox] = _BrokenInbox

    response = await api.http.get("/health")

    assert response.status_code == 503, response.text
    assert response.json()["checks"] == {
        "temporal": "ok",
        "database": "unavailable: disk I/O error",
    }


async def test_a_pending_verdict_is_202_with_the_received_order(
    api: ApiHarness, overrides: Overrides
) -> None:
    gateway = _PendingGateway()
    overrides[get_gateway] = lambda: gateway
    key = new_key()

    response = await submit(api.http, key=key)

    assert response.status_code == 202, response.text
    order_id = derived_order_id("1000001", key)
    assert response.json()["order_id"] == order_id
    assert response.json()["status"] == OrderStatus.RECEIVED.value
    assert response.headers["Location"] == f"/orders/{order_id}"
    ((submitted_id, submission),) = gateway.submitted
    assert submitted_id == order_id
    assert [(line.sku, line.quantity) for line in submission.lines] == [
        ("TG11", Decimal(5)),
        ("TG12", Decimal(2)),
    ]
    assert api.stack.erp.calls == []


async def test_temporal_unreachable_on_submit_is_503_to_retry(
    api: ApiHarness, overrides: Overrides
) -> None:
    overrides[get_gateway] = _UnavailableGateway

    response = await submit(api.http)

    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5"
    assert "try again" in response.json()["detail"]


async def test_a_slow_erp_gives_202_received_then_the_order_is_accepted(
    make_api: AppFactory,
) -> None:
    async with make_api(verdict_timeout_seconds=0.3) as api:
        # The ERP is down for the first lookup; the verdict waits for its retry.
        api.stack.erp.fail_next("get_customer", TransientError("ERP timed out", system="erp"))
        key = new_key()

        pending = await submit(api.http, key=key)

        assert pending.status_code == 202, pending.text
        order_id = pending.json()["order_id"]
        assert pending.json()["status"] == OrderStatus.RECEIVED.value
        await until(api.http, order_id, has_status(OrderStatus.ACCEPTED, OrderStatus.RELEASED))

        # Asked again, the same submission gets the verdict, and is still one order.
        again = await submit(api.http, key=key)

        assert again.status_code == 201, again.text
        assert again.json()["order_id"] == order_id
        view = await released(api.http, order_id)
        assert list(api.stack.erp.sales_orders) == [view.erp_order_id]
