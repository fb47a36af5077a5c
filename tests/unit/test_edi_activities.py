"""`send_partner_document` over a real registry and archive (SQLite) and the fake endpoint."""

import tempfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.edi import PartnerDocumentActivities
from adapters.edi.fake import FakePartnerEndpoint
from adapters.errors import TransientError
from canonical.partners import DocumentStatus, PartnerKind, TradingPartner
from canonical.statuses import OrderStatus
from canonical.x12.ack855 import AckStatus, read_855
from canonical.x12.envelope import parse_interchanges
from store.db import create_schema, make_engine
from store.partner_documents import PartnerDocuments
from store.partners import PartnerRegistry
from tests.unit.x12.test_answers import PO, view
from workflows.edi_contracts import SendPartnerDocumentInput

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
BUYER = TradingPartner(
    partner_id="MOCKEDI",
    kind=PartnerKind.EDI,
    interchange_id="MOCKEDI",
    our_interchange_id="ORDERMESH",
    endpoint_url="http://partner.test/as2",
    customer_id="1000001",
)


@pytest.fixture
def engine() -> Engine:
    engine = make_engine(f"sqlite:///{tempfile.mkdtemp(prefix='edi-')}/store.db")
    create_schema(engine)
    return engine


@pytest.fixture
def registry(engine: Engine) -> PartnerRegistry:
    registry = PartnerRegistry(engine)
    registry.upsert_partner(BUYER, [], [], [])
    return registry


@pytest.fixture
def documents(engine: Engine) -> PartnerDocuments:
    return PartnerDocuments(engine)


@pytest.fixture
def endpoint() -> FakePartnerEndpoint:
    return FakePartnerEndpoint()


@pytest.fixture
def acts(
    registry: PartnerRegistry, documents: PartnerDocuments, endpoint: FakePartnerEndpoint
) -> PartnerDocumentActivities:
    return PartnerDocumentActivities(registry, documents, endpoint, clock=lambda: NOW)


def acknowledgment(key: str = "EDI-1:1") -> SendPartnerDocumentInput:
    return SendPartnerDocumentInput(
        document_key=key,
        order_id="EDI-1",
        partner=PO,
        kind="855",
        view=view(status=OrderStatus.ALLOCATED),
    )


async def test_a_document_is_numbered_archived_and_delivered_once(
    acts: PartnerDocumentActivities, endpoint: FakePartnerEndpoint, documents: PartnerDocuments
) -> None:
    env = ActivityEnvironment()
    sent = await env.run(acts.send_partner_document, acknowledgment())
    again = await env.run(acts.send_partner_document, acknowledgment())

    assert again == sent
    [delivery] = endpoint.delivered
    assert (delivery.sender, delivery.receiver, delivery.endpoint_url) == (
        "ORDERMESH",
        "MOCKEDI",
        "http://partner.test/as2",
    )
    [interchange] = parse_interchanges(delivery.body)
    assert (interchange.sender_id, interchange.receiver_id) == ("ORDERMESH", "MOCKEDI")
    assert interchange.control_number == sent.interchange_control
    ack = read_855(interchange.groups[0].sets[0])
    assert [line.status for line in ack.lines] == [AckStatus.ACCEPTED, AckStatus.ACCEPTED]
    [archived] = documents.documents("MOCKEDI", reference="EDI-1:1")
    assert (archived.document_type, archived.status) == ("855", DocumentStatus.SENT)
    assert archived.body == delivery.body


async def test_a_failed_delivery_is_retried_with_the_same_interchange(
    acts: PartnerDocumentActivities, endpoint: FakePartnerEndpoint, documents: PartnerDocuments
) -> None:
    env = ActivityEnvironment()
    endpoint.fail_next(TransientError("partner down", system="edi"))
    with pytest.raises(TransientError):
        await env.run(acts.send_partner_document, acknowledgment())
    [pending] = documents.documents("MOCKEDI", reference="EDI-1:1")
    assert pending.status is DocumentStatus.FAILED

    sent = await env.run(acts.send_partner_document, acknowledgment())

    assert sent.interchange_control == pending.isa13
    assert len(endpoint.delivered) == 1
    second = await env.run(acts.send_partner_document, acknowledgment("EDI-1:2"))
    assert int(second.interchange_control) == int(sent.interchange_control) + 1


async def test_an_unknown_partner_is_a_rejection(acts: PartnerDocumentActivities) -> None:
    stranger = acknowledgment().model_copy(
        update={"partner": PO.model_copy(update={"partner_id": "NOBODY"})}
    )
    with pytest.raises(ApplicationError) as err:
        await ActivityEnvironment().run(acts.send_partner_document, stranger)
    assert err.value.type == "UNKNOWN_PARTNER"
