"""Allocation: the part of an order that decides where its lines ship from, and
keeps deciding as the world changes.

It plans the open lines over the warehouses' stock, reserves each planned shipment
and starts its ShipmentWorkflow, backorders what no warehouse has, and plans again
when stock arrives or a pick comes up short. A backorder that outlives its window is
cancelled in the ERP, and the order goes on with what shipped. Runs inside the
order's workflow: deterministic, all I/O through activities.
"""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception
from temporalio.workflow import ChildWorkflowCancellationType, ChildWorkflowHandle

with workflow.unsafe.imports_passed_through():
    from activities.contracts import (
        CHECK_STOCK,
        REJECT_ORDER_ITEMS,
        RELEASE_INVENTORY,
        RESERVE_INVENTORY,
        CheckStockInput,
        CheckStockResult,
        ItemCut,
        RejectOrderItemsInput,
        RejectOrderItemsResult,
        ShipmentInput,
        ShipmentStepResult,
    )
    from canonical.events import ExecutionEvent, ExecutionEventKind
    from canonical.fulfillment import OpenLine, StockFact, plan_fulfillment, shipment_id
    from canonical.orders import Order
    from canonical.shipments import Backorder, Shipment, ShipmentLine
    from workflows.contracts import (
        SHIPMENT_EVENT_SIGNAL,
        SHIPMENT_WORKFLOW,
        OrderToCashInput,
        ShipmentOutcome,
        ShipmentWorkflowInput,
        StockArrival,
        shipment_workflow_id,
    )
    from workflows.order_state import OrderState
    from workflows.saga import Saga
    from workflows.steps import Steps

# The events a shipment's own workflow waits for; the others only go on the order's
# timeline, and forwarding them would cost a signal each.
_SHIPMENT_ACTS_ON = frozenset(
    {
        ExecutionEventKind.PICKED,
        ExecutionEventKind.PACKED,
        ExecutionEventKind.SHIPPED,
        ExecutionEventKind.DELIVERED,
    }
)

# A reservation refused because another order took the stock first is planned again,
# this many times in a row at most, before the lines wait as backorders.
MAX_RESERVATION_RACES = 3


