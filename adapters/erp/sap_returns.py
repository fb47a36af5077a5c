"""The ERP side of a customer return (RMA) in SAP: the returns order, its cancellation,
and the credit memo with the journal entry that credits the customer.

- A returns order is a sales order of type `SapSettings.returns_order_type` (CBAR)
  referring to the original order (`ReferenceSDDocument`, category C), with the order
  reason (`SDDocumentReason`, see `RETURN_REASONS`) and two header texts: the
  idempotency marker (`adapters.erp.sap_sales_orders`, as for any sales order) and
  the reason in words. Its items keep the original items' numbers: item 000010 of
  the return is what came back of item 000010 of the order. (S/4HANA's returns item
  also names the reference item, `ReferenceSDDocument`/`ReferenceSDDocumentItem`;
  mock-sap's `A_SalesOrderItem` has neither field and refuses unknown ones, so the
  number is the reference.)
- A credit memo is a billing document of type `SapSettings.credit_memo_type` (G2,
  category O) made the way an invoice is (`SapBilling.bill`: marker in the item
  texts, found by it before posting), its items referring to the returns order. The
  restocking fee is one negative item, so the credit's net is the items' sum less the
  fee; output tax is at the invoices' rate on that net. Its journal entry (DG) is the
  invoice's entry turned round: the customer credited the gross, revenue and output
  tax debited, `REF_DOC_NO` the credit memo, its texts naming the invoice credited;
  looked up by reference before posting and written to the credit memo
  (`SapReceivables.book_invoice`).
"""

import logging

from adapters.erp.port import (
    BillingRequest,
    CreditMemoRef,
    CreditMemoRequest,
    ReturnsOrderRef,
    ReturnsOrderRequest,
)
from adapters.erp.sap_billing import SapBilling
from adapters.erp.sap_checks import check_credit_memo, check_returns_order, invalid
from adapters.erp.sap_documents import SapDocuments
from adapters.erp.sap_http import SapODataSession
from adapters.erp.sap_receivables import SapReceivables
from adapters.erp.sap_sales_orders import SapSalesOrders
from adapters.erp.sap_settings import SapSettings
from adapters.erp.sap_values import (
    IDEMPOTENCY_PREFIX,
    SALES_ORDER_SRV,
    JsonObject,
    document_number,
    key_path,
    text,
)

logger = logging.getLogger(__name__)

RETURN_REASONS = {
    "damaged": "101",
    "wrong_item": "102",
    "not_needed": "103",
    "defective": "104",
    "other": "105",
}
"""Our return reason -> the order reason (`SDDocumentReason`, AUGRU: three characters)
of the returns order. These are customising keys: a real system must have 101..105
defined as order reasons for returns (or the map changed to its own)."""
OTHER_REASON = RETURN_REASONS["other"]
"""The order reason of a reason not in `RETURN_REASONS`: the return is still
recorded, and the words are kept in the reason text."""
REASON_TEXT_ID = "0002"
"""`LongTextID` of the returns order's header text that says why (0001 is the marker)."""
REFERENCE_TO_ORDER = "C"
"""`ReferenceSDDocumentCategory` (VBTYP) of a sales order."""


def reason_code(reason: str) -> str:
    """The order reason for one of our return reasons (see `RETURN_REASONS`)."""
    return RETURN_REASONS.get(reason.strip().lower(), OTHER_REASON)


def reason_text(reason: str) -> str:
    """The header text that records why the goods came back."""
    return f"{IDEMPOTENCY_PREFIX}return reason {reason.strip()}"


