"""Tables."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from store.clock import utc_now


class InboundEvent(SQLModel, table=True):
    """The inbox: every event received from an outside system, once.

    The unique (source, event_id) pair is what deduplicates: a second delivery of
    the same event cannot insert, whichever API process receives it.

    Attributes:
        outcome: `accepted` (passed to the order), `unknown_order`,
            `unknown_shipment` or `order_closed`.
    """

    __tablename__ = "inbound_event"
    __table_args__ = (UniqueConstraint("source", "event_id", name="uq_inbound_event"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    event_id: str = Field(max_length=100)
    order_id: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=40)
    outcome: str = Field(default="accepted", max_length=40)
    received_at: datetime = Field(default_factory=utc_now)
