"""The sandbox's tables, its engine, and the request dependencies that reach them.

Times are stored as epoch seconds (floats): SQLite keeps no time zones, and the
dispatcher compares due times with `time.time()` anyway.

Table names start with `sandbox_` and only these tables are created, because
`SQLModel.metadata` is shared with Ordermesh's own store when both are imported in
one process (the test suite).

A database made by an older sandbox gets the tables and the (nullable) columns added
since, at start (`init_db`); nothing is ever dropped or changed.

All database work happens on the event loop's thread, inside one synchronous
`with Session(...)` block with no `await` in it. That serialises every state change
without locks, which is plenty for a simulator and keeps "all or nothing" trivially
true.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine, inspect, text
from sqlalchemy.pool import StaticPool
from sqlmodel import Field, Session, SQLModel, create_engine, select

from sandbox.settings import SandboxSettings


class StockRow(SQLModel, table=True):
    """On-hand quantity of one SKU in one warehouse."""

    __tablename__ = "sandbox_stock"

    warehouse: str = Field(primary_key=True)
    sku: str = Field(primary_key=True)
    on_hand: int


class ReservationRow(SQLModel, table=True):
    """Stock held for one shipment, and how far the floor has got with it.

    `carrier` and `tracking_number` are set once a label is attached, which may
    happen before the shipment is packed.
    """

    __tablename__ = "sandbox_reservation"

    shipment_id: str = Field(primary_key=True)
    order_id: str = Field(index=True)
    warehouse: str
    status: str
    ship_to: str = ""  # Address as JSON, set on release
    carrier: str = ""
    tracking_number: str = ""
    created_at: float
    updated_at: float
    shipped_at: float | None = None


class ReservationLineRow(SQLModel, table=True):
    """One line of a reservation, in the warehouse's stock unit.

    `quantity` is what was reserved; `picked` is None until the floor picks the
    line, and from then on it is what the reservation holds (a short pick gives the
    rest back at once).
    """

    __tablename__ = "sandbox_reservation_line"

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: str = Field(index=True)
    line_no: int
    sku: str
    quantity: int
    uom: str
    picked: int | None = None

    @property
    def held(self) -> int:
        """What the line holds while its reservation is open, and what ships."""
        return self.quantity if self.picked is None else self.picked


class ShortPickRow(SQLModel, table=True):
    """An armed short pick: the next pick of `sku` (in `warehouse`, or anywhere when
    it is empty) comes up `quantity` short."""

    __tablename__ = "sandbox_short_pick"

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(index=True)
    warehouse: str = ""
    quantity: int
    created_at: float


class LabelRow(SQLModel, table=True):
    """The carrier's label for one shipment; `generation` counts re-buys after voids."""

    __tablename__ = "sandbox_label"

    shipment_id: str = Field(primary_key=True)
    label_id: str
    order_id: str
    carrier: str
    service: str
    tracking_number: str = Field(unique=True, index=True)
    ship_from: str
    ship_to: str  # Address as JSON
    weight_kg: str  # Decimal as text, so nothing is lost to floats
    status: str
    generation: int = 0
    created_at: float
    updated_at: float
    picked_up_at: float | None = None


class ReturnLabelRow(SQLModel, table=True):
    """The carrier's return label for one RMA: the customer sends the goods back with it.

    `generation` counts re-issues after voids, like `LabelRow`'s.
    """

    __tablename__ = "sandbox_return_label"

    rma_id: str = Field(primary_key=True)
    label_id: str
    order_id: str = Field(index=True)
    carrier: str
    tracking_number: str = Field(index=True)
    ship_from: str  # the customer's Address as JSON
    to_warehouse: str
    weight_kg: str  # Decimal as text, so nothing is lost to floats
    status: str
    generation: int = 0
    created_at: float
    updated_at: float


class ReturnReceiptRow(SQLModel, table=True):
    """What the receiving dock found in one RMA's parcel; the goods stay in quarantine."""

    __tablename__ = "sandbox_return_receipt"

    rma_id: str = Field(primary_key=True)
    order_id: str = Field(index=True)
    warehouse: str
    lines: str  # the received lines as a JSON list, as the dock posted them
    event_id: str
    received_at: float


class DispositionRow(SQLModel, table=True):
    """One restock or scrap of returned goods, booked once per idempotency key."""

    __tablename__ = "sandbox_disposition"

    idempotency_key: str = Field(primary_key=True)
    kind: str
    rma_id: str = Field(index=True)
    warehouse: str
    sku: str
    quantity: int
    created_at: float


