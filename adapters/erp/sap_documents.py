"""The documents that follow a sales order in SAP: outbound deliveries here, and
billing documents (`adapters.erp.sap_billing`), each created at most once per
idempotency key.

Both are made the same way: every item of the document carries
`document_marker(idempotency_key)` in its item text, and before posting, the items of
that kind referring to the sales order are searched for the marker
(`find_marked_document`). A hit is the document an earlier attempt made, returned with
`created=False`.

Why a marker rather than "same items, same quantities": two partial shipments of
equal size (10 ordered, shipped 5 and 5) are two deliveries and two invoices with
identical items, and matching on items would take the second for a repeat of the
first and never make it. The other side of that: a document created outside
Ordermesh, or with another key, for the same goods is not recognised, so the key must
be stable per shipment. Two attempts running at the same moment can both miss the
lookup (Temporal runs one attempt of an activity at a time, so this does not arise
there).
"""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from adapters.erp.port import (
    DeliveryRef,
    DeliveryRequest,
    ErpOrderItem,
)
from adapters.erp.sap_checks import check_items, check_sales_order
from adapters.erp.sap_http import SapODataSession
from adapters.erp.sap_settings import SapSettings
from adapters.erp.sap_values import (
    BILLING_DOCUMENT_SRV,
    IDEMPOTENCY_PREFIX,
    OUTBOUND_DELIVERY_SRV,
    SALES_ORDER_SRV,
    SYSTEM,
    JsonObject,
    decimal_text,
    edm_datetime,
    item_number,
    key_path,
    odata_string,
    text,
)
from adapters.errors import NotFoundError, RejectionError, TransientError

logger = logging.getLogger(__name__)

SHIPPING_POINT_LENGTH = 4
"""`ShippingPoint` (VSTEL) holds four characters."""


def document_marker(idempotency_key: str) -> str:
    """The item text of every item of a document created for `idempotency_key`.

    Item texts (`BillingDocumentItemText`, `DeliveryDocumentItemText`) hold 40
    characters, so the key goes in hashed: `ordermesh:` and the first 30 hex digits of
    its SHA-256.
    """
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()
    return IDEMPOTENCY_PREFIX + digest[:30]


billing_marker = document_marker
delivery_marker = document_marker


@dataclass(frozen=True)
class MarkedItems:
    """Where the items of one kind of document live, and which fields say what.

    Attributes:
        reference: The field naming the sales order the item comes from.
    """

    service: str
    entity_set: str
    document: str
    item_text: str
    reference: str


BILLING_ITEMS = MarkedItems(
    BILLING_DOCUMENT_SRV,
    "A_BillingDocumentItem",
    document="BillingDocument",
    item_text="BillingDocumentItemText",
    reference="SalesDocument",
)
DELIVERY_ITEMS = MarkedItems(
    OUTBOUND_DELIVERY_SRV,
    "A_OutbDeliveryItem",
    document="DeliveryDocument",
    item_text="DeliveryDocumentItemText",
    reference="ReferenceSDDocument",
)


async def find_marked_document(
    odata: SapODataSession, kind: MarkedItems, sales_order: str, marker: str
) -> str | None:
    """The number of the document of `kind` whose items carry `marker`, among the items
    that refer to `sales_order`.

    Should several carry it (two attempts at the same moment), the lowest number is the
    answer and the others are logged."""
    items = await odata.read_collection(
        kind.service,
        kind.entity_set,
        {
            "$filter": f"{kind.reference} eq {odata_string(sales_order)}",
            "$select": f"{kind.document},{kind.item_text}",
        },
    )
    numbers = sorted(
        {text(item, kind.document) for item in items if text(item, kind.item_text) == marker} - {""}
    )
    if len(numbers) > 1:
        logger.warning("marker %s is on several %s: %s", marker, kind.entity_set, numbers)
    return numbers[0] if numbers else None


