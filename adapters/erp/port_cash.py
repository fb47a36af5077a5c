"""What Ordermesh asks of an ERP about money: bank statements that clear invoices, and
part payments. Part of `adapters.erp.port`, which re-exports every name here."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


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
