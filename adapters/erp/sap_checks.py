"""What the SAP adapter refuses before anything is sent: requests SAP could not number,
or would refuse, or that would leave a write half done.

Every refusal is a `RejectionError(code=INVALID_REQUEST)` saying what is wrong.
"""

from collections.abc import Sequence

from adapters.erp.port import ErpOrderItem, ItemReduction
from adapters.erp.sap_values import SYSTEM, document_number
from adapters.errors import RejectionError

INVALID_REQUEST = "ERP_INVALID_REQUEST"
"""Rejection code for requests refused before anything is sent to SAP."""

MAX_LINE_NO = 999_999
"""SAP item numbers have six digits."""


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
