"""Webhook delivery (at least once, in order, 4xx stops) and fault injection."""

import time
from pathlib import Path

import httpx

from tests.sandbox.harness import (
    ADDRESS,
    SandboxUnderTest,
    eventually,
    fast_settings,
    open_sandbox,
    reservation_body,
)


async def start_floor(sandbox: SandboxUnderTest, shipment_id: str, order_id: str = "O1") -> None:
    reserved = await sandbox.client.put(
        f"/wms/reservations/{shipment_id}", json=reservation_body(order_id=order_id)
    )
    assert reserved.status_code == 201
    released = await sandbox.client.post(
        f"/wms/reservations/{shipment_id}/release", json={"ship_to": ADDRESS}
    )
    assert released.status_code == 200


async def test_delivery_is_retried_until_the_api_answers(running: SandboxUnderTest) -> None:
    running.receiver.respond_next(
        httpx.ConnectError("connection refused"), 503, httpx.ReadTimeout("slow"), 500
    )
    await start_floor(running, "O1-S1")

    await running.wait_for_kinds("O1-S1", ["picked", "packed"])

    rows = await running.events(shipment_id="O1-S1")
    assert [(r["kind"], r["status"], r["attempts"]) for r in rows] == [
        ("picked", "sent", 5),
        ("packed", "sent", 1),
    ]
    # The same bytes every time: one event id however often it was tried.
    assert len({e.event_id for e in running.receiver.events}) == 2


async def test_events_of_a_shipment_wait_for_the_one_before(tmp_path: Path) -> None:
    async with open_sandbox(fast_settings(tmp_path, retry_initial=5, retry_max=10)) as sandbox:
        sandbox.receiver.respond_next(503)
        await start_floor(sandbox, "O1-S1")
        t = time.time() + 100

        await sandbox.dispatcher.run_once(now=t)  # picked applied, delivery fails
        await sandbox.dispatcher.run_once(now=t + 1)  # packed applied; picked backs off

        assert [(r["kind"], r["status"]) for r in await sandbox.events()] == [
            ("picked", "pending"),
            ("packed", "pending"),
        ]
        assert sandbox.receiver.kinds() == []
        await sandbox.dispatcher.run_once(now=t + 60)
        assert sandbox.receiver.kinds() == ["picked"]
        await sandbox.dispatcher.run_once(now=t + 60)
        assert sandbox.receiver.kinds() == ["picked", "packed"]


async def test_a_4xx_stops_retrying_that_event_only(sandbox: SandboxUnderTest) -> None:
    sandbox.receiver.respond_next(404)
    await start_floor(sandbox, "O1-S1")
    t = time.time() + 100

    for step in range(4):
        await sandbox.dispatcher.run_once(now=t + 100 * step)

    rows = await sandbox.events()
    assert [(r["kind"], r["status"], r["attempts"], r["last_status_code"]) for r in rows] == [
        ("picked", "rejected", 1, 404),
        ("packed", "sent", 1, 200),
    ]
    assert "scripted 404" in rows[0]["last_response"]
    assert sandbox.receiver.kinds() == ["packed"]


async def test_a_bad_signature_is_a_4xx_and_not_retried(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path, wms_secret="not-what-the-receiver-expects")
    async with open_sandbox(settings) as sandbox:
        sandbox.receiver.secrets = {"wms": "dev-wms-secret", "carrier": "dev-carrier-secret"}
        await start_floor(sandbox, "O1-S1")

        await sandbox.dispatcher.run_once(now=time.time() + 100)

        row = (await sandbox.events())[0]
        assert (row["kind"], row["status"], row["last_status_code"]) == ("picked", "rejected", 401)
        assert sandbox.receiver.bad_signatures == 1


async def test_undeliverable_events_are_given_up_after_a_long_time(tmp_path: Path) -> None:
    async with open_sandbox(fast_settings(tmp_path, retry_give_up_after=3600)) as sandbox:
        sandbox.receiver.respond_next(*[503] * 10)
        await start_floor(sandbox, "O1-S1")
        t = time.time() + 100

        await sandbox.dispatcher.run_once(now=t)
        await sandbox.dispatcher.run_once(now=t + 1800)
        assert (await sandbox.events())[0]["status"] == "pending"
        await sandbox.dispatcher.run_once(now=t + 3600)

        row = (await sandbox.events())[0]
        assert (row["kind"], row["status"], row["attempts"]) == ("picked", "failed", 3)


