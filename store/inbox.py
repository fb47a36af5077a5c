"""Deduplicating inbound events by (source, event_id)."""

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from store.tables import InboundEvent

# Outcomes that leave the event unhandled: the sender may send it again.
REFUSED_OUTCOMES = frozenset({"unknown_order", "unknown_shipment"})


class Inbox:
    """Claims events so each is handled once, across processes.

    Args:
        engine: The store's engine.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim(self, source: str, event_id: str, order_id: str, kind: str) -> bool:
        """True if the event is to be handled: seen for the first time, or seen before
        and refused (unknown order or shipment), so that a sender's retry is answered
        again rather than waved through as a duplicate. False for a duplicate."""
        with Session(self._engine) as session:
            session.add(
                InboundEvent(source=source, event_id=event_id, order_id=order_id, kind=kind)
            )
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
            else:
                return True
            earlier = session.exec(
                select(InboundEvent).where(
                    InboundEvent.source == source, InboundEvent.event_id == event_id
                )
            ).one()
            return earlier.outcome in REFUSED_OUTCOMES

    def settle(self, source: str, event_id: str, outcome: str) -> None:
        """Record what became of a claimed event."""
        with Session(self._engine) as session:
            row = session.exec(
                select(InboundEvent).where(
                    InboundEvent.source == source, InboundEvent.event_id == event_id
                )
            ).one()
            row.outcome = outcome
            session.add(row)
            session.commit()

    def forget(self, source: str, event_id: str) -> None:
        """Drop a claim whose handling failed, so the sender's retry is not taken
        for a duplicate."""
        with Session(self._engine) as session:
            row = session.exec(
                select(InboundEvent).where(
                    InboundEvent.source == source, InboundEvent.event_id == event_id
                )
            ).first()
            if row is not None:
                session.delete(row)
                session.commit()

    def ping(self) -> None:
        """Raise if the database cannot be reached."""
        with Session(self._engine) as session:
            session.exec(select(1)).one()

    def received(self, order_id: str) -> list[InboundEvent]:
        with Session(self._engine) as session:
            return list(
                session.exec(
                    select(InboundEvent)
                    .where(InboundEvent.order_id == order_id)
                    .order_by(InboundEvent.id)  # type: ignore[arg-type]
                ).all()
            )
