"""Scheduled events and the dispatcher that applies and delivers them.

Every event the sandbox will send is first a row in `sandbox_outbox` with a due time.
The dispatcher, a background task, does two things on each tick:

1. Applies due rows: calls the applier registered for the row's source and kind,
   which changes the warehouse or carrier state (and may schedule the next event)
   in the same transaction that marks the row `pending`, or returns `None` when the
   event no longer makes sense (say the shipment was recalled), marking it `skipped`.
2. Delivers `pending` rows as signed webhooks, at least once: connection errors and
   5xx are retried with a doubling backoff for a long time, so events survive the
   API being down; a 4xx is recorded and delivery stops, because resending the same
   bytes will get the same answer.

Deliveries for one shipment go out in the order they were applied, so a receiver
sees picked before packed before shipped unless it asks for a retry in between.
Events that happen at once rather than on a schedule (stock received) are written
already applied (`emit`); those without a shipment share one lane, in order.
"""

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from canonical.events import EventLine, ExecutionEvent, ExecutionEventKind
from canonical.signing import SIGNATURE_HEADER, sign
from sandbox.db import OutboxRow
from sandbox.settings import SandboxSettings

log = logging.getLogger(__name__)

SCHEDULED = "scheduled"
CANCELLED = "cancelled"
SKIPPED = "skipped"
PENDING = "pending"
SENT = "sent"
REJECTED = "rejected"
FAILED = "failed"

# A backlog (the API was down) drains in batches rather than all at once.
MAX_PARALLEL_DELIVERIES = 32


# (line_no, sku, quantity), or with the returned goods' condition as a fourth item.
EventLineTuple = tuple[int, str, int] | tuple[int, str, int, str]


@dataclass(frozen=True)
class Applied:
    """What an applier adds to the event it applied.

    Attributes:
        lines: Quantities the event reports: `(line_no, sku, quantity)`, or
            `(line_no, sku, quantity, condition)` for returned goods.
        warehouse: Where it happened, for events that name no shipment.
        rma_id: The return the event is about, for `return_received`.
    """

    tracking_number: str = ""
    detail: str = ""
    lines: tuple[EventLineTuple, ...] = ()
    warehouse: str = ""
    rma_id: str = ""


# (session, row, now) -> Applied, or None when the event is stale.
Applier = Callable[[Session, OutboxRow, float], Applied | None]


@dataclass
class Faults:
    """Fault injection that can be changed while the app runs."""

    latency_ms: int = 0
    error_rate: float = 0.0
    duplicate_event_rate: float = 0.0


def schedule(
    session: Session,
    *,
    source: str,
    kind: ExecutionEventKind,
    order_id: str,
    shipment_id: str,
    due_at: float,
    tracking_number: str = "",
) -> OutboxRow:
    """Add an event due at `due_at` (epoch seconds); the caller commits."""
    row = OutboxRow(
        event_id=str(uuid.uuid4()),
        source=source,
        kind=kind.value,
        order_id=order_id,
        shipment_id=shipment_id,
        tracking_number=tracking_number,
        due_at=due_at,
    )
    session.add(row)
    return row


def cancel_scheduled(session: Session, *, source: str, shipment_id: str) -> int:
    """Cancel the not-yet-applied events of a shipment; the caller commits."""
    rows = session.exec(
        select(OutboxRow).where(
            OutboxRow.source == source,
            OutboxRow.shipment_id == shipment_id,
            OutboxRow.status == SCHEDULED,
        )
    ).all()
    for row in rows:
        row.status = CANCELLED
        session.add(row)
    return len(rows)


def seal(row: OutboxRow, result: Applied, now: float) -> None:
    """Write the event's body (the bytes every delivery sends) and make it pending."""
    if result.tracking_number:
        row.tracking_number = result.tracking_number
    row.detail = result.detail
    event = ExecutionEvent(
        event_id=row.event_id,
        source=row.source,
        kind=ExecutionEventKind(row.kind),
        order_id=row.order_id,
        shipment_id=row.shipment_id,
        occurred_at=datetime.fromtimestamp(now, UTC),
        tracking_number=row.tracking_number,
        detail=row.detail,
        warehouse=result.warehouse,
        rma_id=result.rma_id,
        lines=event_lines(result.lines),
    )
    row.body = event.model_dump_json()
    row.status = PENDING
    row.applied_at = now
    row.next_attempt_at = now


def event_lines(lines: Sequence[EventLineTuple]) -> list[EventLine]:
    """`(line_no, sku, quantity[, condition])` tuples as the event's lines."""
    events = []
    for line_no, sku, quantity, *condition in lines:
        events.append(
            EventLine(
                line_no=line_no,
                sku=sku,
                quantity=Decimal(quantity),
                condition=condition[0] if condition else "",
            )
        )
    return events


def emit(
    session: Session,
    *,
    source: str,
    kind: ExecutionEventKind,
    result: Applied,
    now: float,
    order_id: str = "",
    shipment_id: str = "",
    event_id: str | None = None,
) -> OutboxRow:
    """Add an event that already happened, ready for delivery; the caller commits.

    `event_id` defaults to a new UUID; a caller passes one when the sender chose it.
    """
    row = OutboxRow(
        event_id=event_id or str(uuid.uuid4()),
        source=source,
        kind=kind.value,
        order_id=order_id,
        shipment_id=shipment_id,
        due_at=now,
    )
    seal(row, result, now)
    session.add(row)
    return row


def iso(epoch: float | None) -> str | None:
    """Epoch seconds as an ISO 8601 UTC timestamp."""
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat()


