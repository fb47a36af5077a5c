"""An in-memory ERP for unit, activity and workflow tests.

It keeps the contract of `adapters.erp.sap.SapErpAdapter` (same idempotency rules,
same error kinds), records what it was asked, and fails on demand.
"""

from collections.abc import Iterable
from decimal import Decimal

from adapters.erp.port import (
    BillingDocumentRef,
    BillingRequest,
    ErpCustomer,
    ErpProduct,
    SalesOrderRef,
    SalesOrderRequest,
)
from adapters.errors import RejectionError
from adapters.scripted_failures import FailureScript, ScriptedFailure

SYSTEM = "erp"

_PORT_METHODS = frozenset(
    {
        "get_customer",
        "get_product",
        "create_sales_order",
        "find_sales_order",
        "cancel_sales_order",
        "create_billing_document",
    }
)

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
          `created=False`; billing an order that does not exist is a rejection.

    Attributes:
        customers: Customer master by id; add or replace entries freely.
        products: Product master by SKU.
        sales_orders: Live sales orders: number -> the request that created it.
        cancelled: Numbers of sales orders cancelled, once each, in order.
        cancel_reasons: Number -> the reason it was cancelled with.
        billing_documents: Number -> the request that created it.
        calls: Every call as `(method, argument, ...)`, failed ones included:
            `("get_customer", id)`, `("get_product", sku)`,
            `("create_sales_order", idempotency_key)`,
            `("find_sales_order", idempotency_key)`,
            `("cancel_sales_order", sales_order, reason)`,
            `("create_billing_document", idempotency_key)`.
    """

    def __init__(
        self,
        customers: Iterable[ErpCustomer] = DEFAULT_CUSTOMERS,
        products: Iterable[ErpProduct] = DEFAULT_PRODUCTS,
    ) -> None:
        self.customers: dict[str, ErpCustomer] = {c.customer_id: c for c in customers}
        self.products: dict[str, ErpProduct] = {p.sku: p for p in products}
        self.sales_orders: dict[str, SalesOrderRequest] = {}
        self.cancelled: list[str] = []
        self.cancel_reasons: dict[str, str] = {}
        self.billing_documents: dict[str, BillingRequest] = {}
        self.calls: list[tuple[str, ...]] = []
        self._order_by_key: dict[str, str] = {}
        self._billing_by_key: dict[str, str] = {}
        self._next_order = 5_000_001
        self._next_billing = 90_000_001
        self._script = FailureScript("FakeErp", _PORT_METHODS)

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

    # -- the port --

    async def get_customer(self, customer_id: str) -> ErpCustomer | None:
        self.calls.append(("get_customer", customer_id))
        failure = self._fail_before("get_customer")
        if failure is not None:
            raise failure.exc
        return self.customers.get(customer_id)

    async def get_product(self, sku: str) -> ErpProduct | None:
        self.calls.append(("get_product", sku))
        failure = self._fail_before("get_product")
        if failure is not None:
            raise failure.exc
        return self.products.get(sku)

    async def create_sales_order(self, request: SalesOrderRequest) -> SalesOrderRef:
        self.calls.append(("create_sales_order", request.idempotency_key))
        failure = self._fail_before("create_sales_order")
        ref = self._create_sales_order(request)
        if failure is not None:
            raise failure.exc
        return ref

    def _create_sales_order(self, request: SalesOrderRequest) -> SalesOrderRef:
        existing = self._order_by_key.get(request.idempotency_key)
        if existing is not None:
            return SalesOrderRef(sales_order=existing, created=False)
        if request.customer_id not in self.customers:
            raise self._rejected(f"Sold-to party {request.customer_id} does not exist")
        if not request.items:
            raise self._rejected("A sales order needs at least one item")
        for item in request.items:
            if item.sku not in self.products:
                raise self._rejected(f"Material {item.sku} does not exist")
        number = f"{self._next_order:010d}"
        self._next_order += 1
        self.sales_orders[number] = request
        self._order_by_key[request.idempotency_key] = number
        return SalesOrderRef(sales_order=number, created=True)

    async def find_sales_order(self, idempotency_key: str) -> str | None:
        """The live sales order created under the key; None once it is cancelled."""
        self.calls.append(("find_sales_order", idempotency_key))
        failure = self._fail_before("find_sales_order")
        if failure is not None:
            raise failure.exc
        return self._order_by_key.get(idempotency_key)

    async def cancel_sales_order(self, sales_order: str, reason: str) -> None:
        """Remove the order; an unknown or already cancelled one is not an error."""
        self.calls.append(("cancel_sales_order", sales_order, reason))
        failure = self._fail_before("cancel_sales_order")
        number = sales_order.zfill(10) if sales_order.isdigit() else sales_order
        request = self.sales_orders.pop(number, None)
        if request is not None:
            self._order_by_key.pop(request.idempotency_key, None)
            self.cancelled.append(number)
            self.cancel_reasons[number] = reason
        if failure is not None:
            raise failure.exc

    async def create_billing_document(self, request: BillingRequest) -> BillingDocumentRef:
        self.calls.append(("create_billing_document", request.idempotency_key))
        failure = self._fail_before("create_billing_document")
        ref = self._create_billing_document(request)
        if failure is not None:
            raise failure.exc
        return ref

    def _create_billing_document(self, request: BillingRequest) -> BillingDocumentRef:
        existing = self._billing_by_key.get(request.idempotency_key)
        if existing is not None:
            return BillingDocumentRef(
                billing_document=existing,
                net_amount=_net(self.billing_documents[existing]),
                created=False,
            )
        number = request.sales_order
        number = number.zfill(10) if number.isdigit() else number
        if number not in self.sales_orders:
            raise self._rejected(f"Sales document {request.sales_order} does not exist")
        if not request.items:
            raise self._rejected("A billing document needs at least one item")
        document = f"{self._next_billing:010d}"
        self._next_billing += 1
        self.billing_documents[document] = request
        self._billing_by_key[request.idempotency_key] = document
        return BillingDocumentRef(billing_document=document, net_amount=_net(request))

    # -- helpers --

    def _fail_before(self, method: str) -> ScriptedFailure | None:
        """Raise a scripted failure now, or hand back one that fires after the effect."""
        return self._script.before(method)

    @staticmethod
    def _rejected(message: str) -> RejectionError:
        return RejectionError(message, code="ERP_REJECTED", system=SYSTEM)


def _net(request: BillingRequest) -> Decimal:
    return sum((item.net_amount for item in request.items), Decimal(0))
