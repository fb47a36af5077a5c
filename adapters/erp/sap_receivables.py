"""What customers owe in SAP, as posted: the receivable an invoice posts, and part
payments posted on account.

An invoice's receivable is a journal entry posted with `BAPI_ACC_DOCUMENT_POST`
(document type RV, `REF_DOC_NO` = the billing document): the customer debited the
gross, revenue and output tax credited. Its number is then written to the billing
document (`AccountingDocument`, `AccountingPostingStatus` C), which is how SAP, and
mock-sap's statement clearing, get from an open item to the invoice a customer quotes.
A credit memo's entry (type DG, `REF_DOC_NO` = the credit memo) is the same with every
sign turned: the customer credited, revenue and output tax debited. Each step is safe
to repeat: a billing document that already names its journal entry
is done; otherwise the journal entry is looked up by its reference before a second is
posted, and the billing document is patched (again, harmlessly).

A part payment is a customer payment (DZ) on account: the bank debited, the customer
credited, its reference the first 16 hex digits of the SHA-256 of its idempotency key
(`payment_reference`), looked up before posting. The invoice stays open in SAP.

What is still open, and what a statement cleared, is read in
`adapters.erp.sap_open_items`.
"""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from adapters.erp.port import PartPaymentRef, PartPaymentRequest
from adapters.erp.sap_checks import check_part_payment
from adapters.erp.sap_http import SapODataSession
from adapters.erp.sap_settings import SapSettings
from adapters.erp.sap_values import (
    BILLING_DOCUMENT_SRV,
    JOURNAL_ENTRY_SRV,
    SYSTEM,
    JsonObject,
    abap_date,
    decimal_text,
    key_path,
    odata_string,
    parse_amount,
    parse_edm_date,
    text,
)
from adapters.errors import RejectionError, TransientError
from canonical.money import round_money

logger = logging.getLogger(__name__)

INVOICE_TYPE = "RV"
"""`AccountingDocumentType` of a billing document's journal entry."""
CREDIT_MEMO_TYPE = "DG"
"""`AccountingDocumentType` of a credit memo's journal entry (customer credit memo)."""
PAYMENT_TYPE = "DZ"
"""`AccountingDocumentType` of a customer payment (a part payment, a statement's
clearing)."""
ITEM_TEXT_LENGTH = 50
"""`ITEM_TEXT` (SGTXT) holds 50 characters."""


def payment_reference(idempotency_key: str) -> str:
    """The `REF_DOC_NO` of a part payment: 16 hex digits of the key's SHA-256, all that
    XBLNR holds, and what finds the payment again."""
    return hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:16]


def output_tax(net: Decimal, rate: Decimal) -> Decimal:
    """Tax on `net` at `rate`, to the cent, half up (as SAP and mock-sap round it)."""
    return round_money(net * rate)


@dataclass(frozen=True)
class Invoice:
    """What a billing document's receivable is posted from."""

    billing_document: str
    customer_id: str
    currency: str
    net: Decimal
    tax: Decimal
    billed_on: date
    accounting_document: str = ""
    credit_for: str = ""
    """For a credit memo, the invoice it credits; "" for an invoice."""

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax

    def amounts(self) -> dict[str, Decimal]:
        """`net_amount`, `tax_amount` and `gross_amount`, as the port's refs name them."""
        return {"net_amount": self.net, "tax_amount": self.tax, "gross_amount": self.gross}

    @property
    def document_type(self) -> str:
        """The journal entry's type: RV for an invoice, DG for a credit memo."""
        return CREDIT_MEMO_TYPE if self.credit_for else INVOICE_TYPE


