"""What the workflow tests share: a worker over the fakes, submissions, and the
warehouse and carrier played by the test."""

import asyncio
import contextlib
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from activities.carrier import CarrierActivities
from activities.cash import CashActivities
from activities.erp import ErpActivities
from activities.returns import ReturnActivities, ReturnSettings
from activities.transport import TransportActivities
from activities.warehouse import WarehouseActivities
from adapters.bank.fake import FakeBank
from adapters.carrier.fake import FakeCarrier
from adapters.erp.fake import FakeErp
from adapters.tms.fake import FakeTms
from adapters.wms.fake import FakeWms
from canonical.address import Address
from canonical.events import EventLine, ExecutionEvent, ExecutionEventKind
from canonical.invoices import Payment
from canonical.orders import OrderSubmission, SubmittedLine
from canonical.pricing import DEMO_PRICE_LIST
from canonical.statuses import TERMINAL_ORDER_STATUSES, OrderStatus
from canonical.view import OrderView
from canonical.x12.answers import PartnerOrder
from store.cash_ledger import CashLedger
from store.db import create_schema, make_engine
from store.returns_ledger import ReturnsLedger
from tests.helpers import new_worker
from tests.workflows.fake_partner import FakePartnerChannel
from workers.order_directory import TemporalOrderDirectory
from workers.registry import (
    WORKFLOWS,
    erp_lookup_activities,
    erp_queue_activities,
    order_queue_activities,
)
from workflows.cash_contracts import PAYMENT_APPLIED_SIGNAL
from workflows.contracts import (
    DECIDE_UPDATE,
    EXECUTION_EVENT_SIGNAL,
    ORDER_TO_CASH_WORKFLOW,
    SUBMIT_UPDATE,
    VIEW_QUERY,
    OpsDecision,
    OrderToCashInput,
    RetryBudget,
    SubmitVerdict,
    order_workflow_id,
)

SHIP_TO = Address(
    name="Becker Berlin",
    street="Unter den Linden 1",
    city="Berlin",
    postal_code="10117",
    country="DE",
)


def submission(**changes: Any) -> OrderSubmission:
    """The demo order: customer 1000001, TG11 x 5 PC and TG12 x 2 PC."""
    base: dict[str, Any] = {
        "customer_id": "1000001",
        "customer_po": "PO-4711",
        "ship_to": SHIP_TO,
        "lines": [
            SubmittedLine(sku="TG11", quantity=Decimal(5)),
            SubmittedLine(sku="TG12", quantity=Decimal(2)),
        ],
    }
    base.update(changes)
    return OrderSubmission(**base)


