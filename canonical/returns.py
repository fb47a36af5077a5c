"""Returns: what a customer asks to send back, what is authorized, received, inspected
and credited (an RMA). Its statuses are `canonical.statuses.ReturnStatus`."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from canonical.events import TimelineEntry
from canonical.money import Money
from canonical.quantities import PositiveQuantity
from canonical.statuses import ReturnStatus


class ReturnReason(StrEnum):
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    NOT_NEEDED = "not_needed"
    DEFECTIVE = "defective"
    OTHER = "other"


class Disposition(StrEnum):
    RESTOCK = "restock"
    SCRAP = "scrap"


class ItemCondition(StrEnum):
    """What inspection found: sellable goods go back to stock, the rest is scrapped."""

    SELLABLE = "sellable"
    DAMAGED = "damaged"


class ReturnLineRequest(BaseModel):
    """One order line to send back, in the line's unit."""

    model_config = ConfigDict(frozen=True)

    line_no: int = Field(ge=1, le=999_999)
    quantity: PositiveQuantity


class ReturnRequest(BaseModel):
    """The body of `POST /orders/{order_id}/returns`.

    Attributes:
        rma_id: Optional; derived from the order and the request when absent, so the
            same request twice is one return.
        note: The customer's words.
    """

    model_config = ConfigDict(frozen=True)

    rma_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    reason: ReturnReason
    lines: list[ReturnLineRequest] = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=500)


class ReceivedLine(BaseModel):
    """What the warehouse received for one line of an RMA, and in what condition."""

    model_config = ConfigDict(frozen=True)

    line_no: int
    sku: str
    quantity: Decimal = Field(ge=0)
    condition: ItemCondition = ItemCondition.SELLABLE


class ReturnLine(BaseModel):
    """One line of an RMA, as it goes.

    Attributes:
        authorized: What may come back.
        received: What the warehouse received (may be less, or none).
        disposition: Per inspection: restock or scrap.
        unit_price: The order line's net price per unit, what the credit is based on.
    """

    line_no: int
    sku: str
    uom: str
    authorized: Decimal
    received: Decimal = Decimal(0)
    condition: ItemCondition | None = None
    disposition: Disposition | None = None
    unit_price: Money


class ReturnView(BaseModel):
    """An RMA as support sees it; served by `GET /returns/{rma_id}` and in the order.

    Attributes:
        warehouse: Where the goods go back to (where they shipped from).
        returns_order: The ERP's returns order.
        credit_memo: The ERP's credit memo, once credited.
        credit: What was credited: received and accepted value less the fee.
        fee: The restocking fee taken.
        refund_due: The invoice was already paid, so the customer is owed money back;
            otherwise the credit reduced what is owed.
        expires_at: When an authorized return with nothing received closes.
        awaiting_approval: A high-value return waits for ops.
    """

    rma_id: str
    order_id: str
    customer_id: str = ""
    status: ReturnStatus = ReturnStatus.REQUESTED
    reason: ReturnReason
    note: str = ""
    lines: list[ReturnLine] = []
    warehouse: str = ""
    denial_reason: str = ""
    awaiting_approval: bool = False
    returns_order: str = ""
    tracking_number: str = ""
    label_id: str = ""
    credit_memo: str = ""
    billing_document: str = ""
    credit: Money | None = None
    fee: Money | None = None
    refund_due: bool = False
    expires_at: datetime | None = None
    timeline: list[TimelineEntry] = []
