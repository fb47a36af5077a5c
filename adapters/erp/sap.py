"""The ERP port over SAP S/4HANA's OData V2 APIs (business partner, product, sales
order, billing document).

The wire (URLs, CSRF, error classification) lives in `adapters.erp.sap_http`; this
module decides what to ask and how to make every write safe to repeat.
"""

import hashlib
import logging
from collections.abc import Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

import httpx

from adapters.erp.port import (
    BillingDocumentRef,
    BillingRequest,
    ErpCustomer,
    ErpOrderItem,
    ErpProduct,
    SalesOrderRef,
    SalesOrderRequest,
)
from adapters.erp.sap_http import (
    SYSTEM,
    JsonObject,
    SapODataSession,
    decimal_text,
    document_number,
    edm_datetime,
    item_number,
    key_path,
    odata_string,
    parse_decimal,
    text,
)
from adapters.erp.sap_settings import SapSettings
from adapters.errors import RejectionError, TransientError

logger = logging.getLogger(__name__)

BUSINESS_PARTNER_SRV = "API_BUSINESS_PARTNER_SRV"
PRODUCT_SRV = "API_PRODUCT_SRV"
SALES_ORDER_SRV = "API_SALES_ORDER_SRV"
BILLING_DOCUMENT_SRV = "API_BILLING_DOCUMENT_SRV"

IDEMPOTENCY_PREFIX = "ordermesh:"
"""Prefix of the marker that ties a document to the idempotency key that created it."""
IDEMPOTENCY_TEXT_ID = "0001"
"""`LongTextID` of the sales order header text that carries the marker."""
INVALID_REQUEST = "ERP_INVALID_REQUEST"
"""Rejection code for requests refused before anything is sent to SAP."""


def sales_order_marker(idempotency_key: str) -> str:
    """The header text a sales order created for `idempotency_key` carries."""
    return IDEMPOTENCY_PREFIX + idempotency_key


def billing_marker(idempotency_key: str) -> str:
    """The item text a billing document created for `idempotency_key` carries.

    `BillingDocumentItemText` holds 40 characters, so the key goes in hashed:
    `ordermesh:` and the first 30 hex digits of its SHA-256.
    """
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()
    return IDEMPOTENCY_PREFIX + digest[:30]


