"""What is exchanged with trading partners, on each backend: the replay guard, control
numbers under concurrency and the document archive."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from canonical.partners import ControlNumbers, Direction, DocumentStatus
from store.partner_documents import PartnerDocuments
from store.partners import PartnerRegistry, UnknownPartner
from tests.store.test_partners import edi

THREADS = 8
IN, OUT = Direction.INBOUND, Direction.OUTBOUND
SENT, RECEIVED = DocumentStatus.SENT, DocumentStatus.RECEIVED


@pytest.fixture
def registry(engine: Engine) -> PartnerRegistry:
    return PartnerRegistry(engine)


@pytest.fixture
def documents(engine: Engine) -> PartnerDocuments:
    return PartnerDocuments(engine)


# -- the replay guard ----------------------------------------------------------------


def test_an_interchange_is_claimed_once(documents: PartnerDocuments) -> None:
    assert documents.claim_interchange("BUYCO", "000000042") is True
    assert documents.claim_interchange("BUYCO", "000000042") is False
    assert documents.claim_interchange("BUYCO", "42") is False  # the same number, unpadded
    assert documents.claim_interchange("OTHER", "000000042") is True  # another sender's
    assert documents.claim_interchange("BUYCO", "000000043") is True


def test_a_released_interchange_may_be_claimed_again(documents: PartnerDocuments) -> None:
    assert documents.claim_interchange("BUYCO", "000000042")

    documents.release_interchange("BUYCO", "42")

    assert documents.claim_interchange("BUYCO", "000000042") is True
    assert documents.claim_interchange("BUYCO", "000000042") is False


def test_concurrent_claims_of_one_interchange_let_one_through(documents: PartnerDocuments) -> None:
    start = threading.Barrier(THREADS)

    def claim(_: int) -> bool:
        start.wait(timeout=10)
        return documents.claim_interchange("BUYCO", "000000777")

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(claim, range(THREADS)))

    assert sorted(results) == [False] * (THREADS - 1) + [True]


# -- control numbers -----------------------------------------------------------------


def test_control_numbers_count_up_per_partner(
    registry: PartnerRegistry, documents: PartnerDocuments
) -> None:
    registry.upsert_partner(edi())
    registry.upsert_partner(edi("OTHER"))

    assert documents.next_control_numbers("BUYCO") == ("000000001", "1", "0001")
    assert documents.next_control_numbers("BUYCO") == ("000000002", "2", "0002")
    assert documents.next_control_numbers("OTHER") == ("000000001", "1", "0001")
    numbers = documents.next_control_numbers("BUYCO")
    assert (numbers.isa13, numbers.gs06, numbers.st02) == ("000000003", "3", "0003")


def test_an_update_of_the_partner_keeps_its_numbers(
    registry: PartnerRegistry, documents: PartnerDocuments
) -> None:
    registry.upsert_partner(edi())
    documents.next_control_numbers("BUYCO")

    registry.upsert_partner(edi(name="renamed"))

    assert documents.next_control_numbers("BUYCO").isa13 == "000000002"


def test_control_numbers_of_an_unknown_partner_are_refused(documents: PartnerDocuments) -> None:
    with pytest.raises(UnknownPartner):
        documents.next_control_numbers("NOPE")


def test_concurrent_senders_never_share_a_control_number(
    registry: PartnerRegistry, documents: PartnerDocuments
) -> None:
    registry.upsert_partner(edi())
    per_thread = 10
    start = threading.Barrier(THREADS)

    def take(_: int) -> list[ControlNumbers]:
        start.wait(timeout=10)
        return [documents.next_control_numbers("BUYCO") for _ in range(per_thread)]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        taken = [numbers for batch in pool.map(take, range(THREADS)) for numbers in batch]

    total = THREADS * per_thread
    assert sorted(int(isa13) for isa13, _, _ in taken) == list(range(1, total + 1))
    assert len({gs06 for _, gs06, _ in taken}) == total
    assert len({st02 for _, _, st02 in taken}) == total
    assert documents.next_control_numbers("BUYCO").isa13 == f"{total + 1:09d}"


def test_the_first_numbers_taken_concurrently_are_distinct(
    registry: PartnerRegistry, documents: PartnerDocuments
) -> None:
    # No counter row yet: every thread races to make it.
    registry.upsert_partner(edi())
    start = threading.Barrier(THREADS)

    def take(_: int) -> str:
        start.wait(timeout=10)
        return documents.next_control_numbers("BUYCO").isa13

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        taken = list(pool.map(take, range(THREADS)))

    assert sorted(taken) == [f"{n:09d}" for n in range(1, THREADS + 1)]


# -- the archive ---------------------------------------------------------------------


def test_documents_are_archived_and_listed_newest_first(documents: PartnerDocuments) -> None:
    po = documents.archive(
        Direction.INBOUND,
        "BUYCO",
        "850",
        isa13="000000042",
        gs06="42",
        st02="0001",
        reference="PO-1",
        body="ISA*00*...~",
        status=DocumentStatus.RECEIVED,
    )
    ack = documents.archive(
        Direction.OUTBOUND,
        "BUYCO",
        "855",
        isa13="000000001",
        gs06="1",
        st02="0001",
        reference="PO-1",
        body="ISA*00*...855~",
        status=DocumentStatus.SENT,
    )
    other = documents.archive(
        Direction.OUTBOUND, "OTHER", "810", reference="90000001", status=DocumentStatus.SENT
    )

    everything = documents.documents()
    assert [d.id for d in everything] == [other, ack, po]
    assert [d.id for d in documents.documents("BUYCO")] == [ack, po]
    assert [d.id for d in documents.documents(reference="PO-1")] == [ack, po]
    assert [d.id for d in documents.documents("BUYCO", document_type="850")] == [po]
    assert [d.id for d in documents.documents("BUYCO", limit=1)] == [ack]
    assert documents.documents("NOPE") == []

    first = documents.document(po)
    assert first is not None
    assert (first.direction, first.document_type, first.isa13, first.status) == (
        Direction.INBOUND,
        "850",
        "000000042",
        DocumentStatus.RECEIVED,
    )
    assert first.body == "ISA*00*...~" and first.reference == "PO-1"
    assert first.created_at is not None and first.updated_at is not None
    assert documents.document(10_000) is None


def test_a_997_finds_what_it_acknowledges(documents: PartnerDocuments) -> None:
    asn = documents.archive(
        OUT, "BUYCO", "856", isa13="000000007", gs06="7", st02="0007", status=SENT
    )
    invoice = documents.archive(
        OUT, "BUYCO", "810", isa13="000000008", gs06="8", st02="0008", status=SENT
    )
    # Their 850 happens to carry our 856's numbers: it is no outbound document.
    documents.archive(IN, "BUYCO", "850", isa13="000000007", gs06="7", status=RECEIVED)
    documents.archive(OUT, "OTHER", "856", isa13="000000007", gs06="7", status=SENT)

    by_group = documents.outbound_by_control("BUYCO", gs06="0007")
    by_interchange = documents.outbound_by_control("BUYCO", isa13="7")
    both = documents.outbound_by_control("BUYCO", isa13="000000008", gs06="8")

    assert [d.id for d in by_group] == [asn]
    assert [d.id for d in by_interchange] == [asn]
    assert [d.id for d in both] == [invoice]
    assert documents.outbound_by_control("BUYCO", gs06="9") == []
    with pytest.raises(ValueError, match="isa13 or gs06"):
        documents.outbound_by_control("BUYCO")


def test_statuses_are_set_by_id_or_by_interchange(documents: PartnerDocuments) -> None:
    sent = documents.archive(OUT, "BUYCO", "856", isa13="000000007", gs06="7", status=SENT)
    received = documents.archive(IN, "BUYCO", "850", isa13="000000007", status=RECEIVED)
    before = documents.document(sent)
    assert before is not None

    assert documents.set_status(("BUYCO", "7"), DocumentStatus.ACKNOWLEDGED) == 1
    assert documents.set_status(received, DocumentStatus.REJECTED) == 1
    assert documents.set_status(10_000, DocumentStatus.SENT) == 0
    assert documents.set_status(("BUYCO", "000000099"), DocumentStatus.SENT) == 0

    after, theirs = documents.document(sent), documents.document(received)
    assert after is not None and after.status is DocumentStatus.ACKNOWLEDGED
    assert after.updated_at >= before.updated_at
    assert theirs is not None and theirs.status is DocumentStatus.REJECTED

    assert (
        documents.set_status(
            ("BUYCO", "000000007"), DocumentStatus.ACKNOWLEDGED, direction=Direction.INBOUND
        )
        == 1
    )
    theirs = documents.document(received)
    assert theirs is not None and theirs.status is DocumentStatus.ACKNOWLEDGED


def test_an_unknown_status_or_direction_is_refused(documents: PartnerDocuments) -> None:
    with pytest.raises(ValueError):
        documents.archive("sideways", "BUYCO", "850", status=RECEIVED)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        documents.archive(IN, "BUYCO", "850", status="lost")  # type: ignore[arg-type]
    assert documents.documents() == []


def test_a_document_acknowledged_before_it_was_marked_sent_stays_acknowledged(
    documents: PartnerDocuments,
) -> None:
    archive_id = documents.archive(
        Direction.OUTBOUND,
        "P1",
        "855",
        isa13="1",
        gs06="1",
        st02="0001",
        reference="O-1:1",
        body="ISA...",
        status=DocumentStatus.FAILED,
    )
    documents.set_status(archive_id, DocumentStatus.ACKNOWLEDGED)  # the 997 came first

    changed = documents.set_status(archive_id, DocumentStatus.SENT, only_if=DocumentStatus.FAILED)

    assert changed == 0
    document = documents.document(archive_id)
    assert document is not None and document.status is DocumentStatus.ACKNOWLEDGED
