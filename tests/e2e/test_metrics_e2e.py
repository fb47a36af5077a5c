"""The metrics move as an order runs: the API's `GET /metrics` (submissions, verdict
latency, orders by status) and the worker's endpoint (steps per outside system, the
order's cycle legs, and Temporal's own SDK metrics), both scraped as Prometheus text.
"""

import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import RunningStack
from tests.e2e.test_order_to_cash_e2e import demo_order, submit, wait_for

pytestmark = pytest.mark.e2e

Sample = tuple[str, frozenset[tuple[str, str]]]


async def _scrape(url: str) -> dict[Sample, float]:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _sum(samples: dict[Sample, float], name: str, **labels: str) -> float:
    wanted = set(labels.items())
    return sum(v for (n, have), v in samples.items() if n == name and wanted <= have)


async def test_an_order_moves_the_api_and_worker_metrics(e2e: RunningStack) -> None:
    api_url = f"http://127.0.0.1:{e2e.ports.api}/metrics"
    worker_url = f"http://127.0.0.1:{e2e.ports.worker}/metrics"
    api_before, worker_before = await _scrape(api_url), await _scrape(worker_url)

    response = await submit(e2e, demo_order("PO-METRICS"), f"metrics-{uuid.uuid4()}")
    assert response.status_code == 201, response.text
    order_id = response.json()["order_id"]
    await wait_for(e2e, order_id, lambda v: v["status"] in ("INVOICED", "PAID"), "invoiced")
    api_after, worker_after = await _scrape(api_url), await _scrape(worker_url)

    def api_moved(name: str, **labels: str) -> float:
        return _sum(api_after, name, **labels) - _sum(api_before, name, **labels)

    def worker_moved(name: str, **labels: str) -> float:
        return _sum(worker_after, name, **labels) - _sum(worker_before, name, **labels)

    accepted = {"channel": "portal", "verdict": "accepted"}
    assert api_moved("ordermesh_orders_submitted_total", **accepted) == 1
    assert api_moved("ordermesh_verdict_seconds_count", channel="portal") == 1
    assert ("ordermesh_exception_queue_depth", frozenset()) in api_after

    # One attempt of each of the order's steps, by the system it called.
    for system, step in [
        ("erp", "validate_order"),
        ("erp", "create_sales_order"),
        ("wms", "reserve_inventory"),
        ("wms", "release_to_warehouse"),
        ("tms", "rate_shop"),
        ("carrier", "buy_label"),
        ("erp", "create_outbound_delivery"),
        ("erp", "create_billing_document"),
    ]:
        moved = worker_moved("ordermesh_step_duration_count", system=system, step=step)
        assert moved == 1, (system, step, moved)
    ok = worker_moved("ordermesh_step_duration_count", outcome="ok")
    assert ok >= 8
    assert worker_moved("ordermesh_order_cycle_duration_count", leg="accepted_to_shipped") == 1
    assert worker_moved("ordermesh_order_cycle_duration_count", leg="shipped_to_invoiced") == 1
    # Temporal's own SDK metrics come from the same endpoint.
    assert worker_moved("temporal_activity_execution_latency_count") >= 8
    assert worker_moved("temporal_workflow_task_execution_latency_count") >= 1