class OutboxRow(SQLModel, table=True):
    """One event: scheduled until due, then applied, then delivered as a webhook.

    `status` is one of `scheduled`, `cancelled`, `skipped` (stale when due),
    `pending` (applied, awaiting delivery), `sent`, `rejected` (a 4xx; not retried)
    or `failed` (could not be applied, or given up after `retry_give_up_after`).
    """

    __tablename__ = "sandbox_outbox"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(unique=True)
    source: str
    kind: str
    order_id: str = Field(index=True)
    shipment_id: str = Field(index=True)
    tracking_number: str = Field(default="", index=True)
    detail: str = ""
    due_at: float = Field(index=True)
    status: str = Field(default="scheduled", index=True)
    applied_at: float | None = None
    body: str = ""  # the exact bytes signed and sent, so retries are identical
    attempts: int = 0
    next_attempt_at: float | None = None
    last_status_code: int | None = None
    last_response: str = ""
    sent_at: float | None = None
    duplicates_sent: int = 0


class MetaRow(SQLModel, table=True):
    """Small facts about the database itself, e.g. that it has been seeded."""

    __tablename__ = "sandbox_meta"

    key: str = Field(primary_key=True)
    value: str


_TABLES = [
    StockRow.__table__,  # type: ignore[attr-defined]
    ReservationRow.__table__,  # type: ignore[attr-defined]
    ReservationLineRow.__table__,  # type: ignore[attr-defined]
    LabelRow.__table__,  # type: ignore[attr-defined]
    OutboxRow.__table__,  # type: ignore[attr-defined]
    MetaRow.__table__,  # type: ignore[attr-defined]
    ShortPickRow.__table__,  # type: ignore[attr-defined]
    ReturnLabelRow.__table__,  # type: ignore[attr-defined]
    ReturnReceiptRow.__table__,  # type: ignore[attr-defined]
    DispositionRow.__table__,  # type: ignore[attr-defined]
]


def make_engine(database_url: str) -> Engine:
    """An engine for `database_url`; creates the directory of a SQLite file."""
    if not database_url.startswith("sqlite"):
        return create_engine(database_url)
    # The event loop thread uses connections that a threadpool may have opened.
    connect_args = {"check_same_thread": False}
    path = database_url.split("///", 1)[1] if "///" in database_url else ""
    if path in ("", ":memory:") or "mode=memory" in database_url:
        # One shared connection, or every session would see its own empty database.
        return create_engine(database_url, connect_args=connect_args, poolclass=StaticPool)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    # No cap on connections (`max_overflow=-1`): the database work runs on the event
    # loop's thread, and a request keeps its session until it is answered, so a
    # checkout waiting for a free connection would hold the loop while the requests
    # that have them cannot go on. 200 orders at once did that: the sandbox stalled
    # for the pool's 30 s timeout, again and again.
    return create_engine(database_url, connect_args=connect_args, max_overflow=-1)


def _add_missing_columns(engine: Engine) -> None:
    """Add the columns a newer sandbox has to tables an older one made.

    Only nullable columns are ever added to these tables, so the rows already there
    stay valid (their new columns are NULL).
    """
    inspector = inspect(engine)
    for table in _TABLES:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            kind = column.type.compile(dialect=engine.dialect)
            with engine.begin() as connection:
                connection.execute(
                    text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}")
                )


def init_db(engine: Engine, settings: SandboxSettings) -> None:
    """Create the tables (or add new columns) and, on first start, load the seed stock."""
    SQLModel.metadata.create_all(engine, tables=_TABLES)
    _add_missing_columns(engine)
    with Session(engine) as session:
        # A flag rather than "the stock table is empty": an operator who PUTs an
        # empty layout must not get the seed back on the next start.
        if session.get(MetaRow, "seeded") is not None:
            return
        for warehouse, on_hand in settings.seed_stock.items():
            for sku in settings.seed_skus:
                session.add(StockRow(warehouse=warehouse, sku=sku, on_hand=on_hand))
        session.add(MetaRow(key="seeded", value="1"))
        session.commit()


def known_warehouses(session: Session) -> set[str]:
    """Warehouses that appear in the stock layout."""
    return set(session.exec(select(StockRow.warehouse).distinct()).all())


def get_settings(request: Request) -> SandboxSettings:
    """The app's settings (request dependency)."""
    settings: SandboxSettings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session on the app's engine (request dependency).

    Async on purpose: FastAPI runs sync dependencies in a threadpool, and all database
    work is meant to stay on the event loop's thread.
    """
    engine: Engine = request.app.state.engine
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[SandboxSettings, Depends(get_settings)]
