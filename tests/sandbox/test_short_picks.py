"""Short picks: armed by the operator, spent by the next pick, reported in the events."""

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox.harness import (
    ADDRESS,
    SandboxUnderTest,
    fast_settings,
    open_sandbox,
    reservation_body,
)


async def arm(sandbox: SandboxUnderTest, sku: str, quantity: int, **extra: Any) -> dict[str, Any]:
    response = await sandbox.client.post(
        "/wms/short-picks", json={"sku": sku, "quantity": quantity, **extra}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def to_floor(
    sandbox: SandboxUnderTest,
    shipment_id: str,
    lines: list[tuple[str, int]],
    warehouse: str = "W1",
) -> None:
    """Reserve and release a shipment; the pick is the next dispatcher step."""
    body = reservation_body(order_id=shipment_id.split("-")[0], warehouse=warehouse, lines=lines)
    reserved = await sandbox.client.put(f"/wms/reservations/{shipment_id}", json=body)
    assert reserved.status_code == 201, reserved.text
    released = await sandbox.client.post(
        f"/wms/reservations/{shipment_id}/release", json={"ship_to": ADDRESS}
    )
    assert released.status_code == 200


async def reservation(sandbox: SandboxUnderTest, shipment_id: str) -> dict[str, Any]:
    return dict((await sandbox.client.get(f"/wms/reservations/{shipment_id}")).json())


async def stock(sandbox: SandboxUnderTest, warehouse: str, sku: str) -> tuple[int, int]:
    rows = (await sandbox.client.get("/wms/stock", params={"sku": sku})).json()
    [row] = [r for r in rows if r["warehouse"] == warehouse]
    return row["on_hand"], row["available"]


def lines_of(sandbox: SandboxUnderTest, kind: str, shipment_id: str) -> list[tuple[int, str, int]]:
    [event] = [
        e for e in sandbox.receiver.events if e.kind == kind and e.shipment_id == shipment_id
    ]
    return [(line.line_no, line.sku, int(line.quantity)) for line in event.lines]


# -- the rules --


async def test_rules_are_armed_listed_and_cleared(sandbox: SandboxUnderTest) -> None:
    anywhere = await arm(sandbox, "TG11", 3)
    in_w2 = await arm(sandbox, "TG12", 1, warehouse="W2")

    assert (anywhere["sku"], anywhere["quantity"], anywhere["warehouse"]) == ("TG11", 3, None)
    assert anywhere["created_at"].endswith("+00:00")
    assert in_w2["warehouse"] == "W2"
    listed = (await sandbox.client.get("/wms/short-picks")).json()
    assert listed == [anywhere, in_w2]

    cleared = await sandbox.client.delete("/wms/short-picks")

    assert cleared.status_code == 204
    assert (await sandbox.client.get("/wms/short-picks")).json() == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"sku": "TG11", "quantity": 0}, None),
        ({"sku": "TG11", "quantity": -2}, None),
        ({"sku": "TG11", "quantity": 1.5}, None),
        ({"sku": "TG11", "quantity": "3"}, None),
        ({"sku": "", "quantity": 3}, None),
        ({"quantity": 3}, None),
        ({"sku": "TG11", "quantity": 3, "shelf": "A1"}, None),
        ({"sku": "TG11", "quantity": 3, "warehouse": "W9"}, "UNKNOWN_WAREHOUSE"),
    ],
)
async def test_bad_rules_are_422_and_arm_nothing(
    sandbox: SandboxUnderTest, body: dict[str, Any], code: str | None
) -> None:
    response = await sandbox.client.post("/wms/short-picks", json=body)

    assert response.status_code == 422
    if code is not None:
        assert response.json()["detail"]["code"] == code
    assert (await sandbox.client.get("/wms/short-picks")).json() == []


async def test_the_controls_are_not_subject_to_injected_faults(tmp_path: Path) -> None:
    async with open_sandbox(fast_settings(tmp_path, error_rate=1.0)) as sandbox:
        assert (
            await sandbox.client.post("/wms/short-picks", json={"sku": "A", "quantity": 1})
        ).status_code == 201
        assert (await sandbox.client.get("/wms/short-picks")).status_code == 200
        assert (await sandbox.client.delete("/wms/short-picks")).status_code == 204


# -- the floor --


