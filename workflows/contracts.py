"""Workflow names, handler names and their models: what the API and ops tooling
need to talk to a running order, without importing workflow code."""

from typing import Literal

from pydantic import BaseModel, Field

from canonical.invoices import Invoice
from canonical.orders import Order, OrderSubmission, RejectionReason
from canonical.shipments import Shipment, ShipmentLine
from canonical.statuses import OrderStatus
from canonical.view import CompensationRecord, OrderView, ParkedStep
from canonical.x12.answers import PartnerOrder

ORDER_TO_CASH_WORKFLOW = "OrderToCash"
SHIPMENT_WORKFLOW = "Shipment"
SUBMIT_UPDATE = "submit"
VIEW_QUERY = "view"
VERDICT_QUERY = "verdict"
EXECUTION_EVENT_SIGNAL = "execution_event"
RECORD_EVENT_UPDATE = "record_event"
STOCK_ARRIVED_SIGNAL = "stock_arrived"
SHIPMENT_EVENT_SIGNAL = "shipment_event"
SHIPMENT_REPORT_SIGNAL = "shipment_report"
UNKNOWN_SHIPMENT = "UNKNOWN_SHIPMENT"
# Ops decisions on an order in NEEDS_ATTENTION: the signal is what the Temporal UI and
# CLI send; the update is what the API sends, to hear at once if it was refused.
DECIDE_SIGNAL = "decide"
DECIDE_UPDATE = "decide_now"
# Why a decision is refused (the update's ApplicationError type).
NOT_PARKED = "NOT_PARKED"
DECISION_REFUSED = "DECISION_REFUSED"


def order_workflow_id(order_id: str) -> str:
    """One workflow per order: the id is what makes submissions idempotent."""
    return f"order-{order_id}"


def shipment_workflow_id(shipment_id: str) -> str:
    """The child workflow of one shipment (`order-<order_id>-S1`)."""
    return f"order-{shipment_id}"


class RetryBudget(BaseModel):
    """How hard a forward step tries before the order fails and unwinds.

    Attributes:
        initial_interval_seconds: First wait between attempts; doubles each time.
        maximum_interval_seconds: The longest wait between attempts.
        maximum_attempts: Attempts before the step fails for good. Compensations and
            the verdict are not bounded: they retry until they succeed.
    """

    initial_interval_seconds: float = 1.0
    maximum_interval_seconds: float = 30.0
    maximum_attempts: int = 8


class OrderToCashInput(BaseModel):
    """How an order-to-cash workflow starts.

    Attributes:
        fingerprint: Digest of the submission, to tell a retry from a reused key.
        erp_task_queue: Where ERP activities run; empty means the workflow's own
            task queue. A dedicated queue lets one rate limit protect the ERP.
        erp_lookup_task_queue: Where the verdict's ERP lookups run; empty means
            `erp_task_queue`.
        warehouse_preference: Warehouses to try first, in order.
        retry: The retry budget of forward steps.
        backorder_window_days: How long a backordered quantity waits for stock
            before it is cancelled in the ERP.
        partner: For an EDI order, the purchase order as the partner sent it: the
            order then answers it (855, 856s, 810s) in the partner's terms.
    """

    order_id: str
    submission: OrderSubmission
    fingerprint: str = ""
    erp_task_queue: str = ""
    erp_lookup_task_queue: str = ""
    warehouse_preference: list[str] = []
    retry: RetryBudget = RetryBudget()
    backorder_window_days: float = 14.0
    partner: PartnerOrder | None = None


class SubmitVerdict(BaseModel):
    """The synchronous answer to a submission: ACCEPTED or REJECTED, with reasons."""

    order_id: str
    status: OrderStatus
    reasons: list[RejectionReason] = []
    fingerprint: str = ""
    view: OrderView


class OpsDecision(BaseModel):
    """What ops decide for an order waiting in `NEEDS_ATTENTION`.

    Sent as the `decide` signal from the Temporal UI, e.g.
    `{"action": "retry", "by": "ops", "note": "credit limit raised in SAP"}`.

    Attributes:
        action: `retry` runs the failed step again; `skip` passes it by (only where
            the step allows it); `cancel` runs the compensations and ends the order
            `CANCELLED` (only until goods have shipped).
        shipment_id: Which parked step, when several shipments wait at once; empty
            means the order's own step, or else the first shipment that waits.
        by: Who decided, for the timeline.
        note: Why, for the timeline.
    """

    action: Literal["retry", "skip", "cancel"]
    shipment_id: str = Field(default="", max_length=80)
    by: str = Field(default="ops", max_length=60)
    note: str = Field(default="", max_length=500)


class StockArrival(BaseModel):
    """Stock booked into a warehouse: a reason for a backordered order to plan again."""

    warehouse: str
    skus: list[str]


class ShipmentWorkflowInput(BaseModel):
    """One shipment, reserved, ready to release to its warehouse.

    Attributes:
        order: The accepted order (prices, ship-to, service level).
        sales_order: The ERP's sales order number.
    """

    order: Order
    shipment: Shipment
    sales_order: str
    erp_task_queue: str = ""
    retry: RetryBudget = RetryBudget()


class ShipmentReport(BaseModel):
    """What a shipment tells its order as it goes.

    Attributes:
        kind: `released`, `short` (picked less than planned: `short_lines` go back to
            planning), `labelled`, `shipped`, `delivered`, `documented` (delivery and
            billing documents made), `compensated` (`detail` names the step),
            `parked`, `resumed`.
        shipment: The shipment as its workflow sees it now.
        compensations: The shipment's own undo steps and their state.
        problem: With `parked` (a step failed for good and waits for a decision)
            and `resumed` (ops decided; `detail` says what).
    """

    kind: str
    shipment: Shipment
    short_lines: list[ShipmentLine] = []
    invoice: Invoice | None = None
    detail: str = ""
    compensations: list[CompensationRecord] = []
    problem: ParkedStep | None = None


class ShipmentOutcome(BaseModel):
    """How a shipment ended: `delivered`, or `nothing_picked` (the warehouse found
    none of it)."""

    result: str
    shipment: Shipment
