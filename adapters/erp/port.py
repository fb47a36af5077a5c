"""What Ordermesh asks of an ERP, independent of which ERP it is."""

from datetime import date
from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from canonical.cash import Receivable


def workflow_of(idempotency_key: str) -> str:
    """The workflow a key was derived from: keys are `<workflow id>:<step>`, so the key
    without its last `:<step>`; "" for a key not of that form."""
    workflow, _, step = idempotency_key.rpartition(":")
    return workflow if workflow and step else ""


class ErpCustomer(BaseModel):
    """A sold-to party.

    Attributes:
        blocked: Centrally blocked (no orders may be taken).
        payment_terms: The ERP's terms key, e.g. `NT30`; empty when unset.
    """

    model_config = ConfigDict(frozen=True)

    customer_id: str
    name: str
    blocked: bool = False
    payment_terms: str = ""


class ErpProduct(BaseModel):
    """A material.

    Attributes:
        base_unit: The unit stock and prices are kept in, e.g. `PC`.
        blocked: Marked for deletion or blocked for sales.
    """

    model_config = ConfigDict(frozen=True)

    sku: str
    description: str = ""
    base_unit: str
    blocked: bool = False


class ErpOrderItem(BaseModel):
    """One sales order item; `line_no` becomes the ERP item number (10 -> 000010)."""

    model_config = ConfigDict(frozen=True)

    line_no: int
    sku: str
    quantity: Decimal
    uom: str
    net_amount: Decimal


class SalesOrderRequest(BaseModel):
    """A sales order to create.

    Attributes:
        idempotency_key: Derived from the workflow id and the step; the same key
            never creates a second sales order, even after a lost response.
        customer_po: Written to the ERP's customer reference (SAP
            `PurchaseOrderByCustomer`).
    """

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    customer_id: str
    customer_po: str
    currency: str
    requested_date: date | None = None
    items: list[ErpOrderItem]


class SalesOrderRef(BaseModel):
    """The created (or found) sales order; `created` is False when it already existed."""

    model_config = ConfigDict(frozen=True)

    sales_order: str
    created: bool = True


class BillingRequest(BaseModel):
    """What to bill: the shipped quantities of some sales order items.

    Attributes:
        payment_terms: The ERP's terms key for the receivable, e.g. `NT30`; empty
            for the adapter's default.
    """

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    sales_order: str
    customer_id: str
    currency: str
    items: list[ErpOrderItem]
    payment_terms: str = ""


class BillingDocumentRef(BaseModel):
    """The created (or found) invoice and the receivable it posted.

    Attributes:
        net_amount: Sum of the items.
        tax_amount: Output tax on the net total.
        gross_amount: Net plus tax: what the customer owes.
        accounting_document: The journal entry that posted the receivable.
        payment_terms: The terms the receivable is due under.
        created: False when an earlier attempt with the same key had made it.
    """

    model_config = ConfigDict(frozen=True)

    billing_document: str
    net_amount: Decimal
    tax_amount: Decimal = Decimal(0)
    gross_amount: Decimal = Decimal(0)
    accounting_document: str = ""
    payment_terms: str = ""
    created: bool = True


class DeliveryRequest(BaseModel):
    """An outbound delivery for what one shipment took out of the warehouse.

    Attributes:
        idempotency_key: One per shipment; the same key never makes a second delivery.
        items: Shipped quantities, by order line (`line_no` names the sales order item).
    """

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    sales_order: str
    customer_id: str
    shipping_point: str
    items: list[ErpOrderItem]


class DeliveryRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    delivery_document: str
    created: bool = True


class ItemReduction(BaseModel):
    """Cut a sales order item down to `keep_quantity` (0: reject it entirely).

    Attributes:
        keep_net_amount: The item's net value after the cut.
    """

    model_config = ConfigDict(frozen=True)

    line_no: int
    keep_quantity: Decimal
    keep_net_amount: Decimal


class ClearingLine(BaseModel):
    """One bank statement line: money that arrived, and the invoices it settles.

    Attributes:
        line_id: The caller's id for the line, unique in its request; results name
            lines by it.
        amount: What arrived (positive): the gross of the invoices it settles.
        billing_documents: The invoices it settles, as the customer was sent them.
        payer_name: Who paid, as the bank reported it (for people).
        note: The payer's note to payee (for people).
    """

    model_config = ConfigDict(frozen=True)

    line_id: str
    amount: Decimal
    billing_documents: list[str]
    payer_name: str = ""
    note: str = ""


