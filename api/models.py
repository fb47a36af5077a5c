"""Request and response models: the `*Create` / `*Public` families."""

from pydantic import BaseModel

from canonical.orders import OrderSubmission, RejectionReason
from canonical.statuses import OrderStatus
from canonical.view import OrderView


class OrderCreate(OrderSubmission):
    """The body of `POST /orders`."""


class OrderPublic(OrderView):
    """An order as the API shows it."""


class OrderRejected(BaseModel):
    """The body of a 422 verdict: the order exists, REJECTED, with every reason."""

    order_id: str
    status: OrderStatus = OrderStatus.REJECTED
    reasons: list[RejectionReason]


class Problem(BaseModel):
    """An error body: `detail` says what is wrong in words a caller can act on."""

    detail: str


class WebhookReceipt(BaseModel):
    """`accepted` (passed to the order) or `duplicate` (seen before, ignored)."""

    status: str
    event_id: str
