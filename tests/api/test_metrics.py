"""GET /metrics: the counters and gauges move as orders run (dev server)."""

import asyncio

from prometheus_client.parser import text_string_to_metric_families

from adapters.errors import RejectionError
from canonical.statuses import OrderStatus
from tests.api.support import ApiHarness, accepted, has_status, order_body, submit, until


async def scrape(api: ApiHarness) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await api.http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


async def test_submissions_verdicts_and_statuses_are_counted(api: ApiHarness) -> None:
    before = await scrape(api)
    accepted_key = (
        "ordermesh_orders_submitted_total",
        (("channel", "portal"), ("verdict", "accepted")),
    )
    rejected_key = (
        "ordermesh_orders_submitted_total",
        (("channel", "portal"), ("verdict", "rejected")),
    )
    assert before.get(accepted_key, 0) == 0

    await accepted(api.http)
    rejected = await submit(api.http, order_body(customer_id="9999999"))
    assert rejected.status_code == 422, rejected.text
    api.stack.erp.fail_next(
        "create_sales_order", RejectionError("credit hold", code="SAP_REJECTED", system="erp")
    )
    parked = await accepted(api.http)
    await until(api.http, parked, has_status(OrderStatus.NEEDS_ATTENTION))

    after: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for _ in range(50):  # visibility catches up within moments
        after = await scrape(api)
        if after[("ordermesh_exception_queue_depth", ())] >= 1:
            break
        await asyncio.sleep(0.1)
    assert after[accepted_key] == 2
    assert after[rejected_key] == 1
    assert after[("ordermesh_verdict_seconds_count", (("channel", "portal"),))] == 3
    assert after[("ordermesh_exception_queue_depth", ())] >= 1
    assert after[("ordermesh_orders", (("status", "NEEDS_ATTENTION"),))] >= 1
    running = sum(v for (name, _), v in after.items() if name == "ordermesh_orders")
    assert running >= 2  # the accepted order and the parked one
