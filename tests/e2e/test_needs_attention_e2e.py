"""Ops on the real parts: mock-sap refuses sales orders (its fault rules), orders wait
in NEEDS_ATTENTION, and ops find them and decide as they would: through the API, and
with the `temporal` CLI the way the Temporal UI sends signals and cancellations."""

import asyncio
import json
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.test_order_to_cash_e2e import (
    demo_order,
    sap_orders_with_po,
    submit,
    wait_for,
    wait_for_status,
    wait_until_fulfilled,
)

pytestmark = pytest.mark.e2e

SAP_MESSAGE = "Sales document blocked: customer is on credit hold"
PARKED_QUERY = "WorkflowType = 'OrderToCash' AND OrderStatus = 'NEEDS_ATTENTION'"


@pytest.fixture
async def sap_refuses_sales_orders(e2e: RunningStack) -> AsyncIterator[None]:
    """A mock-sap fault rule: every sales-order creation answers 400 with SAP's text."""
    root = str(e2e.sap.base_url).split("/sap/")[0]
    rule = {"method": "POST", "match": "A_SalesOrder$", "status": 400, "message": SAP_MESSAGE}
    response = await e2e.sap.post(f"{root}/_mock/faults", json=rule)
    assert response.status_code == 201, response.text
    try:
        yield
    finally:
        await e2e.sap.delete(f"{root}/_mock/faults")


async def clear_faults(e2e: RunningStack) -> None:
    root = str(e2e.sap.base_url).split("/sap/")[0]
    response = await e2e.sap.delete(f"{root}/_mock/faults")
    response.raise_for_status()


async def temporal_cli(e2e: RunningStack, *args: str) -> str:
    """The pinned `temporal` CLI against the stack's server, as ops run it."""
    binary = Path(sys.executable).parent / "temporal"
    process = await asyncio.create_subprocess_exec(
        str(binary),
        *args,
        "--address",
        f"127.0.0.1:{e2e.ports.temporal}",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def parked_order(e2e: RunningStack, po: str) -> dict[str, Any]:
    response = await submit(e2e, demo_order(po), f"park-{po}")
    assert response.status_code == 201, response.text  # the verdict stands: ACCEPTED
    view: dict[str, Any] = await wait_for(
        e2e, response.json()["order_id"], lambda v: bool(v["attention"]), "parked"
    )
    return view


async def listed_by_cli(e2e: RunningStack, workflow_ids: set[str]) -> set[str]:
    for _ in range(60):
        out = await temporal_cli(e2e, "workflow", "list", "--query", PARKED_QUERY, "-o", "json")
        found = {row["execution"]["workflowId"] for row in json.loads(out or "[]")}
        if workflow_ids <= found:
            return found
        await asyncio.sleep(0.5)
    raise AssertionError(f"never listed by the CLI: {workflow_ids - found}")


@pytest.mark.usefixtures("sap_refuses_sales_orders")
async def test_refused_orders_park_and_ops_retry_or_cancel_them(e2e: RunningStack) -> None:
    run = uuid.uuid4().hex[:6].upper()
    pos = {name: f"PO-PARK-{name}-{run}" for name in ("API", "SIGNAL", "CANCEL", "TCANCEL")}
    views = {name: await parked_order(e2e, po) for name, po in pos.items()}
    ids = {name: view["order_id"] for name, view in views.items()}
    for view in views.values():
        assert view["status"] == "NEEDS_ATTENTION"
        [problem] = view["attention"]
        assert problem["step"] == "create_sales_order"
        assert problem["error_type"] == "ERP_REJECTED"
        assert SAP_MESSAGE in problem["message"]

    # The exception queue, from the API and from the CLI (the Temporal UI's filter).
    response = await e2e.support.get("/orders", params={"status": "NEEDS_ATTENTION"})
    assert response.status_code == 200, response.text
    listed = {row["order_id"]: row for row in response.json()}
    assert set(ids.values()) <= set(listed)
    assert listed[ids["API"]]["needs_attention_reason"] == "create_sales_order: ERP_REJECTED"
    await listed_by_cli(e2e, {f"order-{order_id}" for order_id in ids.values()})

    # Cancel a parked order through the API, and one with Temporal's own Cancel.
    response = await e2e.ops.post(f"/orders/{ids['CANCEL']}/actions/cancel")
    assert response.status_code == 202, response.text
    await temporal_cli(e2e, "workflow", "cancel", "--workflow-id", f"order-{ids['TCANCEL']}")
    for name in ("CANCEL", "TCANCEL"):
        view = await wait_for_status(e2e, ids[name], {"CANCELLED"})
        done = [c["step"] for c in view["compensations"] if c["state"] == "done"]
        assert done == ["cancel_sales_order"]
        assert await sap_orders_with_po(e2e, pos[name]) == []

    # SAP is fixed; one order is retried through the API, one by a signal.
    await clear_faults(e2e)
    response = await e2e.ops.post(
        f"/orders/{ids['API']}/actions/retry", json={"note": "credit hold lifted"}
    )
    assert response.status_code == 202, response.text
    await temporal_cli(
        e2e,
        "workflow",
        "signal",
        "--workflow-id",
        f"order-{ids['SIGNAL']}",
        "--name",
        "decide",
        "--input",
        json.dumps({"action": "retry", "by": "ops-cli"}),
    )
    for name in ("API", "SIGNAL"):
        view = await wait_until_fulfilled(e2e, ids[name])
        [sales_order] = await sap_orders_with_po(e2e, pos[name])
        assert view["erp_order_id"] == sales_order["SalesOrder"]
        assert "OPS_DECISION" in [entry["kind"] for entry in view["timeline"]]
