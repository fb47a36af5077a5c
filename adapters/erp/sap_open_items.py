"""What customers still owe in SAP, and what a bank statement cleared: reads of the
open-item view `A_OperationalAcctgDocItemCube` (API_OPLACCTGDOCITEMCUBE_SRV).

Open receivables are the customer items that nothing has cleared, joined to their
billing documents, customers and sales orders with a few batched reads
(`SapODataSession.read_where_in`) however many items there are; the postings behind
them are `adapters.erp.sap_receivables`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from adapters.erp.port import workflow_of
from adapters.erp.sap_http import SapODataSession
from adapters.erp.sap_receivables import PAYMENT_TYPE
from adapters.erp.sap_settings import SapSettings
from adapters.erp.sap_values import (
    BILLING_DOCUMENT_SRV,
    BUSINESS_PARTNER_SRV,
    IDEMPOTENCY_PREFIX,
    IDEMPOTENCY_TEXT_ID,
    JOURNAL_ENTRY_SRV,
    OPEN_ITEMS_SRV,
    SALES_ORDER_SRV,
    odata_string,
    parse_amount,
    parse_edm_date,
    text,
)
from canonical.cash import Receivable

OPEN_ITEMS = "A_OperationalAcctgDocItemCube"
CUSTOMER_ITEM = "D"
"""`AccountingDocumentItemType` (KOART) of a customer line."""


def order_workflow_id(marker: str) -> str:
    """The workflow id in a sales order's idempotency text `ordermesh:<workflow>:<step>`;
    "" for any other text."""
    if not marker.startswith(IDEMPOTENCY_PREFIX):
        return ""
    return workflow_of(marker[len(IDEMPOTENCY_PREFIX) :])


@dataclass(frozen=True)
class Settled:
    """How an invoice's receivable was cleared."""

    clearing_document: str
    amount: Decimal