class Allocation:
    """Where an order's lines ship from.

    Args:
        state: The order's state (view, timeline, backorders).
        saga: The order's saga: each reservation records its release.
        steps: How activities run.
        input: The workflow input (preference, retry budget, queues).
        window: How long a backorder waits before it is cancelled.
        on_change: Called after each planning pass, expiry or finished shipment, so
            the order can publish what changed (its search attributes).
    """

    def __init__(
        self,
        state: OrderState,
        saga: Saga,
        steps: Steps,
        input: OrderToCashInput,
        window: timedelta,
        on_change: Callable[[], None],
    ) -> None:
        self._state, self._saga, self._steps, self._input = state, saga, steps, input
        self._window = window
        self._on_change = on_change
        self._order: Order | None = None
        self._sales_order = ""
        self._open: list[OpenLine] = []
        self._replan = False
        self._races = 0
        self._sequence = 0
        self._children: dict[str, ChildWorkflowHandle[object, ShipmentOutcome]] = {}
        self._watchers: dict[str, asyncio.Task[None]] = {}
        self._finished: list[tuple[str, ShipmentOutcome | BaseException]] = []
        self._cancelling = False
        # Told after each planning pass (an EDI order's 855 waits for the first).
        self.on_planned: Callable[[], None] = lambda: None

    # -- signals, relayed by the order --------------------------------------------

    def stock_arrived(self, arrival: StockArrival) -> None:
        if any(line.sku in arrival.skus for line in self._open):
            self._replan = True

    def short_picked(self, now: datetime, from_shipment: str, lines: list[ShipmentLine]) -> None:
        """A pick came up short: what was not picked is open again."""
        for line in lines:
            self._add_open(
                OpenLine(line_no=line.line_no, sku=line.sku, quantity=line.quantity, uom=line.uom)
            )
        detail = ", ".join(f"{line.sku} x {line.quantity}" for line in lines)
        self._state.record(now, "SHORT_PICKED", "wms", f"{from_shipment} short {detail}")
        self._replan = True

    async def forward(self, event: ExecutionEvent) -> None:
        """Pass an outside event on to the shipment it is about, if it acts on it."""
        if event.kind not in _SHIPMENT_ACTS_ON:
            return
        child = self._children.get(event.shipment_id)
        watcher = self._watchers.get(event.shipment_id)
        if child is None or watcher is None or watcher.done():
            return
        # The shipment may finish between our look and the signal: then it needs
        # nothing more, and the order has recorded the event already.
        with contextlib.suppress(ApplicationError):
            await child.signal(SHIPMENT_EVENT_SIGNAL, event)

    def backordered_skus(self) -> list[str]:
        return sorted({b.sku for b in self._state.waiting_backorders()})

    # -- the loop ---------------------------------------------------------------

    async def run(self, order: Order, sales_order: str) -> None:
        """Until every line has shipped and been delivered, or been cancelled."""
        self._order, self._sales_order = order, sales_order
        self._open = [
            OpenLine(line_no=line.line_no, sku=line.sku, quantity=line.quantity, uom=line.uom)
            for line in order.lines
        ]
        self._replan = True
        while True:
            if self._replan and self._open:
                self._replan = False
                await self._allocate(order)
            self._collect()
            if not self._open and not self._running():
                return
            await self._wait_for_change()

    async def cancel_shipments(self) -> None:
        """Cancel every running shipment and wait until each has undone its steps.

        Cancellation is asked of each child by its id rather than by cancelling the
        task that awaits it: a task cancelled while its child is still starting
        loses the request, and the child would ship regardless.
        """
        self._cancelling = True
        for shipment_id, child in self._children.items():
            watcher = self._watchers[shipment_id]
            if not watcher.done():
                await self._cancel_child(child.id)
        running = [task for task in self._watchers.values() if not task.done()]
        if running:
            await workflow.wait(running)

    @staticmethod
    async def _cancel_child(workflow_id: str) -> None:
        # Already finished is fine: there is nothing left to cancel.
        with contextlib.suppress(ApplicationError):
            await workflow.get_external_workflow_handle(workflow_id).cancel()

    async def _wait_for_change(self) -> None:
        waiting = self._state.waiting_backorders()
        timeout: timedelta | None = None
        if waiting:
            timeout = max(min(b.until for b in waiting) - workflow.now(), timedelta(0))
        try:
            await workflow.wait_condition(
                lambda: (
                    self._replan or bool(self._finished) or (not self._open and not self._running())
                ),
                timeout=timeout,
            )
        except TimeoutError:
            await self._expire_backorders()

    async def _allocate(self, order: Order) -> None:
        levels = await self._steps.run(
            CHECK_STOCK,
            CheckStockInput(skus=sorted({line.sku for line in self._open})),
            CheckStockResult,
        )
        plan = plan_fulfillment(
            self._open,
            [
                StockFact(warehouse=s.warehouse, sku=s.sku, available=s.available)
                for s in levels.levels
            ],
            order.fulfillment_policy,
            self._input.warehouse_preference,
        )
        # What waits is known from the plan: record it before reserving, so the view
        # never shows a new shipment beside a backorder it already released.
        self._open = list(plan.backordered)
        self._record_backorders()
        raced = False
        for planned in plan.shipments:
            self._sequence += 1
            shipment = Shipment(
                shipment_id=shipment_id(order.order_id, self._sequence),
                warehouse=planned.warehouse,
                lines=planned.lines,
            )
            if await self._reserve(order, shipment):
                self._start_shipment(order, shipment)
                continue
            raced = True
            for line in shipment.lines:
                self._add_open(
                    OpenLine(
                        line_no=line.line_no, sku=line.sku, quantity=line.quantity, uom=line.uom
                    )
                )
        if raced:
            self._record_backorders()
        self.on_planned()

    def _record_backorders(self) -> None:
        now = workflow.now()
        self._state.backorder(
            now,
            [
                Backorder(
                    line_no=line.line_no,
                    sku=line.sku,
                    quantity=line.quantity,
                    uom=line.uom,
                    since=now,
                    until=now,
                )
                for line in self._open
            ],
            self._window,
        )
        if self._open:
            detail = ", ".join(
                f"line {line.line_no} {line.sku} x {line.quantity}" for line in self._open
            )
            self._state.record(now, "BACKORDERED", "ordermesh", detail)
        self._on_change()

    async def _reserve(self, order: Order, shipment: Shipment) -> bool:
        step = ShipmentInput(order_id=order.order_id, shipment=shipment, ship_to=order.ship_to)
        self._saga.record(
            RELEASE_INVENTORY,
            lambda: self._steps.run(RELEASE_INVENTORY, step, ShipmentStepResult, patient=True),
            detail=shipment.shipment_id,
        )
        try:
            await self._steps.run(
                RESERVE_INVENTORY, step, ShipmentStepResult, handled=["INSUFFICIENT_STOCK"]
            )
        except ActivityError as err:
            refused = (
                isinstance(err.cause, ApplicationError) and err.cause.type == "INSUFFICIENT_STOCK"
            )
            if not refused or self._races >= MAX_RESERVATION_RACES:
                if refused:
                    return False
                raise
            # Another order took the stock between our look and our reservation.
            self._races += 1
            self._replan = True
            return False
        self._races = 0
        self._state.add_shipment(shipment)
        self._state.record(
            workflow.now(),
            "ALLOCATED",
            "wms",
            f"{shipment.shipment_id} reserved in {shipment.warehouse}",
        )
        return True

    def _start_shipment(self, order: Order, shipment: Shipment) -> None:
        # The watcher starts the child itself, and exists before anything is awaited:
        # a cancellation that lands while the child is starting still reaches it.
        self._watchers[shipment.shipment_id] = asyncio.ensure_future(
            self._run_shipment(order, shipment)
        )

    async def _run_shipment(self, order: Order, shipment: Shipment) -> None:
        outcome: ShipmentOutcome | BaseException
        try:
            handle: ChildWorkflowHandle[
                object, ShipmentOutcome
            ] = await workflow.start_child_workflow(
                SHIPMENT_WORKFLOW,
                ShipmentWorkflowInput(
                    order=order,
                    shipment=shipment,
                    sales_order=self._sales_order,
                    erp_task_queue=self._input.erp_task_queue,
                    retry=self._input.retry,
                ),
                id=shipment_workflow_id(shipment.shipment_id),
                result_type=ShipmentOutcome,
                cancellation_type=ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
            )
            self._children[shipment.shipment_id] = handle
            if self._cancelling:  # the order was cancelled while this one started
                await self._cancel_child(handle.id)
            outcome = await handle
        except BaseException as err:  # kept, and raised by the loop: see `_collect`
            outcome = err
        self._finished.append((shipment.shipment_id, outcome))

    def _collect(self) -> None:
        finished, self._finished = self._finished, []
        for shipment_id, outcome in finished:
            if isinstance(outcome, BaseException):
                if is_cancelled_exception(outcome):
                    continue
                raise outcome
            self._state.merge_shipment(outcome.shipment)
            if outcome.result == "nothing_picked":
                self._state.void_shipment(shipment_id)
            self._on_change()

    def _running(self) -> bool:
        return any(not task.done() for task in self._watchers.values())

    async def _expire_backorders(self) -> None:
        assert self._order is not None
        expired = self._state.expire_backorders(workflow.now())
        if not expired:
            return
        gone = {b.line_no for b in expired}
        self._open = [line for line in self._open if line.line_no not in gone]
        if not self._state.view.shipments or all(
            s.status.value == "VOIDED" for s in self._state.view.shipments
        ):
            raise ApplicationError(
                f"backorder window of {self._window.days} days passed and nothing could ship",
                type="BACKORDER_EXPIRED",
                non_retryable=True,
            )
        cuts = []
        for backorder in expired:
            line = next(o for o in self._order.lines if o.line_no == backorder.line_no)
            cuts.append(
                ItemCut(
                    line_no=line.line_no,
                    keep_quantity=max(line.quantity - backorder.quantity, Decimal(0)),
                    unit_price=line.unit_price.amount,
                )
            )
        reason = f"backorder window of {self._window.days} days passed"
        # Skippable: ops may have cut the items in the ERP by hand.
        await self._steps.run_skippable(
            REJECT_ORDER_ITEMS,
            RejectOrderItemsInput(sales_order=self._sales_order, cuts=cuts, reason=reason),
            RejectOrderItemsResult,
            erp=True,
        )
        self._on_change()
        for backorder in expired:
            self._state.record(
                workflow.now(),
                "BACKORDER_CANCELLED",
                "erp",
                f"line {backorder.line_no} {backorder.sku} x {backorder.quantity}: {reason}",
            )

    def _add_open(self, line: OpenLine) -> None:
        for index, known in enumerate(self._open):
            if known.line_no == line.line_no:
                self._open[index] = known.model_copy(
                    update={"quantity": known.quantity + line.quantity}
                )
                return
        self._open.append(line)
