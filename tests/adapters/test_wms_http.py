"""`HttpWmsAdapter` against the real sandbox app, and its error mapping over mocks."""

import json
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from adapters.errors import NotFoundError, RejectionError, TransientError
from adapters.wms.http import HttpWmsAdapter
from adapters.wms.port import DispositionRequest, ReservationRequest, WmsPort
from canonical.address import Address
from canonical.quantities import UnitOfMeasure
from canonical.shipments import ShipmentLine
from tests.sandbox.harness import ADDRESS, SandboxUnderTest, fast_settings, open_sandbox

SHIP_TO = Address.model_validate(ADDRESS)


def request(
    shipment_id: str = "O1-S1",
    warehouse: str = "W1",
    lines: list[tuple[str, str]] | None = None,
) -> ReservationRequest:
    lines = lines if lines is not None else [("TG11", "5")]
    return ReservationRequest(
        shipment_id=shipment_id,
        order_id=shipment_id.split("-")[0],
        warehouse=warehouse,
        lines=[
            ShipmentLine(line_no=10 * (i + 1), sku=sku, quantity=Decimal(q), uom=UnitOfMeasure.PC)
            for i, (sku, q) in enumerate(lines)
        ],
    )


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[SandboxUnderTest]:
    async with open_sandbox(fast_settings(tmp_path)) as under_test:
        yield under_test


@pytest.fixture
def wms(sandbox: SandboxUnderTest) -> HttpWmsAdapter:
    return HttpWmsAdapter(sandbox.client)


def mocked(handler: Callable[[httpx.Request], httpx.Response]) -> HttpWmsAdapter:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://wms")
    return HttpWmsAdapter(client)


async def test_it_is_a_wms_port(wms: HttpWmsAdapter) -> None:
    port: WmsPort = wms
    assert port is wms


async def test_stock_by_sku_and_all(wms: HttpWmsAdapter) -> None:
    some = await wms.stock(["TG11"])
    everything = await wms.stock([])

    assert [(s.warehouse, s.sku, s.on_hand, s.available) for s in some] == [
        ("W1", "TG11", 500, 500),
        ("W2", "TG11", 200, 200),
        ("W3", "TG11", 100, 100),
    ]
    assert len(everything) == 21


async def test_reserve_is_idempotent_and_holds_stock(wms: HttpWmsAdapter) -> None:
    first = await wms.reserve(request(lines=[("TG11", "5"), ("TG12", "3")]))
    again = await wms.reserve(request(lines=[("TG11", "5"), ("TG12", "3")]))

    assert first == again
    assert (first.shipment_id, first.warehouse, first.status) == ("O1-S1", "W1", "RESERVED")
    levels = {(s.warehouse, s.sku): s.available for s in await wms.stock(["TG11", "TG12"])}
    assert (levels["W1", "TG11"], levels["W1", "TG12"], levels["W2", "TG11"]) == (495, 497, 200)


async def test_insufficient_stock_is_a_rejection(wms: HttpWmsAdapter) -> None:
    with pytest.raises(RejectionError) as caught:
        await wms.reserve(request(lines=[("TG12", "1"), ("TG11", "501")]))

    assert caught.value.code == "INSUFFICIENT_STOCK"
    assert caught.value.system == "wms"
    assert "TG11 wanted 501, available 500" in caught.value.message
    assert all(s.available == s.on_hand for s in await wms.stock(["TG11", "TG12"]))


async def test_unknown_warehouse_and_bad_quantity_are_rejections(wms: HttpWmsAdapter) -> None:
    with pytest.raises(RejectionError) as unknown:
        await wms.reserve(request(warehouse="W7"))
    with pytest.raises(RejectionError) as fractional:
        await wms.reserve(request(lines=[("TG11", "1.5")]))

    assert unknown.value.code == "UNKNOWN_WAREHOUSE"
    assert fractional.value.code == "WMS_REJECTED"
    assert "quantity" in fractional.value.message
    assert not isinstance(fractional.value, NotFoundError)