async def test_duplicate_event_rate_sends_the_same_event_twice(tmp_path: Path) -> None:
    async with open_sandbox(
        fast_settings(tmp_path, duplicate_event_rate=1.0), run_dispatcher=True
    ) as sandbox:
        await start_floor(sandbox, "O1-S1")

        await sandbox.wait_for_kinds("O1-S1", ["picked", "picked", "packed", "packed"])

        events = sandbox.receiver.events
        assert events[0] == events[1]
        assert sandbox.receiver.deliveries[0].body == sandbox.receiver.deliveries[1].body
        assert [r["duplicates_sent"] for r in await sandbox.events()] == [1, 1]


async def test_events_endpoint_filters_by_order(sandbox: SandboxUnderTest) -> None:
    await start_floor(sandbox, "O1-S1", order_id="O1")
    await start_floor(sandbox, "O2-S1", order_id="O2")

    rows = await sandbox.events(order_id="O2")

    assert [(r["order_id"], r["shipment_id"], r["kind"]) for r in rows] == [
        ("O2", "O2-S1", "picked")
    ]
    assert rows[0]["status"] == "scheduled"
    assert rows[0]["due_at"].endswith("+00:00")


async def test_dispatcher_starts_and_stops_with_the_lifespan(sandbox: SandboxUnderTest) -> None:
    assert (await sandbox.client.get("/health")).json() == {
        "status": "ok",
        "dispatcher_running": False,
    }
    async with sandbox.app.router.lifespan_context(sandbox.app):
        assert sandbox.dispatcher.running
        await start_floor(sandbox, "O1-S1")
        await sandbox.wait_for_kinds("O1-S1", ["picked", "packed"])
    assert not sandbox.dispatcher.running


# -- fault injection --


async def test_error_rate_fails_api_calls_but_not_stock_or_health(tmp_path: Path) -> None:
    async with open_sandbox(fast_settings(tmp_path, error_rate=1.0)) as sandbox:
        client = sandbox.client
        reserve = await client.put("/wms/reservations/O1-S1", json=reservation_body())
        label = await client.get("/carrier/labels/O1-S1")

        assert reserve.status_code == label.status_code == 503
        assert reserve.json()["detail"]["code"] == "INJECTED_FAULT"
        assert (await client.get("/wms/stock")).status_code == 200
        assert (await client.put("/wms/stock", json=[])).status_code == 200
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/sandbox/events")).status_code == 200
        assert (await client.get("/wms/reservations/O1-S1")).status_code == 503


async def test_faults_can_be_changed_at_run_time(sandbox: SandboxUnderTest) -> None:
    client = sandbox.client
    changed = await client.put("/sandbox/faults", json={"error_rate": 1.0, "latency_ms": 30})
    assert changed.json() == {"latency_ms": 30, "error_rate": 1.0, "duplicate_event_rate": 0.0}

    started = time.monotonic()
    failed = await client.get("/wms/reservations/O1-S1")
    assert failed.status_code == 503
    assert time.monotonic() - started >= 0.03

    await client.put("/sandbox/faults", json={"error_rate": 0})
    assert (await client.get("/wms/reservations/O1-S1")).status_code == 404
    assert (await client.put("/sandbox/faults", json={"error_rate": 2})).status_code == 422


async def test_partial_error_rate_fails_some_calls(tmp_path: Path) -> None:
    async with open_sandbox(fast_settings(tmp_path, error_rate=0.5)) as sandbox:
        codes = [(await sandbox.client.get("/carrier/labels/NONE")).status_code for _ in range(40)]

    assert set(codes) == {404, 503}


async def test_eventually_fails_loudly() -> None:
    try:
        await eventually(lambda: False, within=0.02)
    except AssertionError as exc:
        assert "0.02" in str(exc)
    else:
        raise AssertionError("eventually() returned for a condition that never held")


async def test_an_event_that_cannot_be_applied_fails_alone(sandbox: SandboxUnderTest) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("applier bug")

    await start_floor(sandbox, "O1-S1")
    await start_floor(sandbox, "O2-S1", order_id="O2")
    rows = await sandbox.events()
    # Break the picked applier for the first shipment only.
    good = sandbox.dispatcher.appliers["wms", "picked"]
    sandbox.dispatcher.appliers["wms", "picked"] = lambda session, row, now: (
        broken() if row.shipment_id == "O1-S1" else good(session, row, now)
    )

    await sandbox.dispatcher.run_once(now=time.time() + 100)

    after = {r["id"]: r for r in await sandbox.events()}
    assert after[rows[0]["id"]]["status"] == "failed"
    assert "applier bug" in after[rows[0]["id"]]["last_response"]
    assert after[rows[1]["id"]]["status"] == "sent"
    status = (await sandbox.client.get("/wms/reservations/O1-S1")).json()["status"]
    assert status == "RELEASED"  # the failed change was rolled back