async def test_a_short_pick_gives_the_rest_back_and_ships_what_was_picked(
    sandbox: SandboxUnderTest,
) -> None:
    await arm(sandbox, "TG11", 3, warehouse="W1")
    await to_floor(sandbox, "O1-S1", [("TG11", 5), ("TG12", 2)])
    assert await stock(sandbox, "W1", "TG11") == (500, 495)

    await sandbox.step()  # picked

    assert lines_of(sandbox, "picked", "O1-S1") == [(10, "TG11", 2), (20, "TG12", 2)]
    picked = sandbox.receiver.events[-1]
    assert picked.detail == "picked 4 of 7 units in W1; short: TG11 3"
    # The shelf had 3 fewer than the books said: the count is corrected at once.
    assert await stock(sandbox, "W1", "TG11") == (497, 495)
    assert await stock(sandbox, "W1", "TG12") == (500, 498)
    res = await reservation(sandbox, "O1-S1")
    assert res["status"] == "PICKED"
    assert [(line["quantity"], line["picked"]) for line in res["lines"]] == [(5, 2), (2, 2)]
    assert (await sandbox.client.get("/wms/short-picks")).json() == []  # spent

    await sandbox.step()  # packed; waits for its label
    label = {"carrier": "SANDBOX-PARCEL", "tracking_number": "1ZSBX0000000042"}
    await sandbox.client.put("/wms/reservations/O1-S1/label", json=label)
    await sandbox.step()  # shipped

    assert sandbox.receiver.kinds("O1-S1") == ["picked", "packed", "shipped"]
    shipped = sandbox.receiver.events[-1]
    assert shipped.tracking_number == "1ZSBX0000000042"
    assert lines_of(sandbox, "shipped", "O1-S1") == [(10, "TG11", 2), (20, "TG12", 2)]
    assert await stock(sandbox, "W1", "TG11") == (495, 495)
    assert await stock(sandbox, "W1", "TG12") == (498, 498)


async def test_a_full_pick_reports_the_reserved_quantities(sandbox: SandboxUnderTest) -> None:
    await to_floor(sandbox, "O1-S1", [("TG11", 5), ("TG21", 1)])

    await sandbox.step()

    assert lines_of(sandbox, "picked", "O1-S1") == [(10, "TG11", 5), (20, "TG21", 1)]
    assert sandbox.receiver.events[-1].detail == "picked 6 units in W1"


async def test_a_rule_is_spent_by_one_pick_and_rules_go_oldest_first(
    sandbox: SandboxUnderTest,
) -> None:
    await arm(sandbox, "TG11", 1)
    await arm(sandbox, "TG11", 4)
    for n in (1, 2, 3):
        await to_floor(sandbox, f"O{n}-S1", [("TG11", 5)])
        await sandbox.step()

    assert [lines_of(sandbox, "picked", f"O{n}-S1")[0][2] for n in (1, 2, 3)] == [4, 1, 5]


async def test_a_rule_for_another_warehouse_waits_for_a_pick_there(
    sandbox: SandboxUnderTest,
) -> None:
    await arm(sandbox, "TG11", 2, warehouse="W2")
    await to_floor(sandbox, "O1-S1", [("TG11", 5)], warehouse="W1")
    await sandbox.step()
    await to_floor(sandbox, "O2-S1", [("TG11", 5)], warehouse="W2")
    await sandbox.step()

    assert lines_of(sandbox, "picked", "O1-S1") == [(10, "TG11", 5)]
    assert lines_of(sandbox, "picked", "O2-S1") == [(10, "TG11", 3)]
    assert await stock(sandbox, "W2", "TG11") == (198, 195)


async def test_a_rule_for_a_sku_not_picked_stays_armed(sandbox: SandboxUnderTest) -> None:
    await arm(sandbox, "TG99", 2)
    await to_floor(sandbox, "O1-S1", [("TG11", 5)])

    await sandbox.step()

    assert [r["sku"] for r in (await sandbox.client.get("/wms/short-picks")).json()] == ["TG99"]


async def test_the_shortfall_is_spread_over_lines_of_the_same_sku(
    sandbox: SandboxUnderTest,
) -> None:
    await arm(sandbox, "TG11", 4)
    await to_floor(sandbox, "O1-S1", [("TG11", 2), ("TG12", 1), ("TG11", 3)])

    await sandbox.step()

    assert lines_of(sandbox, "picked", "O1-S1") == [
        (10, "TG11", 0),
        (20, "TG12", 1),
        (30, "TG11", 1),
    ]
    assert await stock(sandbox, "W1", "TG11") == (496, 495)


async def test_a_shortfall_larger_than_the_line_picks_none_of_it(sandbox: SandboxUnderTest) -> None:
    await arm(sandbox, "TG11", 50)
    await to_floor(sandbox, "O1-S1", [("TG11", 5), ("TG12", 2)])

    await sandbox.step(2)

    assert lines_of(sandbox, "picked", "O1-S1") == [(10, "TG11", 0), (20, "TG12", 2)]
    assert (await reservation(sandbox, "O1-S1"))["status"] == "PACKED"
    assert await stock(sandbox, "W1", "TG11") == (495, 495)