class SapErpAdapter:
    """`adapters.erp.port.ErpPort` against SAP S/4HANA (or mock-sap) over OData V2.

    Lookups answer None for "no such thing"; writes are idempotent (see
    `create_sales_order`, `cancel_sales_order`, `create_billing_document`) and raise
    `TransientError` or `RejectionError` as classified in `adapters.erp.sap_http`.

    Args:
        client: An httpx client whose `base_url` is the Gateway's scheme, host and
            port. Authentication, timeouts and the transport are the client's; use
            `from_settings` to build one from `SapSettings`.
        settings: Sales area, document types, language and SAP client.
    """

    def __init__(self, client: httpx.AsyncClient, settings: SapSettings) -> None:
        self._client = client
        self._settings = settings
        self._odata = SapODataSession(client, settings)

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
            transport: An httpx transport to use instead of the network (tests).
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
        retry after a lost response (timeout, dropped connection, unreadable 201)
        finds the order the first attempt made instead of making a second.

        Limits: two attempts running at the same moment can both miss the lookup
        (Temporal runs one attempt of an activity at a time, so this does not arise
        there); and an order deleted by `cancel_sales_order` takes its text with it,
        so the same key afterwards creates a new order. Filtering on the long text is
        what mock-sap supports; a real S/4HANA may need the marker in a filterable
        field (e.g. a custom header field) instead.

        mock-sap prices nothing: each item's `NetAmount` is the request's
        `net_amount`, and `TotalNetAmount` is their sum.
        """
        self._check_items(request.items, what="sales order")
        existing = await self.find_sales_order(request.idempotency_key)
        if existing is not None:
            logger.info(
                "sales order %s already exists for key %s", existing, request.idempotency_key
            )
            return SalesOrderRef(sales_order=existing, created=False)
        entity = await self._odata.create(
            SALES_ORDER_SRV, "A_SalesOrder", self._sales_order_body(request)
        )
        number = text(entity, "SalesOrder")
        if not number:
            raise TransientError(
                "SAP created a sales order but sent no number; a retry finds it by its "
                f"text {sales_order_marker(request.idempotency_key)!r}",
                system=SYSTEM,
            )
        logger.info("created sales order %s for key %s", number, request.idempotency_key)
        return SalesOrderRef(sales_order=number, created=True)

    async def find_sales_order(self, idempotency_key: str) -> str | None:
        """The sales order created under `idempotency_key`, if there is one (found by
        its `ordermesh:<key>` header text); None once it has been cancelled (deleted).

        How a retry, or a compensation whose create response was lost, finds it."""
        marker = sales_order_marker(idempotency_key)
        texts = await self._odata.read_collection(
            SALES_ORDER_SRV,
            "A_SalesOrderText",
            {"$filter": f"LongText eq {odata_string(marker)}", "$select": "SalesOrder,LongText"},
        )
        numbers = sorted(
            {text(row, "SalesOrder") for row in texts if text(row, "LongText") == marker} - {""}
        )
        if len(numbers) > 1:
            logger.warning("key %s has several sales orders: %s", idempotency_key, numbers)
        return numbers[0] if numbers else None

    def _sales_order_body(self, request: SalesOrderRequest) -> JsonObject:
        settings = self._settings
        body: JsonObject = {
            "SalesOrderType": settings.sales_order_type,
            "SalesOrganization": settings.sales_organization,
            "DistributionChannel": settings.distribution_channel,
            "OrganizationDivision": settings.division,
            "SoldToParty": request.customer_id,
            "PurchaseOrderByCustomer": request.customer_po,
            "TransactionCurrency": request.currency,
            "to_Item": [
                {
                    "SalesOrderItem": item_number(item.line_no),
                    "Material": item.sku,
                    "RequestedQuantity": decimal_text(item.quantity),
                    "RequestedQuantityUnit": item.uom,
                    "NetAmount": decimal_text(item.net_amount),
                }
                for item in request.items
            ],
            "to_Text": [
                {
                    "Language": settings.language,
                    "LongTextID": IDEMPOTENCY_TEXT_ID,
                    "LongText": sales_order_marker(request.idempotency_key),
                }
            ],
        }
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
        number = document_number(sales_order)
        if not number:
            raise RejectionError(
                "no sales order number to cancel", code=INVALID_REQUEST, system=SYSTEM
            )
        deleted = await self._odata.delete(SALES_ORDER_SRV, key_path("A_SalesOrder", number))
        if deleted:
            logger.info("deleted sales order %s: %s", number, reason)
        else:
            logger.info("sales order %s was already gone (%s)", number, reason)

    # -- billing ----------------------------------------------------------------------

    async def create_billing_document(self, request: BillingRequest) -> BillingDocumentRef:
        """Bill the given (shipped) items of a sales order, at most once per key.

        Every item of the document carries `billing_marker(idempotency_key)` in
        `BillingDocumentItemText`. Before posting, the billing items referring to the
        sales order (`A_BillingDocumentItem?$filter=SalesDocument eq '<so>'`) are read;
        a document whose items carry this key's marker is returned with
        `created=False` and the net amount SAP holds for it.

        Why a marker rather than "same items, same quantities": two partial shipments
        of equal size (10 ordered, shipped 5 and 5) are two invoices with identical
        items, and matching on items would bill the second one never. The limit is the
        other side of that: a document created outside Ordermesh, or with another key,
        for the same goods is not recognised, so the key must be stable per shipment.
        Totals: net is the sum of the items, tax is 0 (nothing here computes tax),
        gross equals net.
        """
        self._check_items(request.items, what="billing document", unique_lines=False)
        sales_order = document_number(request.sales_order)
        if not sales_order:
            raise RejectionError("no sales order to bill", code=INVALID_REQUEST, system=SYSTEM)
        marker = billing_marker(request.idempotency_key)
        total = sum((item.net_amount for item in request.items), Decimal(0))
        existing = await self._find_billing_document(sales_order, marker)
        if existing is not None:
            logger.info(
                "billing document %s already exists for key %s",
                existing.billing_document,
                request.idempotency_key,
            )
            if existing.net_amount == total:  # SAP's "475.000" is our "475.00": keep ours
                return existing.model_copy(update={"net_amount": total})
            return existing
        entity = await self._odata.create(
            BILLING_DOCUMENT_SRV,
            "A_BillingDocument",
            self._billing_body(request, sales_order, marker, total),
        )
        number = text(entity, "BillingDocument")
        if not number:
            raise TransientError(
                "SAP created a billing document but sent no number; a retry finds it "
                f"by its item text {marker!r}",
                system=SYSTEM,
            )
        logger.info("created billing document %s for sales order %s", number, sales_order)
        return BillingDocumentRef(billing_document=number, net_amount=total, created=True)

    async def _find_billing_document(
        self, sales_order: str, marker: str
    ) -> BillingDocumentRef | None:
        items = await self._odata.read_collection(
            BILLING_DOCUMENT_SRV,
            "A_BillingDocumentItem",
            {
                "$filter": f"SalesDocument eq {odata_string(sales_order)}",
                "$select": "BillingDocument,BillingDocumentItem,BillingDocumentItemText,NetAmount",
            },
        )
        totals: dict[str, Decimal] = {}
        for item in items:
            if text(item, "BillingDocumentItemText") == marker:
                number = text(item, "BillingDocument")
                totals[number] = totals.get(number, Decimal(0)) + parse_decimal(
                    item.get("NetAmount")
                )
        if not totals:
            return None
        if len(totals) > 1:
            logger.warning("marker %s is on several billing documents: %s", marker, sorted(totals))
        number = min(totals)
        return BillingDocumentRef(billing_document=number, net_amount=totals[number], created=False)

    def _billing_body(
        self, request: BillingRequest, sales_order: str, marker: str, total: Decimal
    ) -> JsonObject:
        return {
            "BillingDocumentType": self._settings.billing_document_type,
            "SDDocumentCategory": "M",
            "SalesOrganization": self._settings.sales_organization,
            "SoldToParty": request.customer_id,
            "PayerParty": request.customer_id,
            "TransactionCurrency": request.currency,
            "TotalNetAmount": decimal_text(total),
            "TotalTaxAmount": "0",
            "TotalGrossAmount": decimal_text(total),
            "to_Item": [
                {
                    "BillingDocumentItem": item_number(10 * position),
                    "Material": item.sku,
                    "BillingDocumentItemText": marker,
                    "BillingQuantity": decimal_text(item.quantity),
                    "BillingQuantityUnit": item.uom,
                    "NetAmount": decimal_text(item.net_amount),
                    "TransactionCurrency": request.currency,
                    "SalesDocument": sales_order,
                    "SalesDocumentItem": item_number(item.line_no),
                }
                for position, item in enumerate(request.items, start=1)
            ],
        }

    # -- shared ---------------------------------------------------------------------

    @staticmethod
    def _check_items(
        items: Sequence[ErpOrderItem], *, what: str, unique_lines: bool = True
    ) -> None:
        """Refuse, before sending anything, what SAP could not number or would refuse."""
        if not items:
            raise RejectionError(
                f"a {what} needs at least one item", code=INVALID_REQUEST, system=SYSTEM
            )
        seen: set[int] = set()
        for item in items:
            if not 0 < item.line_no <= 999_999:
                raise RejectionError(
                    f"line {item.line_no} cannot be an SAP item number (1..999999)",
                    code=INVALID_REQUEST,
                    system=SYSTEM,
                )
            if unique_lines and item.line_no in seen:
                raise RejectionError(
                    f"line {item.line_no} appears twice", code=INVALID_REQUEST, system=SYSTEM
                )
            seen.add(item.line_no)
            if item.quantity <= 0:
                raise RejectionError(
                    f"line {item.line_no}: quantity {item.quantity} is not positive",
                    code=INVALID_REQUEST,
                    system=SYSTEM,
                )
