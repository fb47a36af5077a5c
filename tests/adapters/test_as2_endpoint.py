"""The AS2-style delivery over `httpx.MockTransport`: headers, MDN, error kinds."""

import httpx
import pytest

from adapters.edi.fake import FakePartnerEndpoint
from adapters.edi.http import As2HttpEndpoint
from adapters.edi.port import Delivery
from adapters.errors import RejectionError, TransientError

DELIVERY = Delivery(
    endpoint_url="http://partner.test/as2",
    sender="ORDERMESH",
    receiver="MOCKEDI",
    message_id="855-1@ordermesh",
    subject="855 4500009001",
    body="ISA*00*...~",
)

MDN = (
    "Content-Type: message/disposition-notification\r\n\r\n"
    "Original-Message-ID: <855-1@ordermesh>\r\n"
    "Disposition: automatic-action/MDN-sent-automatically; {}\r\n"
)


def endpoint(handler: httpx.MockTransport) -> As2HttpEndpoint:
    return As2HttpEndpoint(httpx.AsyncClient(transport=handler))


async def test_it_posts_the_interchange_with_the_as2_headers_and_reads_the_mdn() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text=MDN.format("processed"))

    receipt = await endpoint(httpx.MockTransport(answer)).deliver(DELIVERY)

    assert receipt.disposition == "automatic-action/MDN-sent-automatically; processed"
    [request] = seen
    assert str(request.url) == "http://partner.test/as2"
    assert request.content == b"ISA*00*...~"
    assert request.headers["AS2-From"] == "ORDERMESH"
    assert request.headers["AS2-To"] == "MOCKEDI"
    assert request.headers["Message-ID"] == "<855-1@ordermesh>"
    assert request.headers["Content-Type"] == "application/edi-x12"


@pytest.mark.parametrize("status", [500, 503, 429, 408])
async def test_a_partner_that_is_down_is_transient(status: int) -> None:
    down = httpx.MockTransport(lambda request: httpx.Response(status))
    with pytest.raises(TransientError, match=str(status)):
        await endpoint(down).deliver(DELIVERY)


async def test_an_unreachable_partner_is_transient() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(TransientError, match="unreachable"):
        await endpoint(httpx.MockTransport(refuse)).deliver(DELIVERY)


async def test_a_refusal_or_a_failed_mdn_is_a_rejection() -> None:
    refused = httpx.MockTransport(lambda request: httpx.Response(403, text="unknown sender"))
    with pytest.raises(RejectionError) as err:
        await endpoint(refused).deliver(DELIVERY)
    assert err.value.code == "PARTNER_REFUSED"
    assert "unknown sender" in err.value.message

    failed = httpx.MockTransport(
        lambda request: httpx.Response(200, text=MDN.format("failed/Failure: unsigned"))
    )
    with pytest.raises(RejectionError, match="failed/Failure"):
        await endpoint(failed).deliver(DELIVERY)


async def test_the_fake_records_what_it_was_given_and_fails_on_demand() -> None:
    fake = FakePartnerEndpoint()
    fake.fail_next(TransientError("down"))
    with pytest.raises(TransientError):
        await fake.deliver(DELIVERY)
    await fake.deliver(DELIVERY)
    assert fake.delivered == [DELIVERY]