@dataclass(frozen=True)
class _Line:
    """One line of a journal entry to post; + debit, - credit."""

    account: str
    amount: Decimal
    item_text: str
    customer: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class SapReceivables:
    """Invoice receivables and part payments for `adapters.erp.sap.SapErpAdapter`.

    Args:
        odata: The adapter's session (OData reads, the BAPI call).
        settings: Company code, G/L accounts.
        today: Today's date, for a billing document that carries none.
    """

    def __init__(
        self, odata: SapODataSession, settings: SapSettings, today: Callable[[], date]
    ) -> None:
        self._odata = odata
        self._settings = settings
        self._today = today

    # -- invoices ---------------------------------------------------------------------

    async def read_invoice(self, billing_document: str) -> Invoice:
        """A billing document as SAP holds it: totals, date, journal entry if posted."""
        header = await self._odata.read_entity(
            BILLING_DOCUMENT_SRV,
            key_path("A_BillingDocument", billing_document),
            {
                "$select": "BillingDocument,PayerParty,SoldToParty,TransactionCurrency,"
                "TotalNetAmount,TotalTaxAmount,BillingDocumentDate,AccountingDocument"
            },
        )
        if header is None:
            raise TransientError(
                f"billing document {billing_document} was found by its items but not read",
                system=SYSTEM,
            )
        return Invoice(
            billing_document=billing_document,
            customer_id=text(header, "PayerParty") or text(header, "SoldToParty"),
            currency=text(header, "TransactionCurrency"),
            net=parse_amount(header.get("TotalNetAmount")),
            tax=parse_amount(header.get("TotalTaxAmount")),
            billed_on=parse_edm_date(header.get("BillingDocumentDate")) or self._today(),
            accounting_document=text(header, "AccountingDocument"),
        )

    async def book_invoice(self, invoice: Invoice, payment_terms: str, *, new: bool) -> str:
        """The journal entry of the invoice's receivable (or, for a credit memo, of
        the credit on the customer's account), posted at most once; written to the
        billing document. Safe to repeat after any step (see the module).

        An invoice (RV) debits the customer the gross and credits revenue and output
        tax; a credit memo (DG, `credit_for` set) is the same entry with every sign
        turned, its texts naming the invoice it credits.

        `new`: the billing document was created just now, so no journal entry can
        refer to it yet and none is looked for."""
        if invoice.accounting_document:
            return invoice.accounting_document
        number = invoice.billing_document
        kind = invoice.document_type
        document = None if new else await self.find_journal_entry(number, kind)
        if document is None:
            settings = self._settings
            # credit memo: the customer credited (-), revenue and tax debited (+)
            sign = -1 if invoice.credit_for else 1
            # HEADER_TXT (BKTXT) holds 25 characters: "Credit for inv " + 10 digits
            header, item = (
                (f"Credit for inv {invoice.credit_for}", f"Credit for invoice {invoice.credit_for}")
                if invoice.credit_for
                else (f"Invoice {number}", f"Invoice {number}")
            )
            document = await self._post(
                kind,
                posted_on=invoice.billed_on,
                reference=number,
                header_text=header,
                currency=invoice.currency,
                lines=[
                    _Line(
                        settings.receivables_account,
                        sign * invoice.gross,
                        item,
                        customer=invoice.customer_id,
                        extra={
                            "PMNTTRMS": payment_terms,
                            "BLINE_DATE": abap_date(invoice.billed_on),
                            "ALLOC_NMBR": number,
                        },
                    ),
                    _Line(settings.revenue_account, -sign * invoice.net, "Revenue"),
                    _Line(settings.output_tax_account, -sign * invoice.tax, "Output tax"),
                ],
            )
            logger.info(
                "posted %s journal entry %s for billing document %s", kind, document, number
            )
        marked = await self._odata.update(
            BILLING_DOCUMENT_SRV,
            key_path("A_BillingDocument", number),
            {"AccountingDocument": document, "AccountingPostingStatus": "C"},
        )
        if not marked:
            raise TransientError(
                f"billing document {number} vanished before its journal entry {document} "
                "could be written to it",
                system=SYSTEM,
            )
        return document

    async def find_journal_entry(self, reference: str, document_type: str) -> str | None:
        """The journal entry of `document_type` in our company code whose reference is
        `reference` (the lowest, should there be several)."""
        rows = await self._odata.read_collection(
            JOURNAL_ENTRY_SRV,
            "A_JournalEntry",
            {
                "$filter": f"ReferenceDocument eq {odata_string(reference)} and "
                f"AccountingDocumentType eq {odata_string(document_type)} and "
                f"CompanyCode eq {odata_string(self._settings.company_code)}",
                "$select": "AccountingDocument,ReferenceDocument",
            },
        )
        numbers = sorted(
            {
                text(row, "AccountingDocument")
                for row in rows
                if text(row, "ReferenceDocument") == reference
            }
            - {""}
        )
        if len(numbers) > 1:
            logger.warning(
                "reference %s has several %s entries: %s", reference, document_type, numbers
            )
        return numbers[0] if numbers else None

    # -- part payments ----------------------------------------------------------------

    async def post_part_payment(self, request: PartPaymentRequest) -> PartPaymentRef:
        """Post a short payment on the customer's account, at most once per key.

        Refused (`RejectionError`) before posting: an invoice SAP does not have, or of
        another customer, or in another currency (`ERP_REJECTED`); an amount that is
        not less than the invoice (`ERP_INVALID_REQUEST`: that is a clearing)."""
        number = check_part_payment(request)
        reference = payment_reference(request.idempotency_key)
        found = await self.find_journal_entry(reference, PAYMENT_TYPE)
        if found is not None:
            logger.info("part payment %s already posted for key %s", found, request.idempotency_key)
            return PartPaymentRef(accounting_document=found, created=False)
        gross = await self.check_invoice(number, request.customer_id, request.currency)
        if request.amount >= gross:
            raise _refused(
                f"{request.amount} {request.currency} is not short of billing document "
                f"{number} ({gross} {request.currency}): clear it instead",
                code="ERP_INVALID_REQUEST",
            )
        item_text = f"Part payment of {number}: {request.reason.strip()}".rstrip(": ")
        document = await self._post(
            PAYMENT_TYPE,
            posted_on=request.posting_date,
            reference=reference,
            header_text=f"Part payment {number}",
            currency=request.currency,
            lines=[
                _Line(self._settings.bank_account, request.amount, f"Payment for {number}"),
                _Line(
                    self._settings.receivables_account,
                    -request.amount,
                    item_text[:ITEM_TEXT_LENGTH],
                    customer=request.customer_id,
                    extra={"ALLOC_NMBR": number},
                ),
            ],
        )
        logger.info("posted part payment %s against %s", document, number)
        return PartPaymentRef(accounting_document=document, created=True)

    async def check_invoice(self, number: str, customer_id: str, currency: str) -> Decimal:
        """The gross of billing document `number`, once it is known to be billed to
        `customer_id` in `currency`; else `RejectionError(code="ERP_REJECTED")`."""
        invoice = await self._odata.read_entity(
            BILLING_DOCUMENT_SRV,
            key_path("A_BillingDocument", number),
            {"$select": "PayerParty,SoldToParty,TransactionCurrency,TotalGrossAmount"},
        )
        if invoice is None:
            raise _refused(f"Billing document {number} does not exist")
        customer = text(invoice, "PayerParty") or text(invoice, "SoldToParty")
        if customer != customer_id:
            raise _refused(f"Billing document {number} is billed to {customer}, not {customer_id}")
        billed_in = text(invoice, "TransactionCurrency")
        if billed_in.upper() != currency.upper():
            raise _refused(f"Billing document {number} is in {billed_in}, not {currency}")
        return parse_amount(invoice.get("TotalGrossAmount"))

    # -- posting ----------------------------------------------------------------------

    async def _post(
        self,
        document_type: str,
        *,
        posted_on: date,
        reference: str,
        header_text: str,
        currency: str,
        lines: list[_Line],
    ) -> str:
        """`BAPI_ACC_DOCUMENT_POST` of balanced `lines` (zero ones left out); the
        journal entry's number."""
        receivable: list[JsonObject] = []
        ledger: list[JsonObject] = []
        amounts: list[JsonObject] = []
        for line in (line for line in lines if line.amount):
            item = f"{len(amounts) + 1:010d}"
            row: JsonObject = {"ITEMNO_ACC": item, "GL_ACCOUNT": line.account}
            row["ITEM_TEXT"] = line.item_text
            if line.customer:
                receivable.append({**row, "CUSTOMER": line.customer, **line.extra})
            else:
                ledger.append(row)
            amounts.append(
                {"ITEMNO_ACC": item, "CURRENCY": currency, "AMT_DOCCUR": decimal_text(line.amount)}
            )
        result = await self._odata.call_function(
            "BAPI_ACC_DOCUMENT_POST",
            {
                "DOCUMENTHEADER": {
                    "COMP_CODE": self._settings.company_code,
                    "DOC_TYPE": document_type,
                    "PSTNG_DATE": abap_date(posted_on),
                    "DOC_DATE": abap_date(posted_on),
                    "REF_DOC_NO": reference,
                    "HEADER_TXT": header_text,
                },
                "ACCOUNTRECEIVABLE": receivable,
                "ACCOUNTGL": ledger,
                "CURRENCYAMOUNT": amounts,
            },
            token_service=JOURNAL_ENTRY_SRV,
        )
        # OBJ_KEY is the document, company code and fiscal year run together
        document = str(result.get("OBJ_KEY") or "")[:10]
        if not document.strip():
            raise TransientError(
                f"SAP posted a {document_type} entry for {reference} but sent no number; a "
                "retry finds it by its reference",
                system=SYSTEM,
            )
        return document


def _refused(message: str, code: str = "ERP_REJECTED") -> RejectionError:
    return RejectionError(message, code=code, system=SYSTEM)