async def test_nothing_picked_cancels_the_reservation_after_the_picked_event(
    sandbox: SandboxUnderTest,
) -> None:
    await arm(sandbox, "TG11", 5)
    await arm(sandbox, "TG12", 9)
    await to_floor(sandbox, "O1-S1", [("TG11", 5), ("TG12", 2)])
    await sandbox.client.put(
        "/wms/reservations/O1-S1/label", json={"carrier": "C", "tracking_number": "T1"}
    )

    await sandbox.step(3)

    assert sandbox.receiver.kinds("O1-S1") == ["picked"]
    assert lines_of(sandbox, "picked", "O1-S1") == [(10, "TG11", 0), (20, "TG12", 0)]
    assert sandbox.receiver.events[-1].detail == (
        "picked 0 of 7 units in W1; short: TG11 5, TG12 2; nothing to ship, reservation cancelled"
    )
    assert [(r["kind"], r["status"]) for r in await sandbox.events()] == [("picked", "sent")]
    assert (await reservation(sandbox, "O1-S1"))["status"] == "CANCELLED"
    assert await stock(sandbox, "W1", "TG11") == (495, 495)
    assert await stock(sandbox, "W1", "TG12") == (498, 498)
    relabel = await sandbox.client.put(
        "/wms/reservations/O1-S1/label", json={"carrier": "C", "tracking_number": "T1"}
    )
    assert relabel.json()["detail"]["code"] == "RESERVATION_CANCELLED"
    # The saga may reserve again once stock is found.
    again = await sandbox.client.put("/wms/reservations/O1-S1", json=reservation_body())
    assert again.status_code == 201
    assert again.json()["lines"][0]["picked"] is None


async def test_recalled_after_a_short_pick_it_holds_and_repicks_only_what_was_picked(
    sandbox: SandboxUnderTest,
) -> None:
    await arm(sandbox, "TG11", 3)
    await to_floor(sandbox, "O1-S1", [("TG11", 5)])
    await sandbox.step()

    recalled = await sandbox.client.post("/wms/reservations/O1-S1/recall")
    assert recalled.json()["status"] == "RESERVED"
    assert await stock(sandbox, "W1", "TG11") == (497, 495)
    await sandbox.client.post("/wms/reservations/O1-S1/release", json={"ship_to": ADDRESS})
    await sandbox.step()

    picks = [e for e in sandbox.receiver.events if e.kind == "picked"]
    assert [int(e.lines[0].quantity) for e in picks] == [2, 2]
    assert picks[1].detail == "picked 2 units in W1"


async def test_short_pick_in_real_time_to_delivery(running: SandboxUnderTest) -> None:
    client = running.client
    await arm(running, "TG11", 1)
    label = (
        await client.put(
            "/carrier/labels/O1-S1",
            json={"order_id": "O1", "ship_from": "W1", "ship_to": ADDRESS, "weight_kg": "2"},
        )
    ).json()
    await to_floor(running, "O1-S1", [("TG11", 5)])
    await client.put(
        "/wms/reservations/O1-S1/label",
        json={"carrier": label["carrier"], "tracking_number": label["tracking_number"]},
    )

    await running.wait_for_kinds(
        "O1-S1", ["picked", "packed", "shipped", "in_transit", "delivered"]
    )

    assert lines_of(running, "picked", "O1-S1") == [(10, "TG11", 4)]
    assert lines_of(running, "shipped", "O1-S1") == [(10, "TG11", 4)]
    assert await stock(running, "W1", "TG11") == (495, 495)


async def test_a_database_from_before_short_picks_is_upgraded(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path)
    path = settings.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as db:  # the line table as the previous sandbox made it
        db.execute(
            "CREATE TABLE sandbox_reservation_line (id INTEGER PRIMARY KEY, shipment_id VARCHAR"
            " NOT NULL, line_no INTEGER NOT NULL, sku VARCHAR NOT NULL, quantity INTEGER NOT"
            " NULL, uom VARCHAR NOT NULL)"
        )
        db.execute(
            "INSERT INTO sandbox_reservation_line (shipment_id, line_no, sku, quantity, uom)"
            " VALUES ('OLD-S1', 10, 'TG11', 4, 'PC')"
        )

    async with open_sandbox(settings) as sandbox:
        await arm(sandbox, "TG11", 1)
        await to_floor(sandbox, "O1-S1", [("TG11", 5)])
        await sandbox.step()

        assert lines_of(sandbox, "picked", "O1-S1") == [(10, "TG11", 4)]
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT shipment_id, quantity, picked FROM sandbox_reservation_line ORDER BY id"
        ).fetchall()
    assert rows == [("OLD-S1", 4, None), ("O1-S1", 5, 4)]