class SapDocuments:
    """Outbound deliveries for `adapters.erp.sap.SapErpAdapter`, and the check that
    items are on a sales order.

    Args:
        odata: The adapter's OData session.
        settings: Sales organisation, default shipping point.
        today: Today's date, for `DeliveryDate`.
    """

    def __init__(
        self, odata: SapODataSession, settings: SapSettings, today: Callable[[], date]
    ) -> None:
        self._odata = odata
        self._settings = settings
        self._today = today

    # -- deliveries -------------------------------------------------------------------

    async def create_outbound_delivery(self, request: DeliveryRequest) -> DeliveryRef:
        """An outbound delivery (type LF) for what one shipment took, at most once per key.

        Every item carries `document_marker(idempotency_key)` in
        `DeliveryDocumentItemText`; a delivery found by it
        (`A_OutbDeliveryItem?$filter=ReferenceSDDocument eq '<so>'`) is returned with
        `created=False`. Otherwise the sales order's items are read, and a delivery
        naming an item the order does not have (or another material) is refused
        before posting: mock-sap would store it as it is.

        Each delivery item refers to the sales order item (`ReferenceSDDocument`,
        `ReferenceSDDocumentItem`); items are numbered 000010, 000020, ... in request
        order. `DeliveryDate` is today, ship-to is the sold-to party, and the shipping
        point comes from `shipping_point_for`.

        What the OData POST does not do, in mock-sap: check over-delivery or move the
        sales order's `OverallDeliveryStatus` (only its BAPI and IDoc paths do). A real
        S/4HANA does both, and refuses an over-delivery as a `RejectionError`.
        """
        check_items(request.items, what="delivery", unique_lines=False)
        sales_order = check_sales_order(request.sales_order, what="to deliver")
        marker = document_marker(request.idempotency_key)
        existing = await find_marked_document(self._odata, DELIVERY_ITEMS, sales_order, marker)
        if existing is not None:
            logger.info("delivery %s already exists for key %s", existing, request.idempotency_key)
            return DeliveryRef(delivery_document=existing, created=False)
        await self.check_order_items(sales_order, request.items)
        entity = await self._odata.create(
            OUTBOUND_DELIVERY_SRV,
            "A_OutbDeliveryHeader",
            self._delivery_body(request, sales_order, marker),
        )
        number = created_number(entity, "DeliveryDocument", "delivery", marker)
        logger.info("created delivery %s for sales order %s", number, sales_order)
        return DeliveryRef(delivery_document=number, created=True)

    def shipping_point_for(self, warehouse: str) -> str:
        """The `ShippingPoint` for a warehouse code.

        From `SapSettings.shipping_points` when mapped there; else the code itself when
        it fits SAP's four characters; else `SapSettings.shipping_point` (1710).
        """
        code = warehouse.strip()
        mapped = self._settings.shipping_points.get(code)
        if mapped:
            return mapped
        if code and len(code) <= SHIPPING_POINT_LENGTH:
            return code
        logger.info(
            "warehouse %r is no SAP shipping point; using %s",
            warehouse,
            self._settings.shipping_point,
        )
        return self._settings.shipping_point

    async def check_order_items(self, sales_order: str, items: list[ErpOrderItem]) -> None:
        """Refuse (`RejectionError`, `ERP_REJECTED`) items that name an item the sales
        order does not have, or another material than it has; and an order that does
        not exist."""
        try:
            rows = await self._odata.read_collection(
                SALES_ORDER_SRV,
                f"{key_path('A_SalesOrder', sales_order)}/to_Item",
                {"$select": "SalesOrderItem,Material"},
            )
        except NotFoundError as exc:
            raise RejectionError(
                f"Sales order {sales_order} does not exist", code="ERP_REJECTED", system=SYSTEM
            ) from exc
        materials = {text(row, "SalesOrderItem"): text(row, "Material") for row in rows}
        for item in items:
            number = item_number(item.line_no)
            if number not in materials:
                raise RejectionError(
                    f"Sales order {sales_order} has no item {number}",
                    code="ERP_REJECTED",
                    system=SYSTEM,
                )
            if materials[number] and materials[number] != item.sku:
                raise RejectionError(
                    f"Item {number} of sales order {sales_order} is material "
                    f"{materials[number]}, not {item.sku}",
                    code="ERP_REJECTED",
                    system=SYSTEM,
                )

    def _delivery_body(self, request: DeliveryRequest, sales_order: str, marker: str) -> JsonObject:
        return {
            "DeliveryDocumentType": "LF",
            "ShippingPoint": self.shipping_point_for(request.shipping_point),
            "SalesOrganization": self._settings.sales_organization,
            "SoldToParty": request.customer_id,
            "ShipToParty": request.customer_id,
            "DeliveryDate": edm_datetime(self._today()),
            "to_DeliveryDocumentItem": [
                {
                    "DeliveryDocumentItem": item_number(10 * position),
                    "Material": item.sku,
                    "DeliveryDocumentItemText": marker,
                    "ActualDeliveredQtyInOrderQtyUnit": decimal_text(item.quantity),
                    "OrderQuantityUnit": item.uom,
                    "ReferenceSDDocument": sales_order,
                    "ReferenceSDDocumentItem": item_number(item.line_no),
                }
                for position, item in enumerate(request.items, start=1)
            ],
        }


def created_number(entity: JsonObject, field: str, what: str, marker: str) -> str:
    """The number SAP gave a document it created; `TransientError` when it sent none
    (a retry finds the document by `marker` in its item texts)."""
    number = text(entity, field)
    if not number:
        raise TransientError(
            f"SAP created a {what} but sent no number; a retry finds it by its item "
            f"text {marker!r}",
            system=SYSTEM,
        )
    return number
