"""`HttpCarrierAdapter` against the real sandbox app, and its error mapping over mocks."""

import json
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from adapters.carrier.http import HttpCarrierAdapter
from adapters.carrier.port import CarrierPort, LabelRequest, ReturnLabelRequest
from adapters.errors import RejectionError, TransientError
from canonical.address import Address
from tests.sandbox.harness import (
    ADDRESS,
    SandboxUnderTest,
    fast_settings,
    open_sandbox,
    reservation_body,
)


def label_request(shipment_id: str = "O1-S1", country: str = "DE") -> LabelRequest:
    return LabelRequest(
        shipment_id=shipment_id,
        order_id=shipment_id.split("-")[0],
        ship_from="W1",
        ship_to=Address.model_validate({**ADDRESS, "country": country}),
        weight_kg=Decimal("2.5"),
        service="express",
    )


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[SandboxUnderTest]:
    async with open_sandbox(fast_settings(tmp_path)) as under_test:
        yield under_test


@pytest.fixture
def carrier(sandbox: SandboxUnderTest) -> HttpCarrierAdapter:
    return HttpCarrierAdapter(sandbox.client)


def mocked(handler: Callable[[httpx.Request], httpx.Response]) -> HttpCarrierAdapter:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://carrier")
    return HttpCarrierAdapter(client)


async def test_it_is_a_carrier_port(carrier: HttpCarrierAdapter) -> None:
    port: CarrierPort = carrier
    assert port is carrier


async def test_buying_twice_returns_the_same_label(
    sandbox: SandboxUnderTest, carrier: HttpCarrierAdapter
) -> None:
    first = await carrier.buy_label(label_request())
    again = await carrier.buy_label(label_request())

    assert first == again
    assert (first.carrier, first.service) == ("SANDBOX-PARCEL", "express")
    assert first.tracking_number.startswith("1ZSBX")
    stored = (await sandbox.client.get("/carrier/labels/O1-S1")).json()
    assert (stored["weight_kg"], stored["order_id"]) == ("2.5", "O1")


async def test_unserviceable_address_is_a_rejection(carrier: HttpCarrierAdapter) -> None:
    with pytest.raises(RejectionError) as caught:
        await carrier.buy_label(label_request(country="KP"))

    assert caught.value.code == "ADDRESS_NOT_SERVICEABLE"
    assert caught.value.system == "carrier"


async def test_void_is_idempotent(sandbox: SandboxUnderTest, carrier: HttpCarrierAdapter) -> None:
    label = await carrier.buy_label(label_request())

    await carrier.void_label("O1-S1")
    await carrier.void_label("O1-S1")
    await carrier.void_label("NEVER-S1")

    assert (await sandbox.client.get("/carrier/labels/O1-S1")).json()["status"] == "VOIDED"
    assert (await carrier.buy_label(label_request())).tracking_number != label.tracking_number


async def test_void_after_pickup_is_refused(
    sandbox: SandboxUnderTest, carrier: HttpCarrierAdapter
) -> None:
    label = await carrier.buy_label(label_request())
    client = sandbox.client
    await client.put("/wms/reservations/O1-S1", json=reservation_body())
    await client.post("/wms/reservations/O1-S1/release", json={"ship_to": ADDRESS})
    await client.put(
        "/wms/reservations/O1-S1/label",
        json={"carrier": label.carrier, "tracking_number": label.tracking_number},
    )
    t = time.time() + 100
    for step in range(3):
        await sandbox.dispatcher.run_once(now=t + 100 * step)

    with pytest.raises(RejectionError) as caught:
        await carrier.void_label("O1-S1")

    assert caught.value.code == "ALREADY_PICKED_UP"


async def test_bad_request_is_a_rejection(carrier: HttpCarrierAdapter) -> None:
    bad = label_request().model_copy(update={"weight_kg": Decimal("-1")})

    with pytest.raises(RejectionError) as caught:
        await carrier.buy_label(bad)

    assert caught.value.code == "CARRIER_REJECTED"
    assert "weight_kg" in caught.value.message


async def test_injected_503_is_transient(
    sandbox: SandboxUnderTest, carrier: HttpCarrierAdapter
) -> None:
    await sandbox.client.put("/sandbox/faults", json={"error_rate": 1.0})

    with pytest.raises(TransientError):
        await carrier.buy_label(label_request())


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_transient_statuses(status: int) -> None:
    with pytest.raises(TransientError):
        await mocked(lambda _: httpx.Response(status)).buy_label(label_request())


async def test_timeout_is_transient() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(TransientError) as caught:
        await mocked(slow).void_label("O1-S1")

    assert "timed out" in caught.value.message


async def test_void_of_an_unknown_label_at_a_404_carrier_counts_as_done() -> None:
    await mocked(lambda _: httpx.Response(404, json={"detail": "no such label"})).void_label("X")


async def test_from_base_url_against_nothing_listening() -> None:
    carrier = HttpCarrierAdapter.from_base_url("http://127.0.0.1:9", timeout=2.0)
    try:
        with pytest.raises(TransientError):
            await carrier.void_label("O1-S1")
    finally:
        await carrier.aclose()


# -- several carriers --


