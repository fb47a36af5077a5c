"""Workflow names, handler names and their models: what the API and ops tooling
need to talk to a running order, without importing workflow code."""

from pydantic import BaseModel

from canonical.orders import OrderSubmission, RejectionReason
from canonical.statuses import OrderStatus
from canonical.view import OrderView

ORDER_TO_CASH_WORKFLOW = "OrderToCash"
SUBMIT_UPDATE = "submit"
VIEW_QUERY = "view"
VERDICT_QUERY = "verdict"
EXECUTION_EVENT_SIGNAL = "execution_event"
RECORD_EVENT_UPDATE = "record_event"
UNKNOWN_SHIPMENT = "UNKNOWN_SHIPMENT"


def order_workflow_id(order_id: str) -> str:
    """One workflow per order: the id is what makes submissions idempotent."""
    return f"order-{order_id}"


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
        warehouse_preference: Warehouses to try first, in order.
        retry: The retry budget of forward steps.
    """

    order_id: str
    submission: OrderSubmission
    fingerprint: str = ""
    erp_task_queue: str = ""
    warehouse_preference: list[str] = []
    retry: RetryBudget = RetryBudget()


class SubmitVerdict(BaseModel):
    """The synchronous answer to a submission: ACCEPTED or REJECTED, with reasons."""

    order_id: str
    status: OrderStatus
    reasons: list[RejectionReason] = []
    fingerprint: str = ""
    view: OrderView
