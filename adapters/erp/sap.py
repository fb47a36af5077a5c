"""The ERP port over SAP S/4HANA's OData V2 APIs (business partner, product, sales
order, outbound delivery, billing document, journal entry, open items), with
`BAPI_ACC_DOCUMENT_POST` and FINSTA01 bank statement IDocs for receivables.

The wire (URLs, CSRF, BAPI calls, IDocs, error classification) lives in
`adapters.erp.sap_http`; this module decides what to ask and how to make every write
safe to repeat. Sales orders made once per key are in `adapters.erp.sap_sales_orders`,
deliveries in `adapters.erp.sap_documents`, invoices and credit memos in
`adapters.erp.sap_billing`, the journal entries they post and part payments in
`adapters.erp.sap_receivables`, open items in `adapters.erp.sap_open_items`, bank
statements in `adapters.erp.sap_finsta`, cutting items down in
`adapters.erp.sap_reductions`, returns orders and credit memos for them in
`adapters.erp.sap_returns`; `SapErpAdapter` is the one entry point for all of them.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self

import httpx

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
    ErpProduct,
    ItemReduction,
    PartPaymentRef,
    PartPaymentRequest,
    ReturnsOrderRef,
    ReturnsOrderRequest,
    SalesOrderRef,
    SalesOrderRequest,
)
from adapters.erp.sap_billing import SapBilling
from adapters.erp.sap_checks import INVALID_REQUEST, check_items, check_sales_order
from adapters.erp.sap_documents import (
    SapDocuments,
    billing_marker,
    delivery_marker,
    document_marker,
)
from adapters.erp.sap_finsta import SapStatements
from adapters.erp.sap_http import SapODataSession
from adapters.erp.sap_open_items import SapOpenItems
from adapters.erp.sap_receivables import SapReceivables
from adapters.erp.sap_reductions import SapItemReductions
from adapters.erp.sap_returns import SapReturns
from adapters.erp.sap_sales_orders import SapSalesOrders, sales_order_marker
from adapters.erp.sap_settings import SapSettings
from adapters.erp.sap_values import (
    BILLING_DOCUMENT_SRV,
    BUSINESS_PARTNER_SRV,
    IDEMPOTENCY_PREFIX,
    IDEMPOTENCY_TEXT_ID,
    OUTBOUND_DELIVERY_SRV,
    PRODUCT_SRV,
    SALES_ORDER_SRV,
    JsonObject,
    edm_datetime,
    key_path,
    text,
)
from canonical.cash import Receivable

__all__ = [
    "BILLING_DOCUMENT_SRV",
    "BUSINESS_PARTNER_SRV",
    "IDEMPOTENCY_PREFIX",
    "IDEMPOTENCY_TEXT_ID",
    "INVALID_REQUEST",
    "OUTBOUND_DELIVERY_SRV",
    "PRODUCT_SRV",
    "SALES_ORDER_SRV",
    "SapErpAdapter",
    "billing_marker",
    "delivery_marker",
    "document_marker",
    "sales_order_marker",
]


class SapErpAdapter:
    """`adapters.erp.port.ErpPort` against SAP S/4HANA (or mock-sap) over OData V2.

    Lookups answer None for "no such thing"; writes are idempotent (see
    `create_sales_order`, `cancel_sales_order`, `create_outbound_delivery`,
    `create_billing_document`, `reject_items`, `clear_receivables`,
    `post_part_payment`, `create_returns_order`, `cancel_returns_order`,
    `create_credit_memo`) and raise `TransientError` or `RejectionError` as classified
    in `adapters.erp.sap_errors`.

    Args:
        client: An httpx client whose `base_url` is the Gateway's scheme, host and
            port. Authentication, timeouts and the transport are the client's; use
            `from_settings` to build one from `SapSettings`.
        settings: Sales area, document types, shipping points, language, SAP client,
            company code, tax rate, G/L accounts.
        today: Today's date for deliveries and invoices; the UTC date when not given.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: SapSettings,
        *,
        today: Callable[[], date] | None = None,
    ) -> None:
        self._client = client
        self._settings = settings
        self._odata = SapODataSession(client, settings)
        today = today or (lambda: datetime.now(UTC).date())
        self._receivables = SapReceivables(self._odata, settings, today)
        self._open_items = SapOpenItems(self._odata, settings)
        self._documents = SapDocuments(self._odata, settings, today)
        self._billing = SapBilling(self._odata, settings, self._receivables, today)
        self._statements = SapStatements(self._odata, settings, self._open_items)
        self._reductions = SapItemReductions(self._odata, settings)
        self._orders = SapSalesOrders(self._odata, settings)
        self._returns = SapReturns(
            self._odata, settings, self._orders, self._documents, self._billing, self._receivables
        )

    @classmethod
    def from_settings(
        cls,
        settings: SapSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Self:
        """An adapter with its own client: base URL, basic auth and timeout from settings
        (read from the environment when none are given). Close it with `aclose`.

        Args:
            settings: Where SAP is; `SapSettings()` (the environment) when None.
            transport: An httpx transport to send through instead of the network's
                own: a mock in tests, `adapters.erp.rate_limit.RateLimitedTransport`
                in a worker.
        """
        settings = settings or SapSettings()
        auth = None
        if settings.username:
            password = settings.password.get_secret_value() if settings.password else ""
            auth = httpx.BasicAuth(settings.username, password)
        client = httpx.AsyncClient(
            base_url=settings.base_url,
            auth=auth,
            timeout=httpx.Timeout(settings.timeout_seconds),
            headers={"sap-client": settings.client},
            transport=transport,
        )
        return cls(client, settings)

    async def aclose(self) -> None:
        """Close the httpx client (also one that was passed in)."""
        await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- lookups --------------------------------------------------------------------

    async def get_customer(self, customer_id: str) -> ErpCustomer | None:
        """The business partner `customer_id`, if it exists and has the customer role.

        A partner without a `Customer` number (a supplier only) is no sold-to party and
        answers None. `payment_terms` stays empty: the terms live on the customer's
        sales area, which this lookup does not read.
        """
        if not customer_id.strip():
            return None
        entity = await self._odata.read_entity(
            BUSINESS_PARTNER_SRV,
            key_path("A_BusinessPartner", customer_id),
            {
                "$select": "BusinessPartner,Customer,BusinessPartnerFullName,"
                "BusinessPartnerName,BusinessPartnerIsBlocked"
            },
        )
        if entity is None or not text(entity, "Customer"):
            return None
        return ErpCustomer(
            customer_id=text(entity, "Customer"),
            name=text(entity, "BusinessPartnerFullName") or text(entity, "BusinessPartnerName"),
            blocked=entity.get("BusinessPartnerIsBlocked") is True,
        )

    async def get_product(self, sku: str) -> ErpProduct | None:
        """The material `sku`, with its description in the configured language (else
        the first there is); `blocked` when it is marked for deletion."""
        if not sku.strip():
            return None
        entity = await self._odata.read_entity(
            PRODUCT_SRV, key_path("A_Product", sku), {"$expand": "to_Description"}
        )
        if entity is None:
            return None
        return ErpProduct(
            sku=text(entity, "Product") or sku,
            description=self._description(entity),
            base_unit=text(entity, "BaseUnit"),
            blocked=entity.get("IsMarkedForDeletion") is True,
        )

    def _description(self, product: JsonObject) -> str:
        expanded = product.get("to_Description")
        rows: Any = expanded.get("results") if isinstance(expanded, dict) else expanded
        if not isinstance(rows, list):
            return ""
        texts = {text(row, "Language").upper(): text(row, "ProductDescription") for row in rows}
        return texts.get(self._settings.language.upper()) or next(iter(texts.values()), "")

    # -- sales orders ---------------------------------------------------------------

    async def create_sales_order(self, request: SalesOrderRequest) -> SalesOrderRef:
        """Create a sales order by deep insert, at most once per idempotency key.

        The order carries the header text `ordermesh:<idempotency_key>` (language from
        settings, `LongTextID` 0001). Before posting, `A_SalesOrderText` is searched
        for that text; a hit returns the existing order with `created=False`. So a
        retry after a lost response finds the order the first attempt made instead of
        making a second. Limits: see `adapters.erp.sap_sales_orders`; an order deleted
        by `cancel_sales_order` takes its text with it, so the same key afterwards
        creates a new order.

        mock-sap prices nothing: each item's `NetAmount` is the request's
        `net_amount`, and `TotalNetAmount` is their sum.
        """
        check_items(request.items, what="sales order")
        return await self._orders.create(
            request.idempotency_key, self._sales_order_body(request), what="sales order"
        )

    async def find_sales_order(self, idempotency_key: str) -> str | None:
        """The sales order created under `idempotency_key`, if there is one (found by
        its `ordermesh:<key>` header text); None once it has been cancelled (deleted).

        How a retry, or a compensation whose create response was lost, finds it."""
        return await self._orders.find(idempotency_key)

    def _sales_order_body(self, request: SalesOrderRequest) -> JsonObject:
        body = self._orders.order_body(
            self._settings.sales_order_type,
            request.idempotency_key,
            request.customer_id,
            request.currency,
            request.items,
        )
        body["PurchaseOrderByCustomer"] = request.customer_po
        if request.requested_date is not None:
            body["RequestedDeliveryDate"] = edm_datetime(request.requested_date)
        return body

    async def cancel_sales_order(self, sales_order: str, reason: str) -> None:
        """Undo a sales order by deleting it; an order already gone (404) is success.

        mock-sap's sales order items have no rejection-reason field, so the order is
        deleted rather than rejected; `reason` goes to the log only. Against a real
        S/4HANA with subsequent documents (a delivery) the delete is refused and
        surfaces as `RejectionError(code="ERP_REJECTED")`.
        """
        number = check_sales_order(sales_order, what="number to cancel")
        await self._orders.delete(number, reason, what="sales order")

    # -- documents that follow the order -------------------------------------------

    async def create_outbound_delivery(self, request: DeliveryRequest) -> DeliveryRef:
        """An outbound delivery for one shipment, at most once per idempotency key.

        See `adapters.erp.sap_documents.SapDocuments.create_outbound_delivery`."""
        return await self._documents.create_outbound_delivery(request)

    async def create_billing_document(self, request: BillingRequest) -> BillingDocumentRef:
        """Bill the given (shipped) items of a sales order with output tax, and post the
        receivable; each step at most once per key.

        See `adapters.erp.sap_billing.SapBilling.create_billing_document`."""
        return await self._billing.create_billing_document(request)

    async def reject_items(
        self, sales_order: str, reductions: Sequence[ItemReduction], reason: str
    ) -> None:
        """Cut sales order items down (0: reject the item), with `reason` as a header
        text; safe to repeat. See `adapters.erp.sap_reductions`."""
        await self._reductions.reject_items(sales_order, reductions, reason)

    # -- returns ----------------------------------------------------------------------

    async def create_returns_order(self, request: ReturnsOrderRequest) -> ReturnsOrderRef:
        """A returns order (CBAR) against the original sales order, at most once per
        key. See `adapters.erp.sap_returns.SapReturns.create_returns_order`."""
        return await self._returns.create_returns_order(request)

    async def cancel_returns_order(self, returns_order: str, idempotency_key: str) -> None:
        """Delete a returns order, found by key when its number is empty; safe to
        repeat. See `adapters.erp.sap_returns.SapReturns.cancel_returns_order`."""
        await self._returns.cancel_returns_order(returns_order, idempotency_key)

    async def create_credit_memo(self, request: CreditMemoRequest) -> CreditMemoRef:
        """A credit memo (G2) less the restocking fee, and the journal entry (DG)
        crediting the customer; each step at most once per key. See
        `adapters.erp.sap_returns.SapReturns.create_credit_memo`."""
        return await self._returns.create_credit_memo(request)

    # -- cash -----------------------------------------------------------------------

    async def open_receivables(self, customer_id: str | None = None) -> list[Receivable]:
        """The invoices still owed, of one customer or all. See
        `adapters.erp.sap_open_items.SapOpenItems.open_receivables`."""
        return await self._open_items.open_receivables(customer_id)

    async def clear_receivables(self, request: ClearingRequest) -> ClearingResult:
        """Post a bank statement (FINSTA01) that clears the invoices its lines pay;
        safe to repeat. See `adapters.erp.sap_finsta.SapStatements.clear_receivables`."""
        return await self._statements.clear_receivables(request)

    async def post_part_payment(self, request: PartPaymentRequest) -> PartPaymentRef:
        """Post a short payment on account against an invoice, at most once per key.
        See `adapters.erp.sap_receivables.SapReceivables.post_part_payment`."""
        return await self._receivables.post_part_payment(request)
