"""Documents of the sales order entity (`A_SalesOrder`) made at most once per
idempotency key: ordinary sales orders and returns orders alike.

Each carries the header text `ordermesh:<idempotency_key>` (`LongTextID` 0001, in the
configured language). Before posting, `A_SalesOrderText` is searched for that text; a
hit is the document an earlier attempt made. So a retry after a lost response
(timeout, dropped connection, unreadable 201) finds it instead of making a second.

Limits: two attempts running at the same moment can both miss the lookup (Temporal
runs one attempt of an activity at a time, so this does not arise there); and a
document deleted takes its text with it, so the same key afterwards creates a new
one. Filtering on the long text is what mock-sap supports; a real S/4HANA may need
the marker in a filterable field (e.g. a custom header field) instead.
"""

import logging
from collections.abc import Sequence

from adapters.erp.port import ErpOrderItem, SalesOrderRef
from adapters.erp.sap_http import SapODataSession
from adapters.erp.sap_settings import SapSettings
from adapters.erp.sap_values import (
    IDEMPOTENCY_PREFIX,
    IDEMPOTENCY_TEXT_ID,
    SALES_ORDER_SRV,
    SYSTEM,
    JsonObject,
    decimal_text,
    item_number,
    key_path,
    odata_string,
    text,
)
from adapters.errors import TransientError

logger = logging.getLogger(__name__)


def sales_order_marker(idempotency_key: str) -> str:
    """The header text a sales order (or returns order) created for `idempotency_key`
    carries."""
    return IDEMPOTENCY_PREFIX + idempotency_key


class SapSalesOrders:
    """Create, find and delete marked sales orders for `adapters.erp.sap.SapErpAdapter`
    and `adapters.erp.sap_returns.SapReturns`.

    Args:
        odata: The adapter's OData session.
        settings: The language of the marker text.
    """

    def __init__(self, odata: SapODataSession, settings: SapSettings) -> None:
        self._odata = odata
        self._settings = settings

    def order_body(
        self,
        order_type: str,
        idempotency_key: str,
        customer_id: str,
        currency: str,
        items: Sequence[ErpOrderItem],
    ) -> JsonObject:
        """An `A_SalesOrder` deep insert in our sales area: its items (numbered by
        line), and the key's marker as its one header text; callers add the rest."""
        settings = self._settings
        return {
            "SalesOrderType": order_type,
            "SalesOrganization": settings.sales_organization,
            "DistributionChannel": settings.distribution_channel,
            "OrganizationDivision": settings.division,
            "SoldToParty": customer_id,
            "TransactionCurrency": currency,
            "to_Item": [
                {
                    "SalesOrderItem": item_number(item.line_no),
                    "Material": item.sku,
                    "RequestedQuantity": decimal_text(item.quantity),
                    "RequestedQuantityUnit": item.uom,
                    "NetAmount": decimal_text(item.net_amount),
                }
                for item in items
            ],
            "to_Text": [self.marker_text(idempotency_key)],
        }

    def marker_text(self, idempotency_key: str) -> JsonObject:
        """The `to_Text` entry that ties a document to its key (see the module)."""
        return {
            "Language": self._settings.language,
            "LongTextID": IDEMPOTENCY_TEXT_ID,
            "LongText": sales_order_marker(idempotency_key),
        }

    async def create(self, idempotency_key: str, body: JsonObject, *, what: str) -> SalesOrderRef:
        """Deep-insert `body` (which carries `marker_text(idempotency_key)`) unless a
        document with the key's marker exists; that one is answered `created=False`.

        Args:
            idempotency_key: The key whose marker `body` carries.
            body: The `A_SalesOrder` to post.
            what: What it is, for logs and errors ("sales order", "returns order").
        """
        existing = await self.find(idempotency_key)
        if existing is not None:
            logger.info("%s %s already exists for key %s", what, existing, idempotency_key)
            return SalesOrderRef(sales_order=existing, created=False)
        entity = await self._odata.create(SALES_ORDER_SRV, "A_SalesOrder", body)
        number = text(entity, "SalesOrder")
        if not number:
            raise TransientError(
                f"SAP created a {what} but sent no number; a retry finds it by its "
                f"text {sales_order_marker(idempotency_key)!r}",
                system=SYSTEM,
            )
        logger.info("created %s %s for key %s", what, number, idempotency_key)
        return SalesOrderRef(sales_order=number, created=True)

    async def find(self, idempotency_key: str) -> str | None:
        """The document created under `idempotency_key`, if there is one (found by its
        `ordermesh:<key>` header text); None once it has been deleted."""
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

    async def delete(self, number: str, reason: str, *, what: str) -> None:
        """Delete the document `number` (in SAP's form); one already gone (404) is
        success. `reason` goes to the log."""
        deleted = await self._odata.delete(SALES_ORDER_SRV, key_path("A_SalesOrder", number))
        if deleted:
            logger.info("deleted %s %s: %s", what, number, reason)
        else:
            logger.info("%s %s was already gone (%s)", what, number, reason)