class ClearingRequest(BaseModel):
    """A bank statement to post, clearing the invoices its lines pay.

    Attributes:
        statement_id: The bank's statement number: what makes posting it twice
            harmless.
        posting_date: The date the clearing is posted on.
        bank_account: Our account the money arrived on.
        currency: Of the account and of every line.
    """

    model_config = ConfigDict(frozen=True)

    statement_id: str
    posting_date: date
    bank_account: str
    currency: str
    lines: list[ClearingLine]


class ClearedItem(BaseModel):
    """An invoice a statement line cleared.

    Attributes:
        clearing_document: The ERP's journal entry that cleared it.
        amount: What the invoice was cleared for.
    """

    model_config = ConfigDict(frozen=True)

    line_id: str
    billing_document: str
    clearing_document: str
    amount: Decimal


class RefusedLine(BaseModel):
    """A statement line that cleared nothing, with the ERP's reason."""

    model_config = ConfigDict(frozen=True)

    line_id: str
    reason: str


class ClearingResult(BaseModel):
    """What posting a statement cleared, and the lines that cleared nothing."""

    model_config = ConfigDict(frozen=True)

    cleared: list[ClearedItem] = []
    refused: list[RefusedLine] = []


class PartPaymentRequest(BaseModel):
    """Money that pays part of one invoice, to post on the customer's account.

    Attributes:
        idempotency_key: The same key never posts a second payment.
        amount: Positive, and less than the invoice.
        reason: Why the payer paid less (their note), recorded with the payment.
    """

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    customer_id: str
    billing_document: str
    amount: Decimal
    currency: str
    posting_date: date
    reason: str = ""


class PartPaymentRef(BaseModel):
    """The posted (or found) payment; `created` is False when it already existed."""

    model_config = ConfigDict(frozen=True)

    accounting_document: str
    created: bool = True


class ErpPort(Protocol):
    """The ERP. Lookups return None for "no such thing"; writes raise
    `adapters.errors.RejectionError` or `TransientError` (see that module)."""

    async def get_customer(self, customer_id: str) -> ErpCustomer | None: ...

    async def get_product(self, sku: str) -> ErpProduct | None: ...

    async def create_sales_order(self, request: SalesOrderRequest) -> SalesOrderRef: ...

    async def find_sales_order(self, idempotency_key: str) -> str | None:
        """The sales order created under `idempotency_key`, if any: how a compensation
        finds an order whose creation response was lost."""
        ...

    async def cancel_sales_order(self, sales_order: str, reason: str) -> None:
        """Undo a sales order. Idempotent: an order already gone is not an error."""
        ...

    async def create_billing_document(self, request: BillingRequest) -> BillingDocumentRef:
        """Invoice the items, with output tax, and post the receivable (due under the
        request's payment terms). Idempotent per key, each step of it included."""
        ...

    async def create_outbound_delivery(self, request: DeliveryRequest) -> DeliveryRef: ...

    async def reject_items(
        self, sales_order: str, reductions: list[ItemReduction], reason: str
    ) -> None:
        """Cancel what will never ship (a backorder whose window passed), with the
        reason recorded in the ERP. Idempotent: an item already cut is left alone."""
        ...

    async def open_receivables(self, customer_id: str | None = None) -> list[Receivable]:
        """The invoices still owed (of one customer, or of all): billing documents
        whose receivable nothing has cleared. `open_amount` is the whole gross: part
        payments posted on account do not reduce it."""
        ...

    async def clear_receivables(self, request: ClearingRequest) -> ClearingResult:
        """Post a bank statement. Each line clears the one set of the open invoices it
        names (in the statement's currency) that comes to exactly its amount, normally
        all of them; with no such set, or several, the line is refused with the reason
        and nothing of it is posted (a part payment is not a clearing).

        Posting the same statement (`statement_id`) again clears nothing twice: a line
        one of whose invoices this statement already cleared is answered as cleared,
        from the ERP's books, and not posted again; the other lines are tried again."""
        ...

    async def post_part_payment(self, request: PartPaymentRequest) -> PartPaymentRef:
        """Post a short payment on the customer's account against an invoice, which
        stays open. Idempotent per key."""
        ...