class SapReturns:
    """Returns orders and credit memos for `adapters.erp.sap.SapErpAdapter`.

    Args:
        odata: The adapter's OData session.
        settings: Returns order type, sales area, language.
        orders: Creates, finds and deletes marked sales orders.
        documents: Checks returned items against the original order.
        billing: Makes the credit memos.
        receivables: Checks the invoice credited.
    """

    def __init__(
        self,
        odata: SapODataSession,
        settings: SapSettings,
        orders: SapSalesOrders,
        documents: SapDocuments,
        billing: SapBilling,
        receivables: SapReceivables,
    ) -> None:
        self._odata = odata
        self._settings = settings
        self._orders = orders
        self._documents = documents
        self._billing = billing
        self._receivables = receivables

    # -- returns orders -----------------------------------------------------------------

    async def create_returns_order(self, request: ReturnsOrderRequest) -> ReturnsOrderRef:
        """A returns order against the original sales order, at most once per key.

        Each returned item is checked against the original order (it has the item,
        with that material) before anything is posted: mock-sap would store a return
        of anything. Quantities are not checked against what was delivered."""
        original = check_returns_order(request)
        await self._documents.check_order_items(original, request.items)
        ref = await self._orders.create(
            request.idempotency_key,
            self._returns_order_body(request, original),
            what="returns order",
        )
        return ReturnsOrderRef(returns_order=ref.sales_order, created=ref.created)

    def _returns_order_body(self, request: ReturnsOrderRequest, original: str) -> JsonObject:
        body = self._orders.order_body(
            self._settings.returns_order_type,
            request.idempotency_key,
            request.customer_id,
            request.currency,
            request.items,
        )
        body["SDDocumentReason"] = reason_code(request.reason)
        body["ReferenceSDDocument"] = original
        body["ReferenceSDDocumentCategory"] = REFERENCE_TO_ORDER
        body["to_Text"].append(
            {
                "Language": self._settings.language,
                "LongTextID": REASON_TEXT_ID,
                "LongText": reason_text(request.reason),
            }
        )
        return body

    async def cancel_returns_order(self, returns_order: str, idempotency_key: str) -> None:
        """Delete the returns order; one already gone (404) is done.

        With `returns_order` empty (a create whose response was lost) it is found by
        the key's marker first, and nothing found is done. The order is read before
        it is deleted, and one of another type than `returns_order_type` is refused
        (`RejectionError`, `ERP_INVALID_REQUEST`): a wrong number must not delete a
        customer's sales order."""
        number = document_number(returns_order)
        if not number:
            if not idempotency_key.strip():
                raise invalid("no returns order to cancel, and no key to find it by")
            number = await self._orders.find(idempotency_key) or ""
            if not number:
                logger.info("no returns order for key %s: nothing to cancel", idempotency_key)
                return
        header = await self._odata.read_entity(
            SALES_ORDER_SRV,
            key_path("A_SalesOrder", number),
            {"$select": "SalesOrder,SalesOrderType"},
        )
        if header is None:
            logger.info("returns order %s was already gone", number)
            return
        kind = text(header, "SalesOrderType")
        if kind != self._settings.returns_order_type:
            raise invalid(
                f"sales order {number} is of type {kind}, not a returns order "
                f"({self._settings.returns_order_type}): not cancelled"
            )
        await self._orders.delete(
            number, f"return {idempotency_key} cancelled", what="returns order"
        )

    # -- credit memos -------------------------------------------------------------------

    async def create_credit_memo(self, request: CreditMemoRequest) -> CreditMemoRef:
        """A credit memo for the returned items less the fee, and the journal entry
        crediting the customer: each at most once per key (see the module).

        Refused before anything is posted: a bad request (`check_credit_memo`), or an
        invoice SAP does not have, or of another customer or currency
        (`ERP_REJECTED`)."""
        returns_order, invoice = check_credit_memo(request)
        await self._receivables.check_invoice(invoice, request.customer_id, request.currency)
        billing = BillingRequest(
            idempotency_key=request.idempotency_key,
            sales_order=returns_order,
            customer_id=request.customer_id,
            currency=request.currency,
            items=request.items,
            payment_terms=request.payment_terms,
        )
        memo, accounting_document, created = await self._billing.bill(
            billing, self._billing.credit_memo, credit_for=invoice, fee=request.fee
        )
        return CreditMemoRef(
            credit_memo=memo.billing_document,
            accounting_document=accounting_document,
            created=created,
            **memo.amounts(),
        )
