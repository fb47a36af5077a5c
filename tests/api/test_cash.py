"""`/cash`: a run on demand, the unapplied-cash list and ops decisions, every refusal a
clear 4xx; and the schedule that runs cash application by itself."""

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

from temporalio.client import ScheduleActionExecutionStartWorkflow, ScheduleIntervalSpec
from temporalio.testing import WorkflowEnvironment

from canonical.invoices import Invoice
from canonical.statuses import OrderStatus, ShipmentStatus
from runtime.settings import TemporalSettings
from tests.api.support import ApiHarness, accepted, released, send, until
from tests.workflows.support import Stack
from workers.schedules import ensure_cash_schedule
from workflows.cash_contracts import CASH_APPLICATION_WORKFLOW, cash_schedule_id


async def billed(api: ApiHarness) -> tuple[str, Invoice]:
    """An order shipped, delivered and invoiced through the API: its id and invoice."""
    order_id = await accepted(api.http)
    await released(api.http, order_id)
    await send(api.http, order_id, "picked")
    await send(api.http, order_id, "packed")
    view = await until(api.http, order_id, lambda v: v.shipments[0].tracking_number != "")
    await send(api.http, order_id, "shipped", tracking_number=view.shipments[0].tracking_number)
    await send(api.http, order_id, "delivered", source="carrier")
    view = await until(
        api.http,
        order_id,
        lambda v: (
            v.status is OrderStatus.INVOICED and v.shipments[0].status is ShipmentStatus.DELIVERED
        ),
    )
    return order_id, view.invoices[0]


def pay(
    stack: Stack,
    amount: Decimal,
    *,
    payer_name: str = "Becker Berlin",
    structured_reference: str = "",
    remittance_lines: tuple[str, ...] = (),
) -> None:
    stack.bank.add_credit(
        "ACME",
        amount,
        payer_name=payer_name,
        structured_reference=structured_reference,
        remittance_lines=remittance_lines,
    )
    stack.bank.end_day()


async def test_a_run_applies_a_payment_and_the_order_completes(api: ApiHarness) -> None:
    order_id, invoice = await billed(api)
    pay(api.stack, invoice.amount_due.amount, structured_reference=invoice.billing_document)

    response = await api.http.post("/cash/run")

    assert response.status_code == 200, response.text
    body = response.json()
    assert [a["billing_document"] for a in body["applied"]] == [invoice.billing_document]
    assert body["orders_signalled"] == [f"order-{order_id}"]
    view = await until(api.http, order_id, lambda v: v.status is OrderStatus.COMPLETED)
    assert [p.billing_document for p in view.payments] == [invoice.billing_document]
    assert api.stack.erp.open_receivables_now() == []

    again = await api.http.post("/cash/run")
    assert again.status_code == 200
    assert again.json()["applied"] == [] and again.json()["credits"] == 0


async def test_unapplied_cash_is_listed_and_applied_by_an_ops_decision(api: ApiHarness) -> None:
    order_id, invoice = await billed(api)
    pay(api.stack, invoice.amount_due.amount, remittance_lines=("PAYMENT",), payer_name="Unknown")
    assert (await api.http.post("/cash/run")).json()["applied"] == []

    listed = await api.http.get("/cash/unapplied")

    assert listed.status_code == 200
    (item,) = listed.json()
    assert Decimal(item["amount"]) == invoice.amount_due.amount
    assert item["payer_name"] == "Unknown" and item["remittance"] == "PAYMENT"
    assert item["state"] == "open" and item["reason"]

    not_open = await api.http.post(
        f"/cash/unapplied/{item['id']}/apply", json={"invoices": ["0099999999"]}
    )
    assert not_open.status_code == 422, not_open.text
    assert "0099999999" in not_open.json()["detail"]

    decided = await api.http.post(
        f"/cash/unapplied/{item['id']}/apply", json={"invoices": [invoice.billing_document]}
    )
    assert decided.status_code == 200, decided.text
    assert [a["billing_document"] for a in decided.json()["applied"]] == [invoice.billing_document]
    await until(api.http, order_id, lambda v: v.status is OrderStatus.COMPLETED)
    assert (await api.http.get("/cash/unapplied")).json() == []
    (done,) = (await api.http.get("/cash/unapplied", params={"state": "applied"})).json()
    assert done["applied_to"] == [invoice.billing_document]

    twice = await api.http.post(
        f"/cash/unapplied/{item['id']}/apply", json={"invoices": [invoice.billing_document]}
    )
    assert twice.status_code == 409, twice.text
    assert len(api.stack.erp.clearings) == 1


async def test_bad_decisions_get_a_clear_4xx(api: ApiHarness) -> None:
    unknown = await api.http.post("/cash/unapplied/999/apply", json={"invoices": ["0090000001"]})
    assert unknown.status_code == 404
    assert "999" in unknown.json()["detail"]

    bodies: list[dict[str, Any]] = [
        {"invoices": []},
        {"invoices": ["90 000"]},
        {},
        {"invoices": "0090000001"},
    ]
    for body in bodies:
        response = await api.http.post("/cash/unapplied/1/apply", json=body)
        assert response.status_code == 422, (body, response.text)

    bad_json = await api.http.post(
        "/cash/unapplied/1/apply",
        content=b'{"invoices": [',
        headers={"Content-Type": "application/json"},
    )
    assert bad_json.status_code == 400
    assert (
        await api.http.post("/cash/unapplied/0/apply", json={"invoices": ["1"]})
    ).status_code == 422
    assert (
        await api.http.post("/cash/unapplied/x/apply", json={"invoices": ["1"]})
    ).status_code == 422


async def test_the_schedule_runs_cash_application_and_follows_the_settings(
    dev_server_env: WorkflowEnvironment, stack: Stack
) -> None:
    client = dev_server_env.client
    temporal = TemporalSettings(
        task_queue=stack.task_queue,
        erp_task_queue=stack.task_queue,
        erp_lookup_task_queue=stack.task_queue,
    )
    account = "ACME"
    schedule_id = await ensure_cash_schedule(client, temporal, account, timedelta(minutes=5))
    handle = client.get_schedule_handle(schedule_id)
    try:
        assert schedule_id == cash_schedule_id(account)
        # Started again with another interval, the schedule is updated, not duplicated.
        await ensure_cash_schedule(client, temporal, account, timedelta(minutes=2))
        described = await handle.describe()
        (interval,) = described.schedule.spec.intervals
        assert interval == ScheduleIntervalSpec(every=timedelta(minutes=2))

        await handle.trigger()
        for _ in range(100):
            described = await handle.describe()
            if described.info.recent_actions:
                break
            await asyncio.sleep(0.1)
        (action,) = described.info.recent_actions
        started = action.action
        assert isinstance(started, ScheduleActionExecutionStartWorkflow)
        run = client.get_workflow_handle(started.workflow_id)
        result = await run.result()
        assert (await run.describe()).workflow_type == CASH_APPLICATION_WORKFLOW
        assert result["statements"] == 0
        assert stack.bank.asked == [(account, None)]
    finally:
        await handle.delete()