class SapOpenItems:
    """Open receivables, and what cleared them, for `adapters.erp.sap.SapErpAdapter`.

    Args:
        odata: The adapter's session.
        settings: The company code whose items are read.
    """

    def __init__(self, odata: SapODataSession, settings: SapSettings) -> None:
        self._odata = odata
        self._settings = settings

    async def open_receivables(self, customer_id: str | None = None) -> list[Receivable]:
        """The open customer items that are invoices, by billing document number.

        Five reads however many there are (a few more past 40 of a kind): the open
        items, their billing documents, those documents' items (for the sales order),
        the customers' names, and the sales orders' idempotency texts (for the
        workflow). An open item no billing document names (a payment on account) is
        not a receivable. `open_amount` is the item's whole amount.
        """
        where = (
            f"AccountingDocumentItemType eq '{CUSTOMER_ITEM}' and "
            "ClearingAccountingDocument eq '' and "
            f"CompanyCode eq {odata_string(self._settings.company_code)}"
        )
        if customer_id is not None:
            where += f" and Customer eq {odata_string(customer_id)}"
        items = await self._odata.read_collection(
            OPEN_ITEMS_SRV,
            OPEN_ITEMS,
            {
                "$filter": where,
                "$select": "AccountingDocument,Customer,AmountInTransactionCurrency,"
                "TransactionCurrency,NetDueDate,DebitCreditCode",
            },
        )
        # a credit on the customer's account is money on account, not an invoice
        owed = {
            text(i, "AccountingDocument"): i for i in items if text(i, "DebitCreditCode") != "H"
        }
        bills = await self._odata.read_where_in(
            BILLING_DOCUMENT_SRV,
            "A_BillingDocument",
            "AccountingDocument",
            owed,
            select=["BillingDocument", "AccountingDocument"],
        )
        billing_of: dict[str, str] = {}
        for bill in sorted(bills, key=lambda row: text(row, "BillingDocument")):
            if text(bill, "AccountingDocument") in owed:
                billing_of.setdefault(
                    text(bill, "AccountingDocument"), text(bill, "BillingDocument")
                )
        orders = await self._sales_orders(billing_of.values())
        names = await self._customer_names(text(owed[a], "Customer") for a in billing_of)
        workflows = await self._order_workflows(orders.values())
        receivables = []
        for accounting, billing in billing_of.items():
            item = owed[accounting]
            amount = parse_amount(item.get("AmountInTransactionCurrency"))
            order = orders.get(billing, "")
            receivables.append(
                Receivable(
                    billing_document=billing,
                    accounting_document=accounting,
                    customer_id=text(item, "Customer"),
                    customer_name=names.get(text(item, "Customer"), ""),
                    sales_order=order,
                    order_workflow_id=workflows.get(order, ""),
                    currency=text(item, "TransactionCurrency"),
                    amount=amount,
                    open_amount=amount,
                    due_on=parse_edm_date(item.get("NetDueDate")),
                )
            )
        return sorted(receivables, key=lambda r: r.billing_document)

    async def settled_by(
        self, billing_documents: Iterable[str], reference: str
    ) -> dict[str, Settled]:
        """The billing documents (of those given) whose receivable a customer payment
        with `reference` (a statement's number) cleared, and how. Three reads at most."""
        bills = await self._odata.read_where_in(
            BILLING_DOCUMENT_SRV,
            "A_BillingDocument",
            "BillingDocument",
            billing_documents,
            select=["BillingDocument", "AccountingDocument"],
        )
        billing_of = {text(b, "AccountingDocument"): text(b, "BillingDocument") for b in bills}
        items = await self._odata.read_where_in(
            OPEN_ITEMS_SRV,
            OPEN_ITEMS,
            "AccountingDocument",
            billing_of,
            select=[
                "AccountingDocument",
                "ClearingAccountingDocument",
                "AmountInTransactionCurrency",
            ],
            where=f"AccountingDocumentItemType eq '{CUSTOMER_ITEM}' and "
            f"CompanyCode eq {odata_string(self._settings.company_code)}",
        )
        cleared = {
            text(i, "AccountingDocument"): i for i in items if text(i, "ClearingAccountingDocument")
        }
        payments = await self._odata.read_where_in(
            JOURNAL_ENTRY_SRV,
            "A_JournalEntry",
            "AccountingDocument",
            (text(i, "ClearingAccountingDocument") for i in cleared.values()),
            select=["AccountingDocument", "AccountingDocumentType", "ReferenceDocument"],
            where=f"CompanyCode eq {odata_string(self._settings.company_code)}",
        )
        ours = {
            text(p, "AccountingDocument")
            for p in payments
            if text(p, "ReferenceDocument") == reference
            and text(p, "AccountingDocumentType") == PAYMENT_TYPE
        }
        return {
            billing_of[accounting]: Settled(
                text(item, "ClearingAccountingDocument"),
                parse_amount(item.get("AmountInTransactionCurrency")),
            )
            for accounting, item in cleared.items()
            if accounting in billing_of and text(item, "ClearingAccountingDocument") in ours
        }

    async def _sales_orders(self, billing_documents: Iterable[str]) -> dict[str, str]:
        """Billing document -> the sales order its items bill (the lowest, if several)."""
        rows = await self._odata.read_where_in(
            BILLING_DOCUMENT_SRV,
            "A_BillingDocumentItem",
            "BillingDocument",
            billing_documents,
            select=["BillingDocument", "SalesDocument"],
        )
        orders: dict[str, str] = {}
        for row in sorted(rows, key=lambda r: text(r, "SalesDocument")):
            if text(row, "SalesDocument"):
                orders.setdefault(text(row, "BillingDocument"), text(row, "SalesDocument"))
        return orders

    async def _customer_names(self, customers: Iterable[str]) -> dict[str, str]:
        rows = await self._odata.read_where_in(
            BUSINESS_PARTNER_SRV,
            "A_BusinessPartner",
            "Customer",
            customers,
            select=["Customer", "BusinessPartnerFullName", "BusinessPartnerName"],
        )
        return {
            text(row, "Customer"): text(row, "BusinessPartnerFullName")
            or text(row, "BusinessPartnerName")
            for row in rows
        }

    async def _order_workflows(self, sales_orders: Iterable[str]) -> dict[str, str]:
        """Sales order -> the workflow that created it, from its idempotency text."""
        rows = await self._odata.read_where_in(
            SALES_ORDER_SRV,
            "A_SalesOrderText",
            "SalesOrder",
            sales_orders,
            select=["SalesOrder", "LongText"],
            where=f"LongTextID eq '{IDEMPOTENCY_TEXT_ID}'",
        )
        workflows: dict[str, str] = {}
        for row in rows:
            workflow = order_workflow_id(text(row, "LongText"))
            if workflow:
                workflows.setdefault(text(row, "SalesOrder"), workflow)
        return workflows
