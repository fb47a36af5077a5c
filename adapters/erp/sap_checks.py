"""What the SAP adapter refuses before anything is sent: requests SAP could not number,
or would refuse, or that would leave a write half done.

Every refusal is a `RejectionError(code=INVALID_REQUEST)` saying what is wrong.
"""

from collections.abc import Sequence
from decimal import Decimal

from adapters.erp.port import (
    ClearingRequest,
    CreditMemoRequest,
    ErpOrderItem,
    ItemReduction,
    PartPaymentRequest,
    ReturnsOrderRequest,
)
from adapters.erp.sap_values import SYSTEM, document_number
from adapters.errors import RejectionError

INVALID_REQUEST = "ERP_INVALID_REQUEST"
"""Rejection code for requests refused before anything is sent to SAP."""

MAX_LINE_NO = 999_999
"""SAP item numbers have six digits."""

PAYMENT_TERMS_LENGTH = 4
"""A payment terms key (ZTERM) has four characters."""


def invalid(message: str) -> RejectionError:
    return RejectionError(message, code=INVALID_REQUEST, system=SYSTEM)


def check_sales_order(sales_order: str, *, what: str) -> str:
    """The sales order number in SAP's (ALPHA) form; refused when blank."""
    number = document_number(sales_order)
    if not number:
        raise invalid(f"no sales order {what}")
    return number


def check_line_no(line_no: int) -> None:
    if not 0 < line_no <= MAX_LINE_NO:
        raise invalid(f"line {line_no} cannot be an SAP item number (1..{MAX_LINE_NO})")


def check_items(items: Sequence[ErpOrderItem], *, what: str, unique_lines: bool = True) -> None:
    """Items of a document to create: at least one, SAP-numberable lines (unique when
    `unique_lines`), positive quantities."""
    if not items:
        raise invalid(f"a {what} needs at least one item")
    seen: set[int] = set()
    for item in items:
        check_line_no(item.line_no)
        if unique_lines and item.line_no in seen:
            raise invalid(f"line {item.line_no} appears twice")
        seen.add(item.line_no)
        if item.quantity <= 0:
            raise invalid(f"line {item.line_no}: quantity {item.quantity} is not positive")


def check_reductions(reductions: Sequence[ItemReduction], reason: str) -> None:
    """Cuts to apply: at least one, each line once and SAP-numberable, nothing negative,
    and a reason to record."""
    if not reductions:
        raise invalid("no items to reject or reduce")
    if not reason.strip():
        raise invalid("a rejection needs a reason")
    seen: set[int] = set()
    for reduction in reductions:
        check_line_no(reduction.line_no)
        if reduction.line_no in seen:
            raise invalid(f"line {reduction.line_no} appears twice")
        seen.add(reduction.line_no)
        if reduction.keep_quantity < 0:
            raise invalid(
                f"line {reduction.line_no}: quantity to keep {reduction.keep_quantity} is negative"
            )
        if reduction.keep_net_amount < 0:
            raise invalid(
                f"line {reduction.line_no}: net amount to keep {reduction.keep_net_amount} "
                "is negative"
            )


def check_payment_terms(terms: str) -> str:
    """A terms key as SAP keys it (upper case); refused when longer than ZTERM holds."""
    key = terms.strip().upper()
    if len(key) > PAYMENT_TERMS_LENGTH:
        raise invalid(f"payment terms {terms!r} are longer than {PAYMENT_TERMS_LENGTH} characters")
    return key


def check_clearing(request: ClearingRequest) -> list[list[str]]:
    """A statement to post: a number, at least one line, each line with its own id, a
    positive amount and at least one invoice, and no invoice on two lines (one of
    them could only be refused, and a repeat could not tell which).

    Returns each line's billing documents in SAP's (ALPHA) form, in line order.
    """
    if not request.statement_id.strip():
        raise invalid("a statement needs its number")
    if not request.currency.strip():
        raise invalid(f"statement {request.statement_id} names no currency")
    if not request.lines:
        raise invalid(f"statement {request.statement_id} has no lines")
    line_ids: set[str] = set()
    owner: dict[str, str] = {}
    documents: list[list[str]] = []
    for line in request.lines:
        if not line.line_id.strip() or line.line_id in line_ids:
            raise invalid(f"line id {line.line_id!r} is empty or appears twice")
        line_ids.add(line.line_id)
        if line.amount <= 0:
            raise invalid(f"line {line.line_id}: amount {line.amount} is not positive")
        numbers = [document_number(number) for number in line.billing_documents]
        if not numbers or "" in numbers:
            raise invalid(f"line {line.line_id} names no billing document")
        for number in numbers:
            if owner.setdefault(number, line.line_id) != line.line_id or numbers.count(number) > 1:
                raise invalid(f"billing document {number} appears twice in the statement")
        documents.append(numbers)
    return documents


def check_part_payment(request: PartPaymentRequest) -> str:
    """A part payment to post: a key, a customer, an invoice (returned in SAP's form), a
    positive amount in a currency."""
    if not request.idempotency_key.strip():
        raise invalid("a part payment needs an idempotency key")
    if not request.customer_id.strip():
        raise invalid("a part payment needs the customer")
    number = document_number(request.billing_document)
    if not number:
        raise invalid("a part payment needs the billing document it is against")
    if request.amount <= 0:
        raise invalid(f"part payment amount {request.amount} is not positive")
    if not request.currency.strip():
        raise invalid("a part payment needs its currency")
    return number


def check_returns_order(request: ReturnsOrderRequest) -> str:
    """A return to record: a key, items (each original line once), and the original
    sales order, returned in SAP's (ALPHA) form."""
    if not request.idempotency_key.strip():
        raise invalid("a returns order needs an idempotency key")
    check_items(request.items, what="returns order")
    return check_sales_order(request.sales_order, what="to return goods of")


def check_credit_memo(request: CreditMemoRequest) -> tuple[str, str]:
    """A credit memo to make: a key, the returns order and the invoice (both returned in
    SAP's form, in that order), items, and a fee not negative and less than the items
    (a credit of nothing, or a charge, is no credit memo)."""
    if not request.idempotency_key.strip():
        raise invalid("a credit memo needs an idempotency key")
    returns_order = check_sales_order(request.returns_order, what="to credit")
    invoice = document_number(request.original_billing_document)
    if not invoice:
        raise invalid("a credit memo needs the invoice it credits")
    check_items(request.items, what="credit memo", unique_lines=False)
    items = sum((item.net_amount for item in request.items), Decimal(0))
    if request.fee < 0:
        raise invalid(f"restocking fee {request.fee} is negative")
    if request.fee >= items:
        raise invalid(f"restocking fee {request.fee} leaves nothing of {items} to credit")
    return returns_order, invoice
