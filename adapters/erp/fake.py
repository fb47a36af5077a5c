"""An in-memory ERP for unit, activity and workflow tests.

It keeps the contract of `adapters.erp.sap.SapErpAdapter` (same idempotency rules,
same error kinds), records what it was asked, and fails on demand.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeVar

from adapters.erp.fake_cash import FakeLedger, rejected
from adapters.erp.fake_reductions import reduce_items
from adapters.erp.fake_returns import FakeReturns, check_on_order
from adapters.erp.port import (
    BillingDocumentRef,
    BillingRequest,
    ClearingRequest,
    ClearingResult,
    CreditMemoRef,
    CreditMemoRequest,
    DeliveryRef,
    DeliveryRequest,
    ErpCustomer,
    ErpPort,
    ErpProduct,
    ItemReduction,
    PartPaymentRef,
    PartPaymentRequest,
    ReturnsOrderRef,
    ReturnsOrderRequest,
    SalesOrderRef,
    SalesOrderRequest,
    workflow_of,
)
from adapters.erp.sap_checks import check_items, check_reductions, check_sales_order
from adapters.erp.sap_values import document_number
from adapters.errors import NotFoundError
from adapters.scripted_failures import FailureScript
from canonical.cash import Receivable

SYSTEM = "erp"
T = TypeVar("T")

# What `fail_next` can script: every method of the port, so the two cannot drift apart.
_PORT_METHODS = frozenset(name for name in vars(ErpPort) if not name.startswith("_"))

DEFAULT_CUSTOMERS = (
    ErpCustomer(customer_id="1000001", name="Becker Berlin", payment_terms="NT30"),
    ErpCustomer(customer_id="1000099", name="Blocked Customer", blocked=True),
)
DEFAULT_PRODUCTS = (
    ErpProduct(sku="TG11", description="Notebook Professional 15", base_unit="PC"),
    ErpProduct(sku="TG12", description="Notebook Professional 17", base_unit="PC"),
)


class FakeErp:
    """`ErpPort` in memory, cosmicpython style: seeded, recording, scriptable.

    Seeded with customers 1000001 (Becker Berlin) and 1000099 (blocked) and products
    TG11 and TG12 (base unit PC) unless others are given.

    Contract, as the SAP adapter keeps it:
        - unknown customer or product: None;
        - `create_sales_order`: the same idempotency key returns the same order with
          `created=False`; an unknown customer or product is a
          `RejectionError(code="ERP_REJECTED")` (as SAP refuses it);
        - `find_sales_order`: the live order created under a key, else None;
        - `cancel_sales_order`: idempotent; an unknown or already cancelled order is
          fine. A cancelled order forgets its key (SAP deletes it with its text), so
          the same key afterwards creates a new order;
        - `create_billing_document`: the same key returns the same document with
          `created=False`; billing an order that does not exist is a rejection. Tax is
          `output_tax_rate` on the net total; the invoice opens a receivable for the
          gross (see `adapters.erp.fake_cash` for it, for statements and part
          payments, which keep mock-sap's rules);
        - `create_outbound_delivery`: the same key returns the same delivery with
          `created=False` (looked up first, so even after the order changed); a
          delivery for an order that does not exist, or naming an item the order does
          not have (or another material), is a `RejectionError(code="ERP_REJECTED")`.
          Quantities are not checked against the order (mock-sap does not either);
        - `reject_items`: each reduction cuts its item to `keep_quantity` and its net
          to `keep_net_amount` (0: the item is removed, as SAP deletes it); an item
          already at or below the quantity to keep, or already gone, is left alone, so
          a repeat changes nothing. An unknown order, or an item to keep some of that
          is not there, is a `NotFoundError`. Every reduction is checked before any
          is applied;
        - `create_returns_order`, `cancel_returns_order`, `create_credit_memo`: see
          `adapters.erp.fake_returns`;
        - bad input (no items, a line twice or outside 1..999999, a quantity not
          positive, for `reject_items` a negative quantity or amount or no reason) is
          a `RejectionError(code="ERP_INVALID_REQUEST")`, before anything changes.

    Attributes:
        customers: Customer master by id; add or replace entries freely.
        products: Product master by SKU.
        sales_orders: Live sales orders: number -> the request that created it, with
            its items as they are now (after `reject_items`; see `items_of`).
        cancelled: Numbers of sales orders cancelled, once each, in order.
        cancel_reasons: Number -> the reason it was cancelled with.
        billing_documents: Number -> the request that created it.
        ledger: Invoices' receivables, clearings and part payments (`FakeLedger`);
            `receivables`, `clearings` and `part_payments` are its own, for short.
        deliveries: Delivery number -> the request that created it.
        returns_orders: Live returns orders: number -> the request that created it.
        cancelled_returns: Numbers of returns orders cancelled, once each, in order.
        credit_memos: Credit memo number -> the request that created it.
        rejections: `(sales_order, line_no, keep_quantity, reason)` for every item
            actually cut, in order; a repeat that changes nothing adds nothing.
        calls: Every call as `(method, argument, ...)`, failed ones included:
            `("get_customer", id)`, `("get_product", sku)`,
            `("create_sales_order", idempotency_key)`,
            `("find_sales_order", idempotency_key)`,
            `("cancel_sales_order", sales_order, reason)`,
            `("create_billing_document", idempotency_key)`,
            `("create_outbound_delivery", idempotency_key)`,
            `("reject_items", sales_order, reason)`, `("open_receivables", customer)`,
            `("clear_receivables", statement_id)`,
            `("post_part_payment", idempotency_key)`,
            `("create_returns_order", idempotency_key)`,
            `("cancel_returns_order", returns_order, idempotency_key)`,
            `("create_credit_memo", idempotency_key)`.

    Args:
        output_tax_rate: Tax on what is billed (SAP adapter's default: 0.19).
        default_payment_terms: Terms of an invoice whose request names none.
        today: The billing date; the UTC date when not given.
    """

    def __init__(
        self,
        customers: Iterable[ErpCustomer] = DEFAULT_CUSTOMERS,
        products: Iterable[ErpProduct] = DEFAULT_PRODUCTS,
        *,
        output_tax_rate: Decimal = Decimal("0.19"),
        default_payment_terms: str = "NT30",
        today: Callable[[], date] | None = None,
    ) -> None:
        self.customers: dict[str, ErpCustomer] = {c.customer_id: c for c in customers}
        self.products: dict[str, ErpProduct] = {p.sku: p for p in products}
        self.sales_orders: dict[str, SalesOrderRequest] = {}
        self.cancelled: list[str] = []
        self.cancel_reasons: dict[str, str] = {}
        self.billing_documents: dict[str, BillingRequest] = {}
        self.deliveries: dict[str, DeliveryRequest] = {}
        self.rejections: list[tuple[str, int, Decimal, str]] = []
        self.calls: list[tuple[str, ...]] = []
        self._order_by_key: dict[str, str] = {}
        self._billing_by_key: dict[str, str] = {}
        self._delivery_by_key: dict[str, str] = {}
        self._next_order = 5_000_001
        self._next_billing = 90_000_001
        self._next_delivery = 80_000_001
        self._script = FailureScript("FakeErp", _PORT_METHODS)
        self.ledger = FakeLedger(
            today or (lambda: datetime.now(UTC).date()), output_tax_rate, default_payment_terms
        )
        self.receivables = self.ledger.receivables
        self.clearings = self.ledger.clearings
        self.part_payments = self.ledger.part_payments
        self.returns = FakeReturns(self.customers, self.sales_orders, self.ledger)
        self.returns_orders = self.returns.orders
        self.cancelled_returns = self.returns.cancelled
        self.credit_memos = self.returns.credit_memos

    # -- scripting --

    def fail_next(
        self,
        method: str,
        exc: Exception,
        *,
        times: int = 1,
        after_effect: bool = False,
    ) -> None:
        """Make the next `times` calls of `method` raise `exc`.

        Args:
            method: A port method name, e.g. `"create_sales_order"`.
            exc: What to raise, typically a `TransientError` or `RejectionError`.
            times: How many consecutive calls fail.
            after_effect: Do the work first, then raise: a lost response. The order
                (or document) exists and a retry with the same key finds it.
        """
        self._script.add(method, exc, times, after_effect=after_effect)

    def calls_to(self, method: str) -> list[tuple[str, ...]]:
        """The recorded calls of one method."""
        return [call for call in self.calls if call[0] == method]

    def open_receivables_now(self, customer_id: str | None = None) -> list[Receivable]:
        """`open_receivables` for a test to look at: no call recorded, no failure."""
        return self.ledger.open_receivables(customer_id)

    def items_of(self, sales_order: str) -> dict[int, Decimal]:
        """Line number -> quantity of a live sales order's items, as SAP would hold
        them; empty for an unknown or cancelled order."""
        request = self.sales_orders.get(document_number(sales_order))
        return {} if request is None else {i.line_no: i.quantity for i in request.items}

    # -- the port --

    async def get_customer(self, customer_id: str) -> ErpCustomer | None:
        return await self._call(
            "get_customer", (customer_id,), lambda: self.customers.get(customer_id)
        )

    async def get_product(self, sku: str) -> ErpProduct | None:
        return await self._call("get_product", (sku,), lambda: self.products.get(sku))

    async def create_sales_order(self, request: SalesOrderRequest) -> SalesOrderRef:
        return await self._call(
            "create_sales_order",
            (request.idempotency_key,),
            lambda: self._create_sales_order(request),
        )

    def _create_sales_order(self, request: SalesOrderRequest) -> SalesOrderRef:
        existing = self._order_by_key.get(request.idempotency_key)
        if existing is not None:
            return SalesOrderRef(sales_order=existing, created=False)
        if request.customer_id not in self.customers:
            raise rejected(f"Sold-to party {request.customer_id} does not exist")
        if not request.items:
            raise rejected("A sales order needs at least one item")
        for item in request.items:
            if item.sku not in self.products:
                raise rejected(f"Material {item.sku} does not exist")
        number = f"{self._next_order:010d}"
        self._next_order += 1
        self.sales_orders[number] = request
        self._order_by_key[request.idempotency_key] = number
        return SalesOrderRef(sales_order=number, created=True)

    async def find_sales_order(self, idempotency_key: str) -> str | None:
        """The live sales order created under the key; None once it is cancelled."""
        return await self._call(
            "find_sales_order", (idempotency_key,), lambda: self._order_by_key.get(idempotency_key)
        )

    async def cancel_sales_order(self, sales_order: str, reason: str) -> None:
        """Remove the order; an unknown or already cancelled one is not an error."""
        await self._call(
            "cancel_sales_order",
            (sales_order, reason),
            lambda: self._cancel_sales_order(sales_order, reason),
        )

    def _cancel_sales_order(self, sales_order: str, reason: str) -> None:
        number = document_number(sales_order)
        request = self.sales_orders.pop(number, None)
        if request is not None:
            self._order_by_key.pop(request.idempotency_key, None)
            self.cancelled.append(number)
            self.cancel_reasons[number] = reason

    async def create_billing_document(self, request: BillingRequest) -> BillingDocumentRef:
        return await self._call(
            "create_billing_document",
            (request.idempotency_key,),
            lambda: self._create_billing_document(request),
        )

    def _create_billing_document(self, request: BillingRequest) -> BillingDocumentRef:
        existing = self._billing_by_key.get(request.idempotency_key)
        if existing is not None:
            return self.ledger.invoices[existing].model_copy(update={"created": False})
        number = document_number(request.sales_order)
        order = self.sales_orders.get(number)
        if order is None:
            raise rejected(f"Sales document {request.sales_order} does not exist")
        if not request.items:
            raise rejected("A billing document needs at least one item")
        document = f"{self._next_billing:010d}"
        self._next_billing += 1
        customer = self.customers.get(request.customer_id)
        ref = self.ledger.bill(
            document,
            request.model_copy(update={"sales_order": number}),
            customer.name if customer else "",
            workflow_of(order.idempotency_key),
        )
        self.billing_documents[document] = request
        self._billing_by_key[request.idempotency_key] = document
        return ref

    async def create_outbound_delivery(self, request: DeliveryRequest) -> DeliveryRef:
        return await self._call(
            "create_outbound_delivery",
            (request.idempotency_key,),
            lambda: self._create_outbound_delivery(request),
        )

    def _create_outbound_delivery(self, request: DeliveryRequest) -> DeliveryRef:
        check_items(request.items, what="delivery", unique_lines=False)
        number = check_sales_order(request.sales_order, what="to deliver")
        existing = self._delivery_by_key.get(request.idempotency_key)
        if existing is not None:
            return DeliveryRef(delivery_document=existing, created=False)
        check_on_order(number, self.sales_orders.get(number), request.items)
        document = f"{self._next_delivery:010d}"
        self._next_delivery += 1
        self.deliveries[document] = request
        self._delivery_by_key[request.idempotency_key] = document
        return DeliveryRef(delivery_document=document)

    async def reject_items(
        self, sales_order: str, reductions: Sequence[ItemReduction], reason: str
    ) -> None:
        """Cut items down (0: remove them); see the class docstring for the contract."""
        await self._call(
            "reject_items",
            (sales_order, reason),
            lambda: self._reject_items(sales_order, reductions, reason),
        )

    def _reject_items(
        self, sales_order: str, reductions: Sequence[ItemReduction], reason: str
    ) -> None:
        check_reductions(reductions, reason)
        number = check_sales_order(sales_order, what="to reduce")
        order = self.sales_orders.get(number)
        if order is None:
            raise NotFoundError(f"Sales order {number} does not exist", system=SYSTEM)
        kept, cut = reduce_items(number, order.items, reductions)
        self.rejections += [(number, line_no, keep, reason) for line_no, keep in cut]
        if cut:
            self.sales_orders[number] = order.model_copy(update={"items": kept})

    async def open_receivables(self, customer_id: str | None = None) -> list[Receivable]:
        """The uncleared invoices (of one customer), by billing document."""
        return await self._call(
            "open_receivables",
            (customer_id or "",),
            lambda: self.ledger.open_receivables(customer_id),
        )

    async def clear_receivables(self, request: ClearingRequest) -> ClearingResult:
        return await self._call(
            "clear_receivables", (request.statement_id,), lambda: self.ledger.clear(request)
        )

    async def post_part_payment(self, request: PartPaymentRequest) -> PartPaymentRef:
        return await self._call(
            "post_part_payment",
            (request.idempotency_key,),
            lambda: self.ledger.part_payment(request),
        )

    async def create_returns_order(self, request: ReturnsOrderRequest) -> ReturnsOrderRef:
        return await self._call(
            "create_returns_order",
            (request.idempotency_key,),
            lambda: self.returns.create_order(request),
        )

    async def cancel_returns_order(self, returns_order: str, idempotency_key: str) -> None:
        await self._call(
            "cancel_returns_order",
            (returns_order, idempotency_key),
            lambda: self.returns.cancel_order(returns_order, idempotency_key),
        )

    async def create_credit_memo(self, request: CreditMemoRequest) -> CreditMemoRef:
        return await self._call(
            "create_credit_memo",
            (request.idempotency_key,),
            lambda: self.returns.credit(request),
        )

    # -- helpers --

    async def _call(self, method: str, args: tuple[str, ...], effect: Callable[[], T]) -> T:
        """Record the call, raise a failure scripted for before the effect, do the
        effect, then raise one scripted for after it (a lost response)."""
        self.calls.append((method, *args))
        failure = self._script.before(method)
        result = effect()
        if failure is not None:
            raise failure.exc
        return result