async def test_the_carrier_and_service_asked_for_are_bought(
    sandbox: SandboxUnderTest, carrier: HttpCarrierAdapter
) -> None:
    request = label_request().model_copy(update={"carrier": "ACME-PARCEL", "service": "ground"})

    label = await carrier.buy_label(request)

    assert (label.carrier, label.service) == ("ACME-PARCEL", "ground")
    assert label.tracking_number.startswith("ACME")
    stored = (await sandbox.client.get("/carrier/labels/O1-S1")).json()
    assert (stored["carrier"], stored["service"]) == ("ACME-PARCEL", "ground")


async def test_an_unknown_service_is_a_rejection(carrier: HttpCarrierAdapter) -> None:
    request = label_request().model_copy(update={"carrier": "ACME-PARCEL", "service": "express"})

    with pytest.raises(RejectionError) as caught:
        await carrier.buy_label(request)

    assert caught.value.code == "UNKNOWN_SERVICE"
    assert "ACME-PARCEL" in caught.value.message


async def test_the_request_names_carrier_and_service() -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            201,
            json={
                "label_id": "L1",
                "carrier": "ROADRUNNER-FREIGHT",
                "service": "ltl",
                "tracking_number": "RRF000000001",
            },
        )

    request = label_request("O 1/S1").model_copy(
        update={"carrier": "ROADRUNNER-FREIGHT", "service": "ltl", "weight_kg": Decimal("80")}
    )
    label = await mocked(record).buy_label(request)

    [sent] = seen
    assert (sent.method, sent.url.raw_path.decode()) == ("PUT", "/carrier/labels/O%201%2FS1")
    assert json.loads(sent.content) == {
        "order_id": "O 1/S1",
        "ship_from": "W1",
        "ship_to": {**ADDRESS, "region": ""},
        "weight_kg": "80",
        "carrier": "ROADRUNNER-FREIGHT",
        "service": "ltl",
    }
    assert (label.carrier, label.service) == ("ROADRUNNER-FREIGHT", "ltl")


async def test_no_carrier_is_sent_as_empty_and_gets_the_default(
    carrier: HttpCarrierAdapter,
) -> None:
    request = label_request().model_copy(update={"service": "standard"})

    label = await carrier.buy_label(request)

    assert (request.carrier, label.carrier, label.service) == ("", "SANDBOX-PARCEL", "standard")


# -- return labels --


def return_request(rma_id: str = "RMA-1", country: str = "DE") -> ReturnLabelRequest:
    return ReturnLabelRequest(
        rma_id=rma_id,
        order_id="O1",
        ship_from=Address.model_validate({**ADDRESS, "country": country}),
        to_warehouse="W1",
        weight_kg=Decimal("1.5"),
    )


async def test_a_return_label_is_issued_once_and_voided_idempotently(
    sandbox: SandboxUnderTest, carrier: HttpCarrierAdapter
) -> None:
    first = await carrier.buy_return_label(return_request())
    again = await carrier.buy_return_label(return_request())

    assert first == again
    assert (first.carrier, first.service) == ("SANDBOX-PARCEL", "return")
    await carrier.void_return_label("RMA-1")
    await carrier.void_return_label("RMA-1")
    await carrier.void_return_label("NEVER")
    stored = (await sandbox.client.get("/carrier/return-labels/RMA-1")).json()
    assert (stored["status"], stored["tracking_number"]) == ("VOIDED", first.tracking_number)


async def test_return_label_rejections_carry_their_code(carrier: HttpCarrierAdapter) -> None:
    with pytest.raises(RejectionError) as unserved:
        await carrier.buy_return_label(return_request(country="KP"))
    with pytest.raises(RejectionError) as unknown:
        await carrier.buy_return_label(return_request().model_copy(update={"carrier": "NOPE"}))

    assert (unserved.value.code, unknown.value.code) == (
        "ADDRESS_NOT_SERVICEABLE",
        "UNKNOWN_CARRIER",
    )


async def test_the_return_label_request_as_sent() -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "DELETE":
            return httpx.Response(404, json={"detail": "no such label"})
        return httpx.Response(
            201,
            json={
                "label_id": "RL1",
                "carrier": "ACME-PARCEL",
                "service": "return",
                "tracking_number": "ACME000000000001",
                "status": "ISSUED",
            },
        )

    carrier = mocked(record)
    request = return_request("RMA 1/2").model_copy(update={"carrier": "ACME-PARCEL"})
    label = await carrier.buy_return_label(request)
    await carrier.void_return_label("RMA 1/2")  # a 404 counts as voided

    put, delete = seen
    assert (put.method, put.url.raw_path.decode()) == ("PUT", "/carrier/return-labels/RMA%201%2F2")
    assert json.loads(put.content) == {
        "order_id": "O1",
        "ship_from": {**ADDRESS, "region": ""},
        "to_warehouse": "W1",
        "weight_kg": "1.5",
        "carrier": "ACME-PARCEL",
    }
    assert delete.method == "DELETE"
    assert (label.label_id, label.service) == ("RL1", "return")


async def test_return_labels_time_out_as_transient() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    for call in (
        mocked(slow).buy_return_label(return_request()),
        mocked(slow).void_return_label("R"),
    ):
        with pytest.raises(TransientError):
            await call
