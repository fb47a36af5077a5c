"""The partner judges us: mock-edi, as a buyer, places three purchase orders with
Ordermesh over AS2 (one that ships split, one with a backordered line, one plain), and
reads our 997s, 855s, 856s and 810s against its own orders. It must find nothing to
disagree with and no syntax fault. What SAP holds is read from mock-sap."""

import asyncio
import time
import uuid
from typing import Any

import pytest

from sandbox.edi_partner import BUYER_PART_FOR_TG12, SUPPLIER_ID
from tests.e2e.conftest import RunningStack
from tests.e2e.test_order_to_cash_e2e import sap_orders_with_po

pytestmark = pytest.mark.e2e

STOCK = [
    {"warehouse": "W1", "sku": "TG11", "on_hand": 500},
    {"warehouse": "W1", "sku": "TG12", "on_hand": 500},
    {"warehouse": "W2", "sku": "TG13", "on_hand": 50},
]  # TG14 nowhere: it waits for a receipt


def line(sku: str, quantity: int, uom: str, price: str) -> dict[str, str]:
    return {"sku": sku, "quantity": str(quantity), "uom": uom, "price": price}


async def purchase(e2e: RunningStack, po: str, lines: list[dict[str, str]]) -> None:
    response = await e2e.edi.post(
        "/_mock/purchase",
        json={
            "partner": SUPPLIER_ID,
            "po_number": po,
            "requested_on": "2026-12-20",
            "lines": lines,
        },
    )
    assert response.status_code == 201, response.text


async def placed(e2e: RunningStack, po: str) -> dict[str, Any]:
    response = await e2e.edi.get(f"/_mock/orders/{po}", params={"partner": SUPPLIER_ID})
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    return order


async def until_billed(e2e: RunningStack, po: str, seconds: float = 120) -> dict[str, Any]:
    """Until the buyer holds every line confirmed, shipped and invoiced in full."""
    deadline = time.monotonic() + seconds
    order: dict[str, Any] = {}
    while time.monotonic() < deadline:
        order = await placed(e2e, po)
        if order["lines"] and all(
            line["quantity"] == line["confirmed"] == line["shipped"] == line["invoiced"]
            for line in order["lines"]
        ):
            return order
        await asyncio.sleep(0.5)
    raise AssertionError(f"PO {po} never billed in full: {order}\n{e2e.log_tail()}")


async def until_acknowledged(
    e2e: RunningStack, po: str, documents: int, seconds: float = 30
) -> list[dict[str, Any]]:
    """Our archive's documents for the PO, once the partner's 997 has come back for
    each (the last one may still be on its way when the buyer has filed it)."""
    deadline = time.monotonic() + seconds
    while True:
        archive = await e2e.ops.get("/partners/MOCKEDI/documents", params={"limit": 1000})
        ours = [
            d
            for d in archive.json()
            if d["direction"] == "out" and d["reference"].startswith(f"EDI-MOCKEDI-{po}:")
        ]
        if len(ours) == documents and {d["status"] for d in ours} == {"acknowledged"}:
            return ours
        assert time.monotonic() < deadline, ours
        await asyncio.sleep(0.5)


async def received_from_us(e2e: RunningStack, po: str) -> list[dict[str, Any]]:
    response = await e2e.edi.get("/_mock/documents", params={"partner": SUPPLIER_ID})
    response.raise_for_status()
    return [
        d
        for d in response.json()
        if d["direction"] == "in" and d["reference"] in (po, "") and d["code"] != "997"
    ]


async def test_a_buyer_places_three_orders_and_finds_nothing_to_disagree_with(
    e2e: RunningStack, layout: Any
) -> None:
    await layout(STOCK)
    run = uuid.uuid4().int % 10**6
    plain, split, backordered = (f"45{kind}{run:06d}" for kind in ("10", "20", "30"))
    # 2 cases of the buyer's part number for TG12 (a case is 12 PC), and TG11 by ours.
    await purchase(
        e2e,
        plain,
        [line("TG11", 5, "EA", "95.00"), line(BUYER_PART_FOR_TG12, 2, "CA", "1794.00")],
    )
    await purchase(e2e, split, [line("TG11", 3, "EA", "95.00"), line("TG13", 4, "EA", "80.00")])
    await purchase(
        e2e, backordered, [line("TG11", 2, "EA", "95.00"), line("TG14", 6, "EA", "60.00")]
    )

    await until_billed(e2e, plain)
    await until_billed(e2e, split)
    # The backordered line was acknowledged IB, at the full quantity; stock arrives.
    deadline = time.monotonic() + 60
    while (await placed(e2e, backordered))["lines"][0]["shipped"] == "0":
        assert time.monotonic() < deadline, e2e.log_tail()
        await asyncio.sleep(0.5)
    receipt = await e2e.sandbox.post(
        "/wms/receipts", json={"warehouse": "W1", "sku": "TG14", "quantity": 20}
    )
    assert receipt.status_code in (200, 201, 202), receipt.text
    await until_billed(e2e, backordered)

    for po, shipments in ((plain, 1), (split, 2), (backordered, 2)):
        disagreements = await e2e.edi.get(
            "/_mock/disagreements", params={"partner": SUPPLIER_ID, "po": po}
        )
        assert disagreements.json() == [], (po, disagreements.json())
        documents = await received_from_us(e2e, po)
        kinds = sorted(d["code"] for d in documents if d["reference"] == po)
        assert kinds == sorted(["855"] + ["856"] * shipments + ["810"] * shipments), (po, kinds)
        assert all(d["accepted"] and d["findings"] == [] for d in documents), documents
        # Every document of ours was acknowledged by the partner's 997.
        view = await e2e.ops.get(f"/orders/EDI-MOCKEDI-{po}")
        assert view.status_code == 200, view.text
        ours = await until_acknowledged(e2e, po, 1 + 2 * shipments)
        assert {d["document_type"] for d in ours} == {"855", "856", "810"}

    # Cross-references and units reached SAP: 2 CA of the buyer's part are 24 PC of TG12.
    [sales_order] = await sap_orders_with_po(e2e, plain)
    items = {i["Material"]: i for i in sales_order["to_Item"]["results"]}
    assert float(items["TG12"]["RequestedQuantity"]) == 24
    assert items["TG12"]["RequestedQuantityUnit"] == "PC"


async def test_the_same_interchange_sent_again_is_refused_as_a_duplicate(
    e2e: RunningStack,
) -> None:
    po = f"4540{uuid.uuid4().int % 10**6:06d}"
    await purchase(e2e, po, [line("TG11", 1, "EA", "95.00")])
    await until_billed(e2e, po)
    outbox = (await e2e.edi.get("/_mock/outbox")).json()
    [sent] = [o for o in outbox if o["code"] == "850" and o["reference"] == po]

    resent = await e2e.edi.post(f"/_mock/outbox/{sent['id']}/resend")
    assert resent.status_code in (200, 201, 202), resent.text
    # The same bytes, the same control number: our MDN says it was received before.
    deadline = time.monotonic() + 30
    while True:
        outbox = (await e2e.edi.get("/_mock/outbox")).json()
        [again] = [o for o in outbox if o["id"] == sent["id"]]
        if again["note"] != sent["note"]:
            break
        assert time.monotonic() < deadline, again
        await asyncio.sleep(0.5)
    assert "processed/error" in again["note"] and "received before" in again["note"], again
    assert len(await sap_orders_with_po(e2e, po)) == 1
