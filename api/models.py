"""Request and response models: the `*Create` / `*Public` families."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StringConstraints

from canonical.orders import OrderSubmission, RejectionReason
from canonical.returns import ReturnRequest, ReturnView
from canonical.statuses import OrderStatus
from canonical.view import OrderView
from store.cash_tables import UnappliedCash
from workflows.cash_contracts import CashRunResult


class OrderCreate(OrderSubmission):
    """The body of `POST /orders`."""


class OrderPublic(OrderView):
    """An order as the API shows it."""


class OrderActionCreate(BaseModel):
    """The optional body of `POST /orders/{order_id}/actions/{action}`.

    Attributes:
        shipment_id: Which shipment's parked step, when several wait; empty for the
            order's own step (or the first that waits).
        by: Who decided, for the timeline; the caller's key name when empty.
        note: Why, for the timeline (what was fixed before a retry).
    """

    shipment_id: str = Field(default="", max_length=80)
    by: str = Field(default="", max_length=60)
    note: str = Field(default="", max_length=500)


class OrderRejected(BaseModel):
    """The body of a 422 verdict: the order exists, REJECTED, with every reason."""

    order_id: str
    status: OrderStatus = OrderStatus.REJECTED
    reasons: list[RejectionReason]


class Problem(BaseModel):
    """An error body: `detail` says what is wrong in words a caller can act on."""

    detail: str


def problem(status_code: int, detail: str) -> JSONResponse:
    """An error answer with a `Problem` body."""
    return JSONResponse(status_code=status_code, content=Problem(detail=detail).model_dump())


class WebhookReceipt(BaseModel):
    """`accepted` (passed to the order) or `duplicate` (seen before, ignored)."""

    status: str
    event_id: str


class CashRunPublic(CashRunResult):
    """What a cash-application run (or an ops decision) applied, and what it kept."""


class CashApplyCreate(BaseModel):
    """An ops decision: apply an unapplied item to these invoices (billing documents),
    in this order."""

    invoices: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,20}$")]] = Field(
        min_length=1, max_length=50
    )
    decided_by: str = Field(default="ops", max_length=60)


class UnappliedCashPublic(BaseModel):
    """Money waiting for a decision, with the invoices it might be for."""

    id: int
    entry_id: str
    amount: Decimal
    currency: str
    value_date: date | None
    payer_name: str
    payer_account: str
    reference: str
    remittance: str
    reason: str
    candidates: list[str]
    state: str
    applied_to: list[str]

    @classmethod
    def from_row(cls, row: UnappliedCash) -> "UnappliedCashPublic":
        assert row.id is not None
        return cls(
            id=row.id,
            entry_id=row.entry_id,
            amount=row.amount,
            currency=row.currency,
            value_date=row.value_date,
            payer_name=row.payer_name,
            payer_account=row.payer_account,
            reference=row.reference,
            remittance=row.remittance,
            reason=row.reason,
            candidates=row.candidates.split(),
            state=row.state,
            applied_to=row.applied_to.split(),
        )


class ReturnCreate(ReturnRequest):
    """The body of `POST /orders/{order_id}/returns`."""


class ReturnPublic(ReturnView):
    """A return (RMA) as the API shows it."""


class ReturnApproval(BaseModel):
    """Who decides, and why."""

    by: str = Field(default="ops", max_length=60)
    note: str = Field(default="", max_length=500)