async def test_undoing_is_idempotent_and_unknown_counts_as_done(wms: HttpWmsAdapter) -> None:
    await wms.reserve(request())

    await wms.release_reservation("O1-S1")
    await wms.release_reservation("O1-S1")
    await wms.release_reservation("NEVER-S1")
    await wms.recall("NEVER-S1")

    assert (await wms.stock(["TG11"]))[0].available == 500


async def test_release_to_pick_of_unknown_is_not_found(wms: HttpWmsAdapter) -> None:
    with pytest.raises(NotFoundError):
        await wms.release_to_pick("NEVER-S1", SHIP_TO)
    with pytest.raises(NotFoundError):
        await wms.attach_label("NEVER-S1", "SANDBOX-PARCEL", "1ZSBX0000000001")


async def test_release_label_ship_then_undo_is_refused(
    sandbox: SandboxUnderTest, wms: HttpWmsAdapter
) -> None:
    await wms.reserve(request())
    await wms.release_to_pick("O1-S1", SHIP_TO)
    await wms.release_to_pick("O1-S1", SHIP_TO)
    await wms.attach_label("O1-S1", "SANDBOX-PARCEL", "1ZSBX0000000001")
    await wms.attach_label("O1-S1", "SANDBOX-PARCEL", "1ZSBX0000000001")
    t = time.time() + 100
    for step in range(3):
        await sandbox.dispatcher.run_once(now=t + 100 * step)

    assert sandbox.receiver.kinds() == ["picked", "packed", "shipped"]
    assert (await wms.stock(["TG11"]))[0].on_hand == 495
    for undo in (wms.release_reservation("O1-S1"), wms.recall("O1-S1")):
        with pytest.raises(RejectionError) as caught:
            await undo
        assert caught.value.code == "ALREADY_SHIPPED"


async def test_recall_puts_the_shipment_back(
    sandbox: SandboxUnderTest, wms: HttpWmsAdapter
) -> None:
    await wms.reserve(request())
    await wms.release_to_pick("O1-S1", SHIP_TO)

    await wms.recall("O1-S1")
    await wms.recall("O1-S1")

    assert (await sandbox.client.get("/wms/reservations/O1-S1")).json()["status"] == "RESERVED"


async def test_a_cancelled_reservation_cannot_be_released(wms: HttpWmsAdapter) -> None:
    await wms.reserve(request())
    await wms.release_reservation("O1-S1")

    with pytest.raises(RejectionError) as caught:
        await wms.release_to_pick("O1-S1", SHIP_TO)

    assert caught.value.code == "RESERVATION_CANCELLED"


async def test_injected_503_is_transient(sandbox: SandboxUnderTest, wms: HttpWmsAdapter) -> None:
    await sandbox.client.put("/sandbox/faults", json={"error_rate": 1.0})

    with pytest.raises(TransientError) as caught:
        await wms.reserve(request())

    assert "503" in caught.value.message
    assert caught.value.system == "wms"


# -- error mapping, without the sandbox --


@pytest.mark.parametrize("status", [408, 423, 425, 429, 500, 502, 503, 504])
async def test_transient_statuses(status: int) -> None:
    wms = mocked(lambda _: httpx.Response(status, text="busy"))

    with pytest.raises(TransientError):
        await wms.reserve(request())


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("garbled"),
    ],
)
async def test_timeouts_and_transport_errors_are_transient(error: httpx.HTTPError) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    with pytest.raises(TransientError) as caught:
        await mocked(fail).release_reservation("O1-S1")

    assert caught.value.__cause__ is error


