"""The inbox deduplicates inbound events by (source, event_id), on each backend."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from store.db import make_engine
from store.inbox import Inbox

THREADS = 8


@pytest.fixture
def inbox(engine: Engine) -> Inbox:
    return Inbox(engine)


def rows(inbox: Inbox, order_id: str) -> list[tuple[str, str, str, str]]:
    return [(e.source, e.event_id, e.kind, e.outcome) for e in inbox.received(order_id)]


def test_first_claim_wins_and_the_second_is_a_duplicate(inbox: Inbox) -> None:
    assert inbox.claim("wms", "E1", "ORD-1", "picked") is True
    assert inbox.claim("wms", "E1", "ORD-1", "picked") is False

    assert rows(inbox, "ORD-1") == [("wms", "E1", "picked", "accepted")]


def test_a_duplicate_is_known_by_source_and_event_id_alone(inbox: Inbox) -> None:
    assert inbox.claim("wms", "E1", "ORD-1", "picked")

    # Same sender, same id: a duplicate, whatever else it claims to be.
    assert inbox.claim("wms", "E1", "ORD-2", "shipped") is False

    assert rows(inbox, "ORD-1") == [("wms", "E1", "picked", "accepted")]
    assert inbox.received("ORD-2") == []


def test_the_same_event_id_from_another_source_is_another_event(inbox: Inbox) -> None:
    assert inbox.claim("wms", "E1", "ORD-1", "shipped") is True
    assert inbox.claim("carrier", "E1", "ORD-1", "in_transit") is True

    assert rows(inbox, "ORD-1") == [
        ("wms", "E1", "shipped", "accepted"),
        ("carrier", "E1", "in_transit", "accepted"),
    ]


def test_a_duplicate_leaves_the_inbox_usable(inbox: Inbox) -> None:
    assert inbox.claim("wms", "E1", "ORD-1", "picked")
    assert not inbox.claim("wms", "E1", "ORD-1", "picked")

    assert inbox.claim("wms", "E2", "ORD-1", "packed") is True


def test_settle_records_the_outcome(inbox: Inbox) -> None:
    inbox.claim("wms", "E1", "ORD-1", "picked")
    inbox.claim("carrier", "E1", "ORD-1", "delivered")

    inbox.settle("carrier", "E1", "unknown_shipment")

    assert rows(inbox, "ORD-1") == [
        ("wms", "E1", "picked", "accepted"),
        ("carrier", "E1", "delivered", "unknown_shipment"),
    ]


def test_settle_again_overwrites(inbox: Inbox) -> None:
    inbox.claim("wms", "E1", "ORD-1", "picked")

    inbox.settle("wms", "E1", "unknown_order")
    inbox.settle("wms", "E1", "order_closed")

    assert [e.outcome for e in inbox.received("ORD-1")] == ["order_closed"]


def test_forget_lets_a_retry_claim_again(inbox: Inbox) -> None:
    assert inbox.claim("wms", "E1", "ORD-1", "picked")

    inbox.forget("wms", "E1")

    assert inbox.received("ORD-1") == []
    assert inbox.claim("wms", "E1", "ORD-1", "picked") is True
    assert inbox.claim("wms", "E1", "ORD-1", "picked") is False


def test_forget_touches_only_its_own_event(inbox: Inbox) -> None:
    # The other source's E1 arrives first, so a forget that ignored the source would
    # most likely hit it.
    inbox.claim("carrier", "E1", "ORD-1", "shipped")
    inbox.claim("wms", "E1", "ORD-1", "picked")
    inbox.claim("wms", "E2", "ORD-1", "packed")

    inbox.forget("wms", "E1")

    assert rows(inbox, "ORD-1") == [
        ("carrier", "E1", "shipped", "accepted"),
        ("wms", "E2", "packed", "accepted"),
    ]


def test_forget_of_an_unknown_event_is_harmless(inbox: Inbox) -> None:
    inbox.forget("wms", "never-seen")

    assert inbox.claim("wms", "never-seen", "ORD-1", "picked") is True


def test_received_lists_an_orders_events_in_arrival_order(inbox: Inbox) -> None:
    inbox.claim("wms", "E3", "ORD-1", "released")
    inbox.claim("wms", "X1", "ORD-2", "released")
    inbox.claim("wms", "E1", "ORD-1", "picked")
    inbox.claim("carrier", "E2", "ORD-1", "shipped")

    received = inbox.received("ORD-1")

    assert [(e.source, e.event_id) for e in received] == [
        ("wms", "E3"),
        ("wms", "E1"),
        ("carrier", "E2"),
    ]
    assert all(e.order_id == "ORD-1" for e in received)
    assert all(e.received_at is not None for e in received)
    assert [e.event_id for e in inbox.received("ORD-2")] == ["X1"]
    assert inbox.received("ORD-3") == []


def test_concurrent_claims_of_one_event_let_exactly_one_through(inbox: Inbox) -> None:
    start = threading.Barrier(THREADS)

    def claim(_: int) -> bool:
        start.wait(timeout=10)
        return inbox.claim("wms", "E1", "ORD-1", "shipped")

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(claim, range(THREADS)))

    assert sorted(results) == [False] * (THREADS - 1) + [True]
    assert rows(inbox, "ORD-1") == [("wms", "E1", "shipped", "accepted")]


def test_concurrent_claims_of_different_events_all_go_through(inbox: Inbox) -> None:
    start = threading.Barrier(THREADS)

    def claim(n: int) -> bool:
        start.wait(timeout=10)
        return inbox.claim("wms", f"E{n}", "ORD-1", "picked")

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(claim, range(THREADS)))

    assert results == [True] * THREADS
    assert sorted(e.event_id for e in inbox.received("ORD-1")) == sorted(
        f"E{n}" for n in range(THREADS)
    )


def test_ping_on_a_reachable_database(inbox: Inbox) -> None:
    inbox.ping()


def test_ping_raises_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    # A folder is no SQLite file: opening it fails, as an unreachable server would.
    engine = make_engine(f"sqlite:///{tmp_path}")
    try:
        with pytest.raises(OperationalError):
            Inbox(engine).ping()
    finally:
        engine.dispose()


@pytest.mark.parametrize("outcome", ["unknown_order", "unknown_shipment"])
def test_a_refused_event_may_be_claimed_again(inbox: Inbox, outcome: str) -> None:
    assert inbox.claim("wms", "e-refused", "O-1", "packed")
    inbox.settle("wms", "e-refused", outcome)

    assert inbox.claim("wms", "e-refused", "O-1", "packed")
    assert [row.outcome for row in inbox.received("O-1")] == [outcome]


@pytest.mark.parametrize("outcome", ["accepted", "order_closed"])
def test_a_handled_event_stays_a_duplicate(inbox: Inbox, outcome: str) -> None:
    assert inbox.claim("wms", "e-handled", "O-1", "packed")
    inbox.settle("wms", "e-handled", outcome)

    assert not inbox.claim("wms", "e-handled", "O-1", "packed")
