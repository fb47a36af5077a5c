"""Invoices (ERP billing documents) and the payments applied to them."""

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from canonical.money import Money


class InvoiceLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    line_no: int
    sku: str
    quantity: Decimal
    net: Money


# The `rule` of a payment that is a credit memo (a return) lowering what an invoice
# owes, rather than money from the bank.
CREDIT_MEMO_RULE = "credit_memo"


class InvoiceState(StrEnum):
    OPEN = "open"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"


class Invoice(BaseModel):
    """A billing document in the ERP, and what is still owed on it.

    Attributes:
        billing_document: The ERP's number for it: what the customer quotes when paying.
        accounting_document: The journal entry that posted the receivable.
        net: Sum of the lines, before tax.
        tax: Output tax on `net`.
        gross: What the customer owes: net plus tax (`net` alone for invoices made
            before tax was posted).
        payment_terms: The ERP's terms key (`NT30`: net 30 days).
        due_on: The net due date: `billed_on` plus the terms' days.
        paid: Applied so far from the customer's payments.
        short_reason: Why the customer paid less, in their words, when they did.
    """

    model_config = ConfigDict(frozen=True)

    billing_document: str
    accounting_document: str = ""
    sales_order: str
    shipment_id: str = ""
    net: Money
    tax: Money | None = None
    gross: Money | None = None
    lines: list[InvoiceLine]
    billed_on: date | None = None
    payment_terms: str = ""
    due_on: date | None = None
    paid: Decimal = Decimal(0)
    state: InvoiceState = InvoiceState.OPEN
    short_reason: str = ""

    @property
    def amount_due(self) -> Money:
        """The gross amount of the invoice (net when no tax was posted)."""
        return self.gross or self.net

    @property
    def open_amount(self) -> Decimal:
        return max(self.amount_due.amount - self.paid, Decimal(0))


class Payment(BaseModel):
    """Money received and applied to one invoice of the order.

    Attributes:
        payment_id: The bank's entry reference (or an ops decision's id): what makes
            applying the same payment twice harmless.
        billing_document: The invoice it was applied to.
        amount: Applied to that invoice.
        open_after: What the invoice still owes afterwards.
        rule: How it was matched (`reference`, `remittance`, `payer_amount`, `ops`).
        short_reason: The payer's reason for paying less, when they did.
        clearing_document: The ERP document that cleared the invoice, when it did.
    """

    model_config = ConfigDict(frozen=True)

    payment_id: str
    billing_document: str
    amount: Money
    value_date: date | None = None
    open_after: Decimal = Decimal(0)
    rule: str = ""
    short_reason: str = ""
    payer_name: str = ""
    clearing_document: str = ""
