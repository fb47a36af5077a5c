"""`HttpTmsAdapter` against the real sandbox app, and its error mapping over mocks."""

import json
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from adapters.errors import NotFoundError, RejectionError, TransientError
from adapters.tms.http import HttpTmsAdapter
from adapters.tms.port import Quote, QuoteRequest, TmsPort
from canonical.address import Address
from canonical.money import Money
from tests.sandbox.harness import ADDRESS, SandboxUnderTest, fast_settings, open_sandbox


def quote_request(weight_kg: str = "2.5", country: str = "DE") -> QuoteRequest:
    return QuoteRequest(
        shipment_id="O1-S1",
        ship_from="W1",
        ship_to=Address.model_validate({**ADDRESS, "country": country}),
        weight_kg=Decimal(weight_kg),
    )


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[SandboxUnderTest]:
    async with open_sandbox(fast_settings(tmp_path)) as under_test:
        yield under_test


@pytest.fixture
def tms(sandbox: SandboxUnderTest) -> HttpTmsAdapter:
    return HttpTmsAdapter(sandbox.client)


def mocked(handler: Callable[[httpx.Request], httpx.Response]) -> HttpTmsAdapter:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://tms")
    return HttpTmsAdapter(client)


async def test_it_is_a_tms_port(tms: HttpTmsAdapter) -> None:
    port: TmsPort = tms
    assert port is tms


async def test_quotes_from_the_sandbox(tms: HttpTmsAdapter) -> None:
    quotes = await tms.quote(quote_request("50"))

    assert quotes[0] == Quote(
        carrier="SANDBOX-PARCEL",
        service="standard",
        mode="parcel",
        price=Money(amount=Decimal("44.90"), currency="EUR"),
        transit_days=3,
    )
    assert [(q.carrier, q.service, q.mode, q.price.amount) for q in quotes] == [
        ("SANDBOX-PARCEL", "standard", "parcel", Decimal("44.90")),
        ("ACME-PARCEL", "ground", "parcel", Decimal("47.00")),
        ("ROADRUNNER-FREIGHT", "ltl", "ltl", Decimal("57.00")),
        ("ACME-PARCEL", "next_day", "parcel", Decimal("84.00")),
        ("SANDBOX-PARCEL", "express", "parcel", Decimal("92.50")),
    ]
    assert await tms.quote(quote_request("50")) == quotes


async def test_no_carrier_serving_the_destination_is_an_empty_list(tms: HttpTmsAdapter) -> None:
    assert await tms.quote(quote_request(country="KP")) == []
    assert await tms.quote(quote_request("5000")) == []


async def test_a_request_the_tms_refuses_is_a_rejection(tms: HttpTmsAdapter) -> None:
    with pytest.raises(RejectionError) as caught:
        await tms.quote(quote_request("0"))

    assert caught.value.code == "TMS_REJECTED"
    assert caught.value.system == "tms"
    assert "weight_kg" in caught.value.message


async def test_injected_503_is_transient(sandbox: SandboxUnderTest, tms: HttpTmsAdapter) -> None:
    await sandbox.client.put("/sandbox/faults", json={"error_rate": 1.0})

    with pytest.raises(TransientError) as caught:
        await tms.quote(quote_request())

    assert "503" in caught.value.message
    assert caught.value.system == "tms"


# -- what goes over the wire, and error mapping, without the sandbox --


async def test_the_request_is_the_quote_request_as_json() -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"quotes": []})

    await mocked(record).quote(quote_request("12.5"))

    [request] = seen
    assert (request.method, request.url.path) == ("POST", "/tms/quotes")
    assert json.loads(request.content) == {
        "shipment_id": "O1-S1",
        "ship_from": "W1",
        "ship_to": {**ADDRESS, "region": ""},
        "weight_kg": "12.5",
    }


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_transient_statuses(status: int) -> None:
    with pytest.raises(TransientError) as caught:
        await mocked(lambda _: httpx.Response(status, text="busy")).quote(quote_request())

    assert caught.value.system == "tms"


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("garbled"),
    ],
)
async def test_timeouts_and_transport_errors_are_transient(error: httpx.HTTPError) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    with pytest.raises(TransientError) as caught:
        await mocked(fail).quote(quote_request())

    assert caught.value.__cause__ is error


async def test_a_timeout_says_so() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(TransientError) as caught:
        await mocked(slow).quote(quote_request())

    assert "timed out" in caught.value.message


@pytest.mark.parametrize(
    ("response", "code", "kind"),
    [
        (
            httpx.Response(422, json={"detail": {"code": "NO_LANE", "message": "x"}}),
            "NO_LANE",
            RejectionError,
        ),
        (httpx.Response(400, text="<html>bad</html>"), "TMS_REJECTED", RejectionError),
        (httpx.Response(404, json={"detail": "no such endpoint"}), "NOT_FOUND", NotFoundError),
        (httpx.Response(200, json={"offers": []}), "TMS_BAD_RESPONSE", RejectionError),
        (
            httpx.Response(200, json={"quotes": [{"carrier": "X"}]}),
            "TMS_BAD_RESPONSE",
            RejectionError,
        ),
        (httpx.Response(200, text="not json"), "TMS_BAD_RESPONSE", RejectionError),
    ],
)
async def test_refusals_and_garbage_become_rejections(
    response: httpx.Response, code: str, kind: type[RejectionError]
) -> None:
    with pytest.raises(RejectionError) as caught:
        await mocked(lambda _: response).quote(quote_request())

    assert (caught.value.code, type(caught.value)) == (code, kind)
    assert caught.value.system == "tms"


async def test_from_base_url_against_nothing_listening() -> None:
    tms = HttpTmsAdapter.from_base_url("http://127.0.0.1:9", timeout=2.0)
    try:
        with pytest.raises(TransientError):
            await tms.quote(quote_request())
    finally:
        await tms.aclose()
