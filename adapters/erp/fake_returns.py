"""The returns side of `adapters.erp.fake.FakeErp`: returns orders and credit memos,
kept by the rules `adapters.erp.sap_returns` keeps against SAP.

- A returns order is made once per key (the same key answers the same order,
  `created=False`); its customer must exist and every item must be an item of the
  original sales order, with that material (`check_on_order`).
- Cancelling deletes it; an empty number is looked up by key; nothing found, or
  already gone, is done. A number that is a sales order, not a return, is refused.
- A credit memo is made once per key: the items' net less the fee, tax at the
  invoices' rate, one journal entry (`FakeLedger.credit`). The invoice it credits must
  be of the customer and in the currency, and (as SAP would insist on its reference)
  the returns order must exist.
"""

from collections.abc import Mapping, Sequence
from itertools import count

from adapters.erp.fake_cash import FakeLedger, rejected
from adapters.erp.port import (
    CreditMemoRef,
    CreditMemoRequest,
    ErpCustomer,
    ErpOrderItem,
    ReturnsOrderRef,
    ReturnsOrderRequest,
    SalesOrderRequest,
)
from adapters.erp.sap_checks import check_credit_memo, check_returns_order, invalid
from adapters.erp.sap_values import document_number


def check_on_order(
    number: str, order: SalesOrderRequest | None, items: Sequence[ErpOrderItem]
) -> None:
    """Refuse (`ERP_REJECTED`) a missing order, or items naming a line it does not have
    or another material than the line's."""
    if order is None:
        raise rejected(f"Sales order {number} does not exist")
    materials = {item.line_no: item.sku for item in order.items}
    for item in items:
        if item.line_no not in materials:
            raise rejected(f"Sales order {number} has no item {item.line_no:06d}")
        if materials[item.line_no] != item.sku:
            raise rejected(
                f"Item {item.line_no:06d} of sales order {number} is material "
                f"{materials[item.line_no]}, not {item.sku}"
            )


class FakeReturns:
    """Returns orders and credit memos in memory.

    Args:
        customers: The fake's customer master (read, not copied).
        sales_orders: The fake's live sales orders (read, not copied).
        ledger: Checks the invoice credited and posts the credit.

    Attributes:
        orders: Live returns orders: number -> the request that created it.
        cancelled: Numbers of returns orders cancelled, once each, in order.
        credit_memos: Credit memo number -> the request that created it.
    """

    def __init__(
        self,
        customers: Mapping[str, ErpCustomer],
        sales_orders: Mapping[str, SalesOrderRequest],
        ledger: FakeLedger,
    ) -> None:
        self.orders: dict[str, ReturnsOrderRequest] = {}
        self.cancelled: list[str] = []
        self.credit_memos: dict[str, CreditMemoRequest] = {}
        self._customers = customers
        self._sales_orders = sales_orders
        self._ledger = ledger
        self._order_by_key: dict[str, str] = {}
        self._memo_by_key: dict[str, str] = {}
        # Returns orders share SAP's sales order number range; a range of their own
        # here keeps them from ever colliding with the fake's sales orders.
        self._order_numbers = count(6_000_001)
        self._memo_numbers = count(91_000_001)

    def create_order(self, request: ReturnsOrderRequest) -> ReturnsOrderRef:
        original = check_returns_order(request)
        existing = self._order_by_key.get(request.idempotency_key)
        if existing is not None:
            return ReturnsOrderRef(returns_order=existing, created=False)
        if request.customer_id not in self._customers:
            raise rejected(f"Sold-to party {request.customer_id} does not exist")
        check_on_order(original, self._sales_orders.get(original), request.items)
        number = f"{next(self._order_numbers):010d}"
        self.orders[number] = request
        self._order_by_key[request.idempotency_key] = number
        return ReturnsOrderRef(returns_order=number)

    def cancel_order(self, returns_order: str, idempotency_key: str) -> None:
        number = document_number(returns_order)
        if not number:
            if not idempotency_key.strip():
                raise invalid("no returns order to cancel, and no key to find it by")
            number = self._order_by_key.get(idempotency_key, "")
        if number in self._sales_orders:
            raise invalid(f"sales order {number} is not a returns order: not cancelled")
        request = self.orders.pop(number, None)
        if request is not None:
            self._order_by_key.pop(request.idempotency_key, None)
            self.cancelled.append(number)

    def credit(self, request: CreditMemoRequest) -> CreditMemoRef:
        returns_order, invoice = check_credit_memo(request)
        self._ledger.check_invoice(invoice, request.customer_id, request.currency)
        existing = self._memo_by_key.get(request.idempotency_key)
        if existing is not None:
            return self._ledger.credits[existing].model_copy(update={"created": False})
        if returns_order not in self.orders:
            raise rejected(f"Returns order {returns_order} does not exist")
        number = f"{next(self._memo_numbers):010d}"
        ref = self._ledger.credit(number, request)
        self.credit_memos[number] = request
        self._memo_by_key[request.idempotency_key] = number
        return ref
