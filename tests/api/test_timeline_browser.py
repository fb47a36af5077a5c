"""The timeline page in a real browser: headless Chromium (Debian's, `make chromium`)
loads it over HTTP from the app served by uvicorn, for an order that really ran on
the dev server: split over two warehouses, one shipment labelled, then cancelled, so
its compensations ran. The page must match the order's JSON view, look the part
(compensations styled apart), and a screenshot is kept (`tmp_path`, and
/tmp/timeline.png to look at)."""

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.async_api import async_playwright
from temporalio.testing import WorkflowEnvironment

from adapters.erp.fake import DEFAULT_PRODUCTS, FakeErp
from adapters.erp.port import ErpProduct
from adapters.wms.fake import FakeWms
from canonical.statuses import OrderStatus, ShipmentStatus
from canonical.view import OrderView
from tests.api.support import AppFactory, new_key, order_body, send
from tests.api.test_access import API_KEYS, KEYS, OPS, PORTAL_OWN, SUPPORT, auth
from tests.workflows.support import Stack, running_stack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_COPY = Path("/tmp/timeline.png")
UNDONE = {"void_label", "recall_from_warehouse", "release_inventory", "cancel_sales_order"}


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium; the test fails (not skips) without it: `make test` installs it."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's package")
    return CHROMIUM


@pytest.fixture
async def stack(dev_server_env: WorkflowEnvironment) -> AsyncIterator[Stack]:
    """No warehouse holds the whole order: TG11 and TG12 are in W1, TG13 in W2 only,
    and TG14 nowhere (a backorder)."""
    products = [
        *DEFAULT_PRODUCTS,
        ErpProduct(sku="TG13", description="Docking station", base_unit="PC"),
        ErpProduct(sku="TG14", description="Power supply", base_unit="PC"),
    ]
    wms = FakeWms(on_hand={("W1", "TG11"): 10, ("W1", "TG12"): 10, ("W2", "TG13"): 10})
    async with running_stack(dev_server_env.client, erp=FakeErp(products=products), wms=wms) as s:
        yield s


