"""Billing documents in SAP: invoices for shipped items and credit memos for returned
ones, each made at most once per idempotency key with the journal entry it posts.

Every item carries `document_marker(idempotency_key)` in its item text and is found by
it before posting (`adapters.erp.sap_documents.find_marked_document`, which says why a
marker); the journal entry is `adapters.erp.sap_receivables.SapReceivables.book_invoice`.
The two kinds differ in type, category and the sign of the entry, nothing else.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from adapters.erp.port import BillingDocumentRef, BillingRequest
from adapters.erp.sap_checks import check_items, check_payment_terms, check_sales_order
from adapters.erp.sap_documents import (
    BILLING_ITEMS,
    created_number,
    document_marker,
    find_marked_document,
)
from adapters.erp.sap_http import SapODataSession
from adapters.erp.sap_receivables import Invoice, SapReceivables, output_tax
from adapters.erp.sap_settings import SapSettings
from adapters.erp.sap_values import (
    BILLING_DOCUMENT_SRV,
    JsonObject,
    decimal_text,
    edm_datetime,
    item_number,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BillingKind:
    """One kind of billing document.

    Attributes:
        document_type: `BillingDocumentType` (F2 invoice, G2 credit memo).
        category: `SDDocumentCategory` (M invoice, O credit memo).
        what: Its name in logs and errors.
    """

    document_type: str
    category: str
    what: str


class SapBilling:
    """Invoices and credit memos for `adapters.erp.sap.SapErpAdapter`.

    Args:
        odata: The adapter's OData session.
        settings: Sales organisation, billing and credit memo types, tax rate,
            default payment terms.
        receivables: Posts each document's journal entry.
        today: Today's date, for `BillingDocumentDate`.

    Attributes:
        invoice: The kind of an invoice (`billing_document_type`, category M).
        credit_memo: The kind of a credit memo (`credit_memo_type`, category O).
    """

    def __init__(
        self,
        odata: SapODataSession,
        settings: SapSettings,
        receivables: SapReceivables,
        today: Callable[[], date],
    ) -> None:
        self._odata = odata
        self._settings = settings
        self._receivables = receivables
        self._today = today
        self.invoice = BillingKind(settings.billing_document_type, "M", "billing document")
        self.credit_memo = BillingKind(settings.credit_memo_type, "O", "credit memo")

    async def create_billing_document(self, request: BillingRequest) -> BillingDocumentRef:
        """Bill the given (shipped) items of a sales order and post the receivable, at
        most once per key.

        Every item carries `document_marker(idempotency_key)` in
        `BillingDocumentItemText`; a document found by it
        (`A_BillingDocumentItem?$filter=SalesDocument eq '<so>'`) is not made again
        (`created=False`), and its totals are SAP's. Tax is `output_tax_rate` on each
        item's net and, rounded once, on the document's net total (as mock-sap's own
        invoices do), so the items' taxes may differ from the total by a cent; gross
        is net plus tax.

        The receivable is then posted and written to the billing document by
        `adapters.erp.sap_receivables.SapReceivables.book_invoice`, due under the
        request's payment terms (else `default_payment_terms`) from the billing date.
        A retry after any step finds what the earlier attempt did.
        """
        check_items(request.items, what="billing document", unique_lines=False)
        invoice, accounting_document, created = await self.bill(request, self.invoice)
        return BillingDocumentRef(
            billing_document=invoice.billing_document,
            accounting_document=accounting_document,
            payment_terms=self._terms(request),
            created=created,
            **invoice.amounts(),
        )

    async def bill(
        self,
        request: BillingRequest,
        kind: BillingKind,
        *,
        credit_for: str = "",
        fee: Decimal = Decimal(0),
    ) -> tuple[Invoice, str, bool]:
        """A billing document of `kind` for the request's items (less `fee`, as one
        negative item), and its journal entry: each made at most once per key, as
        `create_billing_document` describes. `request.sales_order` is the sales
        document the items come from (for a credit memo, the returns order) and
        `credit_for` the invoice a credit memo credits.

        Returns the document as SAP holds it, its journal entry, and whether this
        call made the document."""
        sales_order = check_sales_order(request.sales_order, what=f"to make a {kind.what} for")
        terms = self._terms(request)
        marker = document_marker(request.idempotency_key)
        existing = await find_marked_document(self._odata, BILLING_ITEMS, sales_order, marker)
        if existing is not None:
            logger.info(
                "%s %s already exists for key %s", kind.what, existing, request.idempotency_key
            )
            invoice = await self._receivables.read_invoice(existing)
            invoice = replace(invoice, credit_for=credit_for)
        else:
            net = sum((item.net_amount for item in request.items), Decimal(0)) - fee
            invoice = Invoice(
                billing_document="",
                customer_id=request.customer_id,
                currency=request.currency,
                net=net,
                tax=output_tax(net, self._settings.output_tax_rate),
                billed_on=self._today(),
                credit_for=credit_for,
            )
            entity = await self._odata.create(
                BILLING_DOCUMENT_SRV,
                "A_BillingDocument",
                self._billing_body(request, kind, sales_order, marker, invoice, fee),
            )
            number = created_number(entity, "BillingDocument", kind.what, marker)
            invoice = replace(invoice, billing_document=number)
            logger.info("created %s %s for sales document %s", kind.what, number, sales_order)
        accounting_document = await self._receivables.book_invoice(
            invoice, terms, new=existing is None
        )
        return invoice, accounting_document, existing is None

    def _terms(self, request: BillingRequest) -> str:
        return check_payment_terms(request.payment_terms or self._settings.default_payment_terms)

    def _billing_body(
        self,
        request: BillingRequest,
        kind: BillingKind,
        sales_order: str,
        marker: str,
        invoice: Invoice,
        fee: Decimal,
    ) -> JsonObject:
        rate = self._settings.output_tax_rate
        items: list[JsonObject] = [
            {
                "BillingDocumentItem": item_number(10 * position),
                "Material": item.sku,
                "BillingDocumentItemText": marker,
                "BillingQuantity": decimal_text(item.quantity),
                "BillingQuantityUnit": item.uom,
                "NetAmount": decimal_text(item.net_amount),
                "TaxAmount": decimal_text(output_tax(item.net_amount, rate)),
                "TransactionCurrency": request.currency,
                "SalesDocument": sales_order,
                "SalesDocumentItem": item_number(item.line_no),
            }
            for position, item in enumerate(request.items, start=1)
        ]
        if fee:
            # The fee is an item of its own, negative, so the items add up to the
            # document's net and a reader sees what was kept back; it carries the
            # marker like every item (the lookup reads any of them), and no material.
            items.append(
                {
                    "BillingDocumentItem": item_number(10 * (len(items) + 1)),
                    "Material": "",
                    "BillingDocumentItemText": marker,
                    "BillingQuantity": "1",
                    "NetAmount": decimal_text(-fee),
                    "TaxAmount": decimal_text(output_tax(-fee, rate)),
                    "TransactionCurrency": request.currency,
                    "SalesDocument": sales_order,
                }
            )
        return {
            "BillingDocumentType": kind.document_type,
            "SDDocumentCategory": kind.category,
            "SalesOrganization": self._settings.sales_organization,
            "SoldToParty": request.customer_id,
            "PayerParty": request.customer_id,
            "BillingDocumentDate": edm_datetime(invoice.billed_on),
            "TransactionCurrency": request.currency,
            "TotalNetAmount": decimal_text(invoice.net),
            "TotalTaxAmount": decimal_text(invoice.tax),
            "TotalGrossAmount": decimal_text(invoice.gross),
            "to_Item": items,
        }
