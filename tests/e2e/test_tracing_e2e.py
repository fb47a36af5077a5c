"""One order, one trace, across the real processes: the API's request and
update-with-start (traces-api.jsonl), the worker's workflows, activities and HTTP
calls (traces-worker.jsonl), and mock-sap, which recorded the same trace id in the
`traceparent` of every request the order sent it. Log lines name the order too.
"""

import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.test_order_to_cash_e2e import demo_order, submit, wait_for

pytestmark = pytest.mark.e2e


def _spans(data: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for name in ("traces-api.jsonl", "traces-worker.jsonl")
        if (data / name).exists()
        for line in (data / name).read_text().splitlines()
    ]


async def _trace_of(data: Path, order_id: str, wanted: set[str]) -> list[dict[str, Any]]:
    """The spans of the trace whose root is the order's POST /orders, once `wanted`
    have all been exported (the processes export every 0.2 s)."""
    deadline = time.monotonic() + 30
    while True:
        spans = _spans(data)
        roots = [
            s
            for s in spans
            if s["name"] == "POST /orders" and s["attributes"].get("ordermesh.order_id") == order_id
        ]
        trace = [s for s in spans if roots and s["trace_id"] == roots[0]["trace_id"]]
        if wanted <= {s["name"] for s in trace} or time.monotonic() > deadline:
            return trace
        await asyncio.sleep(0.5)


async def test_an_order_is_one_trace_that_mock_sap_saw_in_traceparent(e2e: RunningStack) -> None:
    response = await submit(e2e, demo_order("PO-TRACE"), f"trace-{uuid.uuid4()}")
    assert response.status_code == 201, response.text
    order_id = response.json()["order_id"]
    await wait_for(e2e, order_id, lambda v: v["status"] in ("INVOICED", "PAID"), "invoiced")

    wanted = {
        "POST /orders",
        "StartUpdateWithStartWorkflow:OrderToCash",
        "RunWorkflow:OrderToCash",
        "RunActivity:validate_order",
        "RunActivity:create_sales_order",
        "RunActivity:reserve_inventory",
        "RunWorkflow:Shipment",
        "RunActivity:release_to_warehouse",
        "RunActivity:buy_label",
        "RunActivity:create_outbound_delivery",
        "RunActivity:create_billing_document",
    }
    trace = await _trace_of(e2e.logs.parent / "data", order_id, wanted)
    assert wanted <= {s["name"] for s in trace}, sorted({s["name"] for s in trace})
    assert {s["service"] for s in trace} == {"ordermesh-api", "ordermesh-worker"}
    assert [s["name"] for s in trace if s["attributes"].get("ordermesh.order_id") != order_id] == []
    trace_id = trace[0]["trace_id"]
    # Outgoing calls: client spans under activities, to the ERP and to the sandbox.
    calls = [s for s in trace if s["kind"] == "CLIENT" and "http.url" in s["attributes"]]
    urls = [str(s["attributes"]["http.url"]) for s in calls]
    assert any(f":{e2e.ports.mock_sap}/sap/" in url for url in urls), urls
    assert any(f":{e2e.ports.sandbox}/wms/" in url for url in urls), urls
    assert any(f":{e2e.ports.sandbox}/carrier/" in url for url in urls), urls

    # mock-sap's own request log: every request it had for this order carried the trace.
    log = await e2e.sap.get(
        f"http://127.0.0.1:{e2e.ports.mock_sap}/_mock/requests",
        params={"limit": 2000, "verbose": 1},
    )
    assert log.status_code == 200, log.text
    rows = log.json()["results"]
    # traceparent is 00-<trace id>-<parent span id>-<flags>: the parent is the client
    # span that sent the request.
    seen = {
        tuple(row["headers"]["traceparent"].split("-")[1:3])
        for row in rows
        if "traceparent" in row.get("headers", {})
    }
    sap_calls = {
        (trace_id, s["span_id"])
        for s in calls
        if f":{e2e.ports.mock_sap}/" in s["attributes"]["http.url"]
    }
    assert sap_calls and sap_calls <= seen, (sap_calls, seen)

    # The worker's JSON log lines about the order name it and its trace.
    lines = [
        json.loads(line)
        for line in (e2e.logs / "worker.log").read_text().splitlines()
        if line.startswith("{") and order_id in line
    ]
    assert lines and all(entry.get("order_id") == order_id for entry in lines)
