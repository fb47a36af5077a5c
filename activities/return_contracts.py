"""Names, inputs and results of the return (RMA) activities."""

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from canonical.address import Address
from canonical.money import Money
from canonical.returns import ReturnLine, ReturnRequest

AUTHORIZE_RETURN = "authorize_return"
SETTLE_RETURN = "settle_return"
CREATE_RETURNS_ORDER = "create_returns_order"
CANCEL_RETURNS_ORDER = "cancel_returns_order"
BUY_RETURN_LABEL = "buy_return_label"
VOID_RETURN_LABEL = "void_return_label"
RESTOCK_RETURNED = "restock_returned"
SCRAP_RETURNED = "scrap_returned"
CREDIT_RETURN = "credit_return"


class ReturnPolicy(BaseModel):
    """The rules a return runs under, from the worker's configuration.

    Attributes:
        window_days: Days after delivery a return may be asked for.
        approval_threshold: A return worth more than this waits for ops.
        approval_days: How long it waits before it is denied.
        receipt_days: How long an authorized return waits for the goods.
        fee_rate: The restocking fee for this return's reason, as a fraction.
    """

    window_days: float = 30
    approval_threshold: Decimal = Decimal("5000")
    approval_days: float = 7
    receipt_days: float = 21
    fee_rate: Decimal = Decimal(0)


class AuthorizeReturnInput(BaseModel):
    rma_id: str
    order_id: str
    request: ReturnRequest
    now: datetime


class AuthorizeReturnResult(BaseModel):
    """The verdict, and what the rest of the return needs to know about the order.

    Attributes:
        denial_reason: Empty when authorized.
        warehouse: Where the goods shipped from, and go back to.
        billing_document: The invoice the goods were billed on.
        invoice_paid: Whether that invoice was paid when the return was asked for.
    """

    denial_reason: str = ""
    lines: list[ReturnLine] = []
    policy: ReturnPolicy = ReturnPolicy()
    customer_id: str = ""
    currency: str = "EUR"
    sales_order: str = ""
    warehouse: str = ""
    billing_document: str = ""
    ship_from: Address | None = None
    invoice_paid: bool = False


class SettleReturnInput(BaseModel):
    """What came back per line, or `None`: nothing will (claims are released)."""

    rma_id: str
    received: dict[int, Decimal] | None = None


class ReturnsOrderInput(BaseModel):
    idempotency_key: str
    rma_id: str
    sales_order: str
    customer_id: str
    currency: str
    reason: str
    lines: list[ReturnLine]


class ReturnsOrderResult(BaseModel):
    returns_order: str = ""


class CancelReturnsOrderInput(BaseModel):
    idempotency_key: str
    returns_order: str = ""


class ReturnLabelInput(BaseModel):
    rma_id: str
    order_id: str
    ship_from: Address
    warehouse: str


class ReturnLabelResult(BaseModel):
    label_id: str = ""
    carrier: str = ""
    tracking_number: str = ""


class DispositionInput(BaseModel):
    idempotency_key: str
    rma_id: str
    warehouse: str
    sku: str
    quantity: Decimal


class CreditReturnInput(BaseModel):
    """Credit what came back: the credit memo, then where the money goes.

    Attributes:
        lines: Received quantities are credited at each line's price.
        fee_rate: The restocking fee, as a fraction of the value.
    """

    idempotency_key: str
    rma_id: str
    order_id: str
    returns_order: str
    billing_document: str
    customer_id: str
    currency: str
    lines: list[ReturnLine]
    fee_rate: Decimal = Decimal(0)


class CreditReturnResult(BaseModel):
    """The credit memo, and whether the customer is owed a refund (the invoice was paid)
    or owes less (it was open: the credit was applied to it)."""

    credit_memo: str
    credit: Money
    fee: Money
    refund_due: bool