async def test_4xx_bodies_become_rejections_with_their_code() -> None:
    bodies = {
        "/wms/reservations/A": httpx.Response(409, json={"code": "ALREADY_SHIPPED"}),
        "/wms/reservations/B": httpx.Response(422, json={"detail": "nope"}),
        "/wms/reservations/C": httpx.Response(400, text="<html>bad</html>"),
        "/wms/reservations/D": httpx.Response(404, json={"detail": {"code": "NOT_FOUND"}}),
    }
    wms = mocked(lambda req: bodies[req.url.path])

    codes = []
    for shipment_id in "ABCD":
        with pytest.raises(RejectionError) as caught:
            await wms.reserve(request(shipment_id=shipment_id))
        codes.append((caught.value.code, type(caught.value)))

    assert codes == [
        ("ALREADY_SHIPPED", RejectionError),
        ("WMS_REJECTED", RejectionError),
        ("WMS_REJECTED", RejectionError),
        ("NOT_FOUND", NotFoundError),
    ]


async def test_ids_are_escaped_in_paths() -> None:
    seen: list[str] = []

    def record(req: httpx.Request) -> httpx.Response:
        seen.append(req.url.raw_path.decode())
        return httpx.Response(204)

    await mocked(record).release_reservation("O 1/S1")

    assert seen == ["/wms/reservations/O%201%2FS1"]


async def test_from_base_url_against_nothing_listening() -> None:
    wms = HttpWmsAdapter.from_base_url("http://127.0.0.1:9", timeout=2.0)
    try:
        with pytest.raises(TransientError):
            await wms.stock(["TG11"])
    finally:
        await wms.aclose()


# -- returns: restock and scrap --


def disposition(key: str = "K1", quantity: str = "2", **changes: str) -> DispositionRequest:
    values = {"idempotency_key": key, "rma_id": "RMA-1", "warehouse": "W1", "sku": "TG11"}
    return DispositionRequest(quantity=Decimal(quantity), **{**values, **changes})


async def test_restock_once_per_key_and_scrap_changes_no_stock(
    sandbox: SandboxUnderTest, wms: HttpWmsAdapter
) -> None:
    await wms.restock(disposition("K1", "2"))
    await wms.restock(disposition("K1", "2"))  # a retry after a lost response
    await wms.scrap(disposition("K2", "1"))
    await wms.scrap(disposition("K2", "1"))

    [level] = [s for s in await wms.stock(["TG11"]) if s.warehouse == "W1"]
    assert (level.on_hand, level.available) == (502, 502)
    booked = (await sandbox.client.get("/wms/dispositions", params={"rma_id": "RMA-1"})).json()
    assert [(d["idempotency_key"], d["kind"], d["quantity"]) for d in booked] == [
        ("K1", "RESTOCK", 2),
        ("K2", "SCRAP", 1),
    ]


async def test_disposition_rejections_carry_their_code(wms: HttpWmsAdapter) -> None:
    await wms.restock(disposition("K1"))

    with pytest.raises(RejectionError) as reused:
        await wms.scrap(disposition("K1"))
    with pytest.raises(RejectionError) as unknown:
        await wms.restock(disposition("K2", warehouse="W9"))
    with pytest.raises(RejectionError) as fractional:
        await wms.restock(disposition("K3", "1.5"))

    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert unknown.value.code == "UNKNOWN_WAREHOUSE"
    assert (fractional.value.code, fractional.value.system) == ("WMS_REJECTED", "wms")
    assert "quantity" in fractional.value.message


async def test_dispositions_send_the_request_as_json() -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={})

    wms = mocked(record)
    await wms.restock(disposition("K1"))
    await wms.scrap(disposition("K2", "3"))

    assert [(r.method, r.url.path) for r in seen] == [
        ("POST", "/wms/restock"),
        ("POST", "/wms/scrap"),
    ]
    assert json.loads(seen[1].content) == {
        "idempotency_key": "K2",
        "rma_id": "RMA-1",
        "warehouse": "W1",
        "sku": "TG11",
        "quantity": "3",
    }


@pytest.mark.parametrize("status", [429, 503])
async def test_a_busy_wms_makes_dispositions_transient(status: int) -> None:
    wms = mocked(lambda _: httpx.Response(status))

    for call in (wms.restock(disposition()), wms.scrap(disposition())):
        with pytest.raises(TransientError):
            await call
