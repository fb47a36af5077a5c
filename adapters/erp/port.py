"""What Ordermesh asks of an ERP, independent of which ERP it is."""

from datetime import date
from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from adapters.erp.port_cash import ClearedItem as ClearedItem
from adapters.erp.port_cash import ClearingLine as ClearingLine
from adapters.erp.port_cash import ClearingRequest as ClearingRequest
from adapters.erp.port_cash import ClearingResult as ClearingResult
from adapters.erp.port_cash import PartPaymentRef as PartPaymentRef
from adapters.erp.port_cash import PartPaymentRequest as PartPaymentRequest
from adapters.erp.port_cash import RefusedLine as RefusedLine
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


class ReturnsOrderRequest(BaseModel):
    """A customer return (RMA) to record in the ERP against the order it came from.

    Attributes:
        idempotency_key: The same key never creates a second returns order, even
            after a lost response.
        sales_order: The original sales order the goods were sold on.
        reason: Why the customer sends them back: `damaged`, `wrong_item`,
            `not_needed`, `defective` or `other` (anything else counts as `other`).
        items: The quantities coming back, by original order line (`line_no` names
            the original item); `net_amount` is quantity times the unit price.
    """

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    sales_order: str
    customer_id: str
    currency: str
    reason: str
    items: list[ErpOrderItem]


class ReturnsOrderRef(BaseModel):
    """The created (or found) returns order; `created` is False when it already existed."""

    model_config = ConfigDict(frozen=True)

    returns_order: str
    created: bool = True


class CreditMemoRequest(BaseModel):
    """A credit memo for returned goods, less a restocking fee.

    Attributes:
        idempotency_key: The same key never makes a second credit memo.
        returns_order: The returns order the credit follows.
        original_billing_document: The invoice the goods were billed on; the credit
            names it.
        items: What is credited, by line (`net_amount` before the fee).
        fee: Restocking fee kept back (net, not negative): the credit's net is the
            items' sum less the fee.
        payment_terms: The ERP's terms key for the credit; empty for the default.
    """

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    returns_order: str
    original_billing_document: str
    customer_id: str
    currency: str
    items: list[ErpOrderItem]
    fee: Decimal = Decimal(0)
    payment_terms: str = ""


class CreditMemoRef(BaseModel):
    """The created (or found) credit memo and the journal entry that credited the customer.

    Attributes:
        net_amount: The items' sum less the fee (positive: what is credited).
        tax_amount: Output tax given back on the net.
        gross_amount: Net plus tax: what the customer's account is credited.
        accounting_document: The journal entry that posted the credit.
        created: False when an earlier attempt with the same key had made it.
    """

    model_config = ConfigDict(frozen=True)

    credit_memo: str
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal
    accounting_document: str = ""
    created: bool = True


class ErpLookups(Protocol):
    """The master-data lookups of the ERP port, which the verdict makes: every `ErpPort`
    is one, and so is `adapters.erp.cached_lookups.CachedErpLookups`. None means "no
    such thing"; a failure raises as `ErpPort` does."""

    async def get_customer(self, customer_id: str) -> ErpCustomer | None: ...

    async def get_product(self, sku: str) -> ErpProduct | None: ...


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

    async def create_returns_order(self, request: ReturnsOrderRequest) -> ReturnsOrderRef:
        """Record a customer return against its original sales order, with the reason.
        Idempotent per key: the same key answers the same order with `created=False`.
        Returning an item the original order does not have (or another material) is
        a rejection."""
        ...

    async def cancel_returns_order(self, returns_order: str, idempotency_key: str) -> None:
        """Undo a returns order. With `returns_order` empty (its create response was
        lost) it is found by `idempotency_key`; nothing found, or already gone, is
        done. A number that is not a returns order is refused."""
        ...

    async def create_credit_memo(self, request: CreditMemoRequest) -> CreditMemoRef:
        """Credit the customer for returned items less the fee, with output tax, and
        post the credit to their account. Refused when the original invoice does not
        exist or is another customer's or in another currency, or when the fee is
        negative or not less than the items. Idempotent per key, each step included."""
        ...