class Dispatcher:
    """Applies due events and delivers them as webhooks.

    Start it with `start()` (the app's lifespan does) and stop it with `stop()`; or
    drive it by hand with `run_once()`, which is what deterministic tests do.

    Args:
        settings: Webhook URL, secrets, retry timing and tick interval.
        engine: The sandbox database.
        appliers: The state change for each `(source, kind)`.
        faults: Live fault settings; `duplicate_event_rate` is read from here.
        client: The HTTP client to deliver with. When omitted, one is made on
            `start()` and closed on `stop()`; an injected client is left open.
        rng: Randomness for duplicate deliveries.
    """

    def __init__(
        self,
        settings: SandboxSettings,
        engine: Engine,
        appliers: Mapping[tuple[str, str], Applier],
        faults: Faults,
        *,
        client: httpx.AsyncClient | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.appliers = dict(appliers)
        self.faults = faults
        self._client = client
        self._owns_client = client is None
        self._rng = rng or random.Random(settings.random_seed)
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    @property
    def running(self) -> bool:
        """True while the background task is alive."""
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Start the background task; harmless if it is already running."""
        if self.running:
            return
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.settings.webhook_timeout)
        self._task = asyncio.create_task(self._loop(), name="sandbox-dispatcher")

    async def stop(self) -> None:
        """Stop the background task and close the client if the dispatcher made it."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                # One bad row must not stop the simulator; it is retried next tick.
                log.exception("sandbox dispatcher tick failed")
            await asyncio.sleep(self.settings.dispatch_interval)

    async def run_once(self, now: float | None = None) -> int:
        """Apply what is due and deliver what is pending, once.

        Args:
            now: The clock to use, epoch seconds; defaults to the wall clock. Tests
                pass a later time to make delayed events due at once.

        Returns:
            How many events were applied or delivery-attempted.
        """
        async with self._lock:
            now = time.time() if now is None else now
            applied = self._apply_due(now)
            delivered = await self._deliver_pending(now)
            return applied + delivered

    def _apply_due(self, now: float) -> int:
        with Session(self.engine) as session:
            ids = session.exec(
                select(OutboxRow.id)
                .where(OutboxRow.status == SCHEDULED, OutboxRow.due_at <= now)
                .order_by(col(OutboxRow.due_at), col(OutboxRow.id))
            ).all()
        for row_id in ids:
            # One transaction per event: its state change and its status together.
            with Session(self.engine) as session:
                row = session.get(OutboxRow, row_id)
                if row is None or row.status != SCHEDULED:
                    continue  # cancelled by an earlier event in this batch
                applier = self.appliers.get((row.source, row.kind))
                try:
                    result = applier(session, row, now) if applier else None
                    if result is None:
                        row.status = SKIPPED
                    else:
                        seal(row, result, now)
                except Exception as exc:
                    # A row that cannot be applied would otherwise fail every tick
                    # and hold up every row behind it.
                    log.exception("cannot apply %s event %s", row.kind, row.event_id)
                    session.rollback()
                    row = session.get(OutboxRow, row_id)
                    if row is None:
                        continue
                    row.status = FAILED
                    row.last_response = f"not applied: {type(exc).__name__}: {exc}"[:500]
                session.add(row)
                session.commit()
        return len(ids)

    async def _deliver_pending(self, now: float) -> int:
        with Session(self.engine) as session:
            rows = session.exec(
                select(OutboxRow).where(OutboxRow.status == PENDING).order_by(col(OutboxRow.id))
            ).all()
        blocked: set[str] = set()
        due: list[OutboxRow] = []
        for row in rows:
            # Only the oldest pending event of a shipment may go; the rest wait for it.
            if row.shipment_id in blocked:
                continue
            blocked.add(row.shipment_id)
            if row.next_attempt_at is None or row.next_attempt_at <= now:
                due.append(row)
            if len(due) >= MAX_PARALLEL_DELIVERIES:
                break
        if due:
            await asyncio.gather(*(self._deliver(row, now) for row in due))
        return len(due)

    async def _deliver(self, row: OutboxRow, now: float) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.settings.webhook_timeout)
            self._owns_client = True
        url = f"{self.settings.webhook_base_url.rstrip('/')}/{row.source}"
        body = row.body.encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self.settings.secret_for(row.source), body),
        }
        status_code: int | None = None
        try:
            response = await self._client.post(url, content=body, headers=headers)
            status_code = response.status_code
            last_response = response.text[:500]
            if response.is_success and self._rng.random() < self.faults.duplicate_event_rate:
                await self._client.post(url, content=body, headers=headers)
                row.duplicates_sent += 1
        except httpx.HTTPError as exc:
            last_response = f"{type(exc).__name__}: {exc}"[:500]
        self._record(row, status_code, last_response, now)

    def _record(self, row: OutboxRow, status_code: int | None, response: str, now: float) -> None:
        with Session(self.engine) as session:
            stored = session.get(OutboxRow, row.id)
            if stored is None:
                return
            stored.attempts += 1
            stored.last_status_code = status_code
            stored.last_response = response
            stored.duplicates_sent = row.duplicates_sent
            if status_code is not None and 200 <= status_code < 300:
                stored.status = SENT
                stored.sent_at = now
            elif status_code is not None and 400 <= status_code < 500:
                stored.status = REJECTED
                log.warning("webhook %s %s refused: %s", stored.kind, stored.event_id, status_code)
            elif stored.applied_at is not None and (
                now - stored.applied_at >= self.settings.retry_give_up_after
            ):
                stored.status = FAILED
                log.error("webhook %s %s given up", stored.kind, stored.event_id)
            else:
                backoff = self.settings.retry_initial * 2 ** (stored.attempts - 1)
                stored.next_attempt_at = now + min(backoff, self.settings.retry_max)
            session.add(stored)
            session.commit()