@dataclass
class Stack:
    """A worker running the real workflow and activities over the fakes."""

    client: Client
    task_queue: str
    erp: FakeErp = field(default_factory=FakeErp)
    wms: FakeWms = field(
        default_factory=lambda: FakeWms(
            on_hand={("W1", "TG11"): 100, ("W1", "TG12"): 100, ("W2", "TG11"): 3}
        )
    )
    carrier: FakeCarrier = field(default_factory=FakeCarrier)
    tms: FakeTms = field(default_factory=FakeTms)
    bank: FakeBank = field(default_factory=FakeBank)
    ledger: CashLedger = field(default_factory=lambda: new_ledger())
    partner: FakePartnerChannel = field(default_factory=FakePartnerChannel)
    started: list[WorkflowHandle[Any, Any]] = field(default_factory=list)
    return_settings: ReturnSettings = field(default_factory=ReturnSettings)
    # Retry backoff is real time even on the time-skipping server: keep it short.
    retry: RetryBudget = field(
        default_factory=lambda: RetryBudget(
            initial_interval_seconds=0.01, maximum_interval_seconds=0.05
        )
    )

    async def submit(
        self,
        order_id: str | None = None,
        body: OrderSubmission | None = None,
        partner: PartnerOrder | None = None,
    ) -> tuple[SubmitVerdict, WorkflowHandle[Any, Any]]:
        order_id = order_id or f"T-{uuid.uuid4().hex[:10]}"
        # Start, then ask for the verdict, rather than update-with-start: the
        # time-skipping test server leaves time skipping locked after an
        # update-with-start, so no timer would ever fire. The API and end-to-end
        # tests cover update-with-start on the dev server.
        handle: WorkflowHandle[Any, Any] = await self.client.start_workflow(
            ORDER_TO_CASH_WORKFLOW,
            OrderToCashInput(
                order_id=order_id,
                submission=body or submission(),
                warehouse_preference=["W1", "W2", "W3"],
                retry=self.retry,
                partner=partner,
            ),
            id=order_workflow_id(order_id),
            task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
        self.started.append(handle)
        verdict = await handle.execute_update(SUBMIT_UPDATE, result_type=SubmitVerdict)
        return verdict, handle

    async def end_orders(self) -> None:
        """End what the test left running: on the time-skipping server a workflow
        nobody serves any more stops time for every test after. An order still
        unwinding (or that can be cancelled) is let finish its undo steps, since
        terminating it mid-step leaves the test server waiting on the step; the rest
        (an order waiting for payment, a return) is terminated."""
        for handle in self.started:
            with contextlib.suppress(RPCError):
                if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
                    continue
                undoable = not handle.id.startswith("order-")  # a return unwinds, or refuses
                if not undoable:
                    view = await view_of(handle)
                    undoable = view.status in _UNDOABLE or (
                        view.status is OrderStatus.NEEDS_ATTENTION
                        and not any(s.shipped_at for s in view.shipments)
                    )
                if undoable:
                    await handle.cancel()
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(handle.result(), timeout=10)
                if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                    await handle.terminate("test over")
        # An EDI order's partner documents outlive it by design; not a test's.
        for handle in self.started:
            edi = self.client.get_workflow_handle(f"{handle.id}-EDI")
            with contextlib.suppress(RPCError):
                if (await edi.describe()).status == WorkflowExecutionStatus.RUNNING:
                    await edi.terminate("test over")


# An order in these states unwinds when cancelled.
_UNDOABLE = frozenset(
    {
        OrderStatus.RECEIVED,
        OrderStatus.ACCEPTED,
        OrderStatus.ALLOCATED,
        OrderStatus.BACKORDERED,
        OrderStatus.RELEASED,
        OrderStatus.CANCELLING,
    }
)


@asynccontextmanager
async def running_stack(client: Client, **fakes: Any) -> AsyncIterator[Stack]:
    stack = Stack(client=client, task_queue=f"tq-{uuid.uuid4()}", **fakes)
    cash = CashActivities(stack.bank, stack.erp, stack.ledger)
    erp = ErpActivities(stack.erp, DEMO_PRICE_LIST)
    returns = ReturnActivities(
        stack.erp,
        stack.wms,
        stack.carrier,
        ReturnsLedger(stack.ledger.engine),
        stack.ledger,
        TemporalOrderDirectory(client),
        stack.return_settings,
    )
    worker = new_worker(
        client,
        task_queue=stack.task_queue,
        workflows=WORKFLOWS,
        activities=[
            *order_queue_activities(
                WarehouseActivities(stack.wms),
                CarrierActivities(stack.carrier),
                TransportActivities(stack.tms),
                cash,
                returns,
            ),
            *erp_queue_activities(erp, cash, returns),
            *erp_lookup_activities(erp),
            stack.partner.send_partner_document,
        ],
    )
    async with worker:
        try:
            yield stack
        finally:
            await stack.end_orders()


def new_ledger() -> CashLedger:
    """A cash ledger in a SQLite file of its own (activities use it from threads)."""
    engine = make_engine(f"sqlite:///{tempfile.mkdtemp(prefix='ledger-')}/ledger.db")
    create_schema(engine)
    return CashLedger(engine)


async def pay_invoices(handle: WorkflowHandle[Any, Any]) -> OrderView:
    """Play cash application: every open invoice of the order paid in full."""
    view = await view_of(handle)
    for invoice in view.invoices:
        if invoice.open_amount > 0:
            await handle.signal(
                PAYMENT_APPLIED_SIGNAL,
                Payment(
                    payment_id=f"bank-{invoice.billing_document}",
                    billing_document=invoice.billing_document,
                    amount=invoice.amount_due.model_copy(update={"amount": invoice.open_amount}),
                    rule="reference",
                ),
            )
    return view


async def view_of(handle: WorkflowHandle[Any, Any]) -> OrderView:
    view: OrderView = await handle.query(VIEW_QUERY, result_type=OrderView)
    return view


async def until(
    handle: WorkflowHandle[Any, Any], check: Callable[[OrderView], bool], seconds: float = 15
) -> OrderView:
    """Poll the view until `check` holds; fail with the last view if it never does."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        view = await view_of(handle)
        if check(view):
            return view
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition never held; last view: {view.model_dump_json()}")
        await asyncio.sleep(0.05)


async def send_event(
    handle: WorkflowHandle[Any, Any],
    shipment_id: str,
    kind: ExecutionEventKind,
    *,
    event_id: str | None = None,
    source: str = "wms",
    tracking_number: str = "",
    lines: list[EventLine] | None = None,
    at: datetime | None = None,
) -> None:
    """Play the warehouse or the carrier (`at`: when it happened, now by default; on
    the time-skipping server, pass the server's time)."""
    order_id = shipment_id.rsplit("-S", 1)[0]
    await handle.signal(
        EXECUTION_EVENT_SIGNAL,
        ExecutionEvent(
            event_id=event_id or uuid.uuid4().hex,
            source=source,
            kind=kind,
            order_id=order_id,
            shipment_id=shipment_id,
            occurred_at=at or datetime.now(UTC),
            tracking_number=tracking_number,
            lines=lines or [],
        ),
    )


async def parked(handle: WorkflowHandle[Any, Any], seconds: float = 15) -> OrderView:
    """Wait until the order waits for a decision in NEEDS_ATTENTION."""
    return await until(
        handle,
        lambda v: v.status is OrderStatus.NEEDS_ATTENTION and bool(v.attention),
        seconds=seconds,
    )


async def decide(handle: WorkflowHandle[Any, Any], action: str, **fields: Any) -> OrderView:
    """Ops decide for a parked order, as the API does (the `decide_now` update)."""
    view: OrderView = await handle.execute_update(
        DECIDE_UPDATE, OpsDecision(action=action, **fields), result_type=OrderView
    )
    return view


def shipment_status(view: OrderView) -> str:
    return view.shipments[0].status.value if view.shipments else ""


async def ship_through(
    handle: WorkflowHandle[Any, Any], shipment_id: str, at: datetime | None = None
) -> OrderView:
    """Play the warehouse and carrier for one shipment, from picked to delivered."""
    await send_event(handle, shipment_id, ExecutionEventKind.PICKED, at=at)
    await send_event(handle, shipment_id, ExecutionEventKind.PACKED, at=at)
    view = await until(handle, lambda v: _shipment(v, shipment_id).tracking_number != "")
    await send_event(handle, shipment_id, ExecutionEventKind.SHIPPED, at=at)
    await until(handle, lambda v: _shipment(v, shipment_id).billing_document != "")
    await send_event(handle, shipment_id, ExecutionEventKind.DELIVERED, source="carrier", at=at)
    return view


def _shipment(view: OrderView, shipment_id: str) -> Any:
    return next(s for s in view.shipments if s.shipment_id == shipment_id)


def compensations_run(view: OrderView) -> list[str]:
    """The compensation steps, in the order they ran, from the timeline."""
    return [e.detail.split()[0] for e in view.timeline if e.kind == "COMPENSATED"]


async def result_of(handle: WorkflowHandle[Any, Any]) -> OrderView:
    """The workflow's result, as the view it returns; once the order is invoiced in
    full, its invoices are paid (an order completes when paid).

    The view is polled until then rather than the result awaited: awaiting the result
    lets the time-skipping server skip time, and an order waiting for payment would
    have it skip straight past every due date. A test that needs time to pass says so
    with `env.sleep`."""
    view = await until(
        handle,
        lambda v: (
            v.status in (OrderStatus.INVOICED, OrderStatus.PAID)
            or v.status in TERMINAL_ORDER_STATUSES
            or v.status is OrderStatus.NEEDS_ATTENTION
        ),
        seconds=30,
    )
    if view.status is OrderStatus.INVOICED:
        await pay_invoices(handle)
    return OrderView.model_validate(await handle.result())