async def view_until(
    http: httpx.AsyncClient, order_id: str, check: Any, seconds: float = 20
) -> OrderView:
    """Poll `GET /orders/{id}` (as ops) until `check(view)` holds."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        response = await http.get(f"/orders/{order_id}", headers=auth(OPS))
        assert response.status_code == 200, response.text
        view = OrderView.model_validate(response.json())
        if check(view):
            return view
        assert asyncio.get_running_loop().time() < deadline, view.model_dump_json(indent=1)
        await asyncio.sleep(0.05)


async def split_then_cancelled(http: httpx.AsyncClient) -> OrderView:
    """Run the order: two shipments released, S1 packed and labelled, then ops cancel
    it, which voids S1's label, recalls both, releases the stock and cancels the
    sales order."""
    lines = [
        {"sku": "TG11", "quantity": 5, "uom": "PC"},
        {"sku": "TG12", "quantity": 2, "uom": "PC"},
        {"sku": "TG13", "quantity": 4, "uom": "PC"},
        {"sku": "TG14", "quantity": 1, "uom": "PC"},
    ]
    submitted = await http.post(
        "/orders",
        json=order_body(lines=lines),
        headers={"Idempotency-Key": new_key(), **auth(PORTAL_OWN)},
    )
    assert submitted.status_code == 201, submitted.text
    order_id: str = submitted.json()["order_id"]
    view = await view_until(
        http,
        order_id,
        lambda v: (
            len(v.shipments) == 2 and all(s.status is ShipmentStatus.RELEASED for s in v.shipments)
        ),
    )
    first = view.shipments[0].shipment_id
    await send(http, order_id, "packed", shipment_id=first)
    await view_until(http, order_id, lambda v: v.shipments[0].status is ShipmentStatus.LABELLED)
    cancelled = await http.post(f"/orders/{order_id}/cancel", headers=auth(OPS))
    assert cancelled.status_code == 202, cancelled.text
    return await view_until(http, order_id, lambda v: v.status is OrderStatus.CANCELLED)


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The app on a free 127.0.0.1 port; its lifespan is already running (the
    harness entered it), so uvicorn must not run it again."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not task.done(), "uvicorn stopped before it started"
            await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_the_page_of_a_split_cancelled_order_in_chromium(
    make_api: AppFactory, chromium: Path, tmp_path: Path
) -> None:
    async with make_api(real_auth=True, api_keys=API_KEYS) as api:
        view = await split_then_cancelled(api.http)
        order_id = view.order_id
        lane_ids = [s.shipment_id for s in view.shipments]
        async with served(api.app) as base, async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(chromium), args=CHROMIUM_ARGS
            )
            try:
                context = await browser.new_context(
                    extra_http_headers={"Authorization": f"Bearer {KEYS[SUPPORT]}"},
                    viewport={"width": 1280, "height": 900},
                )
                page = await context.new_page()
                requested: list[str] = []
                page.on("request", lambda request: requested.append(request.url))
                url = f"{base}/orders/{order_id}/timeline.html"
                response = await page.goto(url)
                assert response is not None and response.status == 200, await page.content()
                dom = await page.evaluate(READ_DOM)
                shot = tmp_path / "timeline.png"
                await page.screenshot(path=str(shot), full_page=True)
            finally:
                await browser.close()

    shutil.copyfile(shot, SCREENSHOT_COPY)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    assert requested == [url], "the page must load nothing but itself"
    assert dom["scripts"] == 0
    assert dom["title"] == f"Order {order_id}"

    # One lane per shipment, each with the status and tracking number the API shows.
    assert [lane["id"] for lane in dom["lanes"]] == lane_ids
    for lane, shipment in zip(dom["lanes"], view.shipments, strict=True):
        assert lane["status"] == shipment.status.value
        assert lane["tracking"] == shipment.tracking_number
        assert shipment.warehouse in lane["text"]
    assert [s.warehouse for s in view.shipments] == ["W1", "W2"]
    assert view.shipments[0].tracking_number  # S1 was labelled before the cancel

    # Every compensation that ran is on the page, S1's label void in S1's lane.
    ran = [e.detail.split()[0] for e in view.timeline if e.kind == "COMPENSATED"]
    assert set(ran) >= UNDONE
    shown = sorted(c["label"] for c in dom["compensations"])
    assert shown == sorted(f"compensated: {step}" for step in ran)
    assert "compensated: void_label" in [
        c["label"] for c in dom["compensations"] if c["lane"] == lane_ids[0]
    ]
    # ... and drawn apart from ordinary steps.
    assert dom["compensation_border"] != dom["step_border"]

    # The cancel voided both shipments and the backordered line: nothing waits.
    assert [s.status for s in view.shipments] == [ShipmentStatus.VOIDED] * 2
    assert [(b.sku, b.state) for b in view.backorders] == [("TG14", "cancelled")]
    assert dom["waits"] == []
    assert dom["settled_backorders"] == ["cancelled"]

    # Every event of the order is on the page at its time, and the times are shown.
    stamps = {datetime.fromisoformat(t) for t in dom["times"]}
    assert {e.at for e in view.timeline} <= stamps
    assert dom["status"] == "CANCELLED"
    assert all(text.endswith("UTC") for text in dom["time_texts"])
    assert dom["steps"][0] == "RECEIVED" and dom["steps"][-1] == "CANCELLED"


# What the test reads from the rendered DOM, in one round trip.
READ_DOM = """() => {
  const q = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const border = (el) => el ? getComputedStyle(el).borderLeftColor : null;
  return {
    title: document.querySelector('h1').textContent,
    scripts: document.scripts.length,
    status: document.querySelector('header .badge').dataset.status,
    lanes: q('[data-lane]').map((lane) => ({
      id: lane.dataset.lane,
      status: lane.dataset.status,
      tracking: (lane.querySelector('.tracking') || {textContent: ''}).textContent,
      text: lane.innerText,
    })),
    compensations: q('.compensation').map((el) => ({
      label: el.querySelector('.kind').textContent,
      lane: el.closest('[data-lane]') ? el.closest('[data-lane]').dataset.lane : '',
    })),
    waits: q('.waiting .wait').map((el) => el.dataset.wait),
    settled_backorders: q('.backorders .backorder').map((el) => el.dataset.state),
    steps: q('section.steps tr.step').map((el) => el.dataset.kind),
    times: q('time[datetime]').map((el) => el.getAttribute('datetime')),
    time_texts: q('time').map((el) => el.textContent),
    compensation_border: border(document.querySelector('.compensation')),
    step_border: border(document.querySelector('.step:not(.compensation):not(.wait)')),
  };
}"""
