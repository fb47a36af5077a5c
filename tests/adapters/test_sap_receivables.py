"""Receivables over `httpx.MockTransport`: the journal entry an invoice posts (and how a
retry after each lost response finds what the first attempt did), part payments, and
how open items are read."""

import json
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.erp.port import BillingRequest, ErpOrderItem, PartPaymentRequest
from adapters.erp.sap import SapErpAdapter, billing_marker
from adapters.erp.sap_open_items import order_workflow_id
from adapters.erp.sap_receivables import payment_reference
from adapters.errors import RejectionError, TransientError
from canonical.cash import Receivable
from tests.adapters.conftest import TODAY, Gateway, entity, results, sap_error

ITEMS = r"/A_BillingDocumentItem$"
HEADER = r"/A_BillingDocument\('0090000009'\)$"
BAPI = r"/sap/bc/rfc/BAPI_ACC_DOCUMENT_POST$"
JOURNAL = r"/API_JOURNALENTRY_SRV/A_JournalEntry$"
MARKED = results(
    {"BillingDocument": "0090000009", "BillingDocumentItemText": billing_marker("wf-1:bill")}
)


def bill(terms: str = "") -> BillingRequest:
    return BillingRequest(
        idempotency_key="wf-1:bill",
        sales_order="4711",
        customer_id="1000001",
        currency="EUR",
        payment_terms=terms,
        items=[
            ErpOrderItem(
                line_no=10, sku="TG11", quantity=Decimal(2), uom="PC", net_amount=Decimal("190.00")
            ),
            ErpOrderItem(
                line_no=30, sku="TG12", quantity=Decimal(1), uom="PC", net_amount=Decimal("99.95")
            ),
        ],
    )


def posted(document: str = "0100000042") -> httpx.Response:
    """`BAPI_ACC_DOCUMENT_POST`'s answer when it posted `document` in 1710/2026."""
    message = {"TYPE": "S", "ID": "RW", "NUMBER": "605", "MESSAGE": "Document posted"}
    return httpx.Response(200, json={"OBJ_KEY": f"{document}17102026", "RETURN": [message]})


def header(accounting_document: str = "") -> httpx.Response:
    """Billing document 0090000009 as SAP holds it (before its journal entry is written
    to it, unless `accounting_document` is given)."""
    return entity(
        BillingDocument="0090000009",
        PayerParty="1000001",
        TransactionCurrency="EUR",
        TotalNetAmount="289.950",
        TotalTaxAmount="55.090",
        BillingDocumentDate="/Date(1795132800000)/",
        AccountingDocument=accounting_document,
    )


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


# -- the invoice's receivable --------------------------------------------------------------


async def test_invoice_posts_its_receivable_and_names_it_on_the_billing_document(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", ITEMS, results())
    gateway.on(
        "POST",
        r"/A_BillingDocument$",
        httpx.Response(201, json={"d": {"BillingDocument": "0090000009"}}),
    )
    gateway.on("POST", BAPI, posted())
    gateway.on("PATCH", HEADER, httpx.Response(204))

    ref = await adapter.create_billing_document(bill(terms="nt45"))

    assert (ref.accounting_document, ref.payment_terms, ref.gross_amount) == (
        "0100000042",
        "NT45",
        Decimal("345.04"),
    )
    [_, post] = gateway.sent("POST")
    assert post.url.path == "/sap/bc/rfc/BAPI_ACC_DOCUMENT_POST"
    assert post.url.params["sap-client"] == "100" and post.headers["X-CSRF-Token"] == "tok-1"
    assert body(post) == {
        "DOCUMENTHEADER": {
            "COMP_CODE": "1710",
            "DOC_TYPE": "RV",
            "PSTNG_DATE": "20261120",
            "DOC_DATE": "20261120",
            "REF_DOC_NO": "0090000009",
            "HEADER_TXT": "Invoice 0090000009",
        },
        "ACCOUNTRECEIVABLE": [
            {
                "ITEMNO_ACC": "0000000001",
                "GL_ACCOUNT": "0012100000",
                "ITEM_TEXT": "Invoice 0090000009",
                "CUSTOMER": "1000001",
                "PMNTTRMS": "NT45",
                "BLINE_DATE": "20261120",
                "ALLOC_NMBR": "0090000009",
            }
        ],
        "ACCOUNTGL": [
            {"ITEMNO_ACC": "0000000002", "GL_ACCOUNT": "0041000000", "ITEM_TEXT": "Revenue"},
            {"ITEMNO_ACC": "0000000003", "GL_ACCOUNT": "0022000000", "ITEM_TEXT": "Output tax"},
        ],
        "CURRENCYAMOUNT": [
            {"ITEMNO_ACC": "0000000001", "CURRENCY": "EUR", "AMT_DOCCUR": "345.04"},
            {"ITEMNO_ACC": "0000000002", "CURRENCY": "EUR", "AMT_DOCCUR": "-289.95"},
            {"ITEMNO_ACC": "0000000003", "CURRENCY": "EUR", "AMT_DOCCUR": "-55.09"},
        ],
    }
    [patch] = gateway.sent("PATCH")
    assert body(patch) == {"AccountingDocument": "0100000042", "AccountingPostingStatus": "C"}
    assert patch.headers["If-Match"] == "*"
    # a billing document created just now has no journal entry to look for
    assert not [r for r in gateway.requests if "A_JournalEntry" in r.url.path]
    assert TODAY.isoformat() == "2026-11-20"


async def test_lost_billing_answer_retry_posts_the_receivable_once(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", ITEMS, results(), MARKED)
    gateway.on("POST", r"/A_BillingDocument$", httpx.ReadTimeout("lost"))
    gateway.on("GET", HEADER, header())
    gateway.on("GET", JOURNAL, results())
    gateway.on("POST", BAPI, posted())
    gateway.on("PATCH", HEADER, httpx.Response(204))

    with pytest.raises(TransientError):
        await adapter.create_billing_document(bill())
    ref = await adapter.create_billing_document(bill())

    assert (ref.billing_document, ref.created, ref.accounting_document) == (
        "0090000009",
        False,
        "0100000042",
    )
    # the totals are SAP's, read back from the billing document
    assert (ref.net_amount, ref.tax_amount, ref.gross_amount) == (
        Decimal("289.95"),
        Decimal("55.09"),
        Decimal("345.04"),
    )
    assert len(gateway.sent("POST", "/A_BillingDocument")) == 1
    [bapi] = gateway.sent("POST", "/BAPI_ACC_DOCUMENT_POST")
    assert body(bapi)["CURRENCYAMOUNT"][0]["AMT_DOCCUR"] == "345.04"
    assert body(bapi)["DOCUMENTHEADER"]["PSTNG_DATE"] == "20261120"  # the billing date


async def test_lost_posting_answer_retry_finds_the_journal_entry_by_its_reference(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", ITEMS, results(), MARKED)
    gateway.on(
        "POST",
        r"/A_BillingDocument$",
        httpx.Response(201, json={"d": {"BillingDocument": "0090000009"}}),
    )
    gateway.on("POST", BAPI, httpx.ReadTimeout("lost"), posted("0100000099"))
    gateway.on("GET", HEADER, header())
    gateway.on(
        "GET",
        JOURNAL,
        results({"AccountingDocument": "0100000042", "ReferenceDocument": "0090000009"}),
    )
    gateway.on("PATCH", HEADER, httpx.Response(204))

    with pytest.raises(TransientError):
        await adapter.create_billing_document(bill())
    ref = await adapter.create_billing_document(bill())

    assert (ref.created, ref.accounting_document) == (False, "0100000042")
    assert len(gateway.sent("POST", "/BAPI_ACC_DOCUMENT_POST")) == 1
    [lookup] = gateway.sent("GET", "/A_JournalEntry")
    assert lookup.url.params["$filter"] == (
        "ReferenceDocument eq '0090000009' and AccountingDocumentType eq 'RV' "
        "and CompanyCode eq '1710'"
    )
    [patch] = gateway.sent("PATCH")
    assert body(patch)["AccountingDocument"] == "0100000042"


async def test_lost_patch_answer_retry_writes_nothing_more(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", ITEMS, results(), MARKED)
    gateway.on(
        "POST",
        r"/A_BillingDocument$",
        httpx.Response(201, json={"d": {"BillingDocument": "0090000009"}}),
    )
    gateway.on("POST", BAPI, posted())
    gateway.on("PATCH", HEADER, httpx.ReadTimeout("lost"))
    # the PATCH did reach SAP: the billing document names its journal entry
    gateway.on("GET", HEADER, header("0100000042"))

    with pytest.raises(TransientError):
        await adapter.create_billing_document(bill())
    ref = await adapter.create_billing_document(bill())

    assert (ref.created, ref.accounting_document) == (False, "0100000042")
    assert len(gateway.sent("POST")) == 2  # the billing document and one journal entry
    assert len(gateway.sent("PATCH")) == 1


async def test_a_refused_posting_is_a_rejection_with_sap_s_message(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", ITEMS, results())
    gateway.on(
        "POST",
        r"/A_BillingDocument$",
        httpx.Response(201, json={"d": {"BillingDocument": "0090000009"}}),
    )
    refusal = {"TYPE": "E", "ID": "F5", "NUMBER": "201", "MESSAGE": "Period 011 2026 is not open"}
    gateway.on("POST", BAPI, httpx.Response(200, json={"OBJ_KEY": "", "RETURN": [refusal]}))

    with pytest.raises(RejectionError, match="Period 011 2026 is not open") as caught:
        await adapter.create_billing_document(bill())

    assert caught.value.code == "ERP_REJECTED"
    assert gateway.sent("PATCH") == []


async def test_a_posting_answer_without_a_number_is_transient(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", ITEMS, results())
    gateway.on(
        "POST",
        r"/A_BillingDocument$",
        httpx.Response(201, json={"d": {"BillingDocument": "0090000009"}}),
    )
    gateway.on("POST", BAPI, httpx.Response(200, json={"OBJ_KEY": "", "RETURN": []}))

    with pytest.raises(TransientError, match="finds it by its reference"):
        await adapter.create_billing_document(bill())


async def test_payment_terms_longer_than_sap_holds_are_refused_before_sending(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    with pytest.raises(RejectionError) as caught:
        await adapter.create_billing_document(bill(terms="NET30"))
    assert caught.value.code == "ERP_INVALID_REQUEST"
    assert gateway.requests == []


# -- part payments -----------------------------------------------------------------------


def part_payment(amount: str = "100.00", reason: str = "damaged goods") -> PartPaymentRequest:
    return PartPaymentRequest(
        idempotency_key="entry-7:0090000009",
        customer_id="1000001",
        billing_document="90000009",
        amount=Decimal(amount),
        currency="EUR",
        posting_date=TODAY,
        reason=reason,
    )


INVOICE = entity(
    PayerParty="1000001",
    SoldToParty="1000001",
    TransactionCurrency="EUR",
    TotalGrossAmount="345.040",
)


async def test_part_payment_is_posted_on_account_against_the_invoice(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", JOURNAL, results())
    gateway.on("GET", HEADER, INVOICE)
    gateway.on("POST", BAPI, posted("0100000050"))
    reason = "two of the notebooks arrived with cracked screens, see our claim 4711-A"

    ref = await adapter.post_part_payment(part_payment(reason=reason))

    assert (ref.accounting_document, ref.created) == ("0100000050", True)
    reference = payment_reference("entry-7:0090000009")
    assert len(reference) == 16
    [lookup, _] = gateway.sent("GET")
    assert lookup.url.params["$filter"] == (
        f"ReferenceDocument eq '{reference}' and AccountingDocumentType eq 'DZ' "
        "and CompanyCode eq '1710'"
    )
    [post] = gateway.sent("POST")
    sent = body(post)
    assert sent["DOCUMENTHEADER"] == {
        "COMP_CODE": "1710",
        "DOC_TYPE": "DZ",
        "PSTNG_DATE": "20261120",
        "DOC_DATE": "20261120",
        "REF_DOC_NO": reference,
        "HEADER_TXT": "Part payment 0090000009",
    }
    item_text = f"Part payment of 0090000009: {reason}"[:50]
    assert sent["ACCOUNTGL"] == [
        {
            "ITEMNO_ACC": "0000000001",
            "GL_ACCOUNT": "0000113100",
            "ITEM_TEXT": "Payment for 0090000009",
        }
    ]
    assert sent["ACCOUNTRECEIVABLE"] == [
        {
            "ITEMNO_ACC": "0000000002",
            "GL_ACCOUNT": "0012100000",
            "ITEM_TEXT": item_text,
            "CUSTOMER": "1000001",
            "ALLOC_NMBR": "0090000009",
        }
    ]
    assert [a["AMT_DOCCUR"] for a in sent["CURRENCYAMOUNT"]] == ["100.00", "-100.00"]


async def test_part_payment_found_by_its_reference_is_not_posted_again(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    reference = payment_reference("entry-7:0090000009")
    gateway.on(
        "GET",
        JOURNAL,
        results({"AccountingDocument": "0100000050", "ReferenceDocument": reference}),
    )

    ref = await adapter.post_part_payment(part_payment())

    assert (ref.accounting_document, ref.created) == ("0100000050", False)
    assert len(gateway.requests) == 1


@pytest.mark.parametrize(
    ("invoice", "amount", "code", "message"),
    [
        (sap_error(404, "No entity"), "100.00", "ERP_REJECTED", "does not exist"),
        (
            entity(PayerParty="1000002", TransactionCurrency="EUR", TotalGrossAmount="345.04"),
            "100.00",
            "ERP_REJECTED",
            "billed to 1000002",
        ),
        (
            entity(PayerParty="1000001", TransactionCurrency="USD", TotalGrossAmount="345.04"),
            "100.00",
            "ERP_REJECTED",
            "in USD",
        ),
        (INVOICE, "345.04", "ERP_INVALID_REQUEST", "clear it instead"),
    ],
)
async def test_part_payment_that_does_not_fit_the_invoice_is_refused_before_posting(
    gateway: Gateway,
    adapter: SapErpAdapter,
    invoice: httpx.Response,
    amount: str,
    code: str,
    message: str,
) -> None:
    gateway.on("GET", JOURNAL, results())
    gateway.on("GET", HEADER, invoice)

    with pytest.raises(RejectionError, match=message) as caught:
        await adapter.post_part_payment(part_payment(amount=amount))

    assert caught.value.code == code
    assert gateway.sent("POST") == []


# -- open items ----------------------------------------------------------------------------


def open_item(document: str, sign: str = "S", amount: str = "59.500") -> dict[str, Any]:
    return {
        "AccountingDocument": document,
        "Customer": "1000001",
        "AmountInTransactionCurrency": amount,
        "TransactionCurrency": "EUR",
        "NetDueDate": "/Date(1797724800000)/",  # 2026-12-20
        "DebitCreditCode": sign,
    }


async def test_open_receivables_join_items_to_invoices_orders_and_workflows(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on(
        "GET",
        r"/A_OperationalAcctgDocItemCube$",
        results(
            open_item("0100000007"),
            open_item("0100000010", sign="H", amount="10.000"),  # a part payment on account
            open_item("0100000099"),  # posted by hand: no billing document
        ),
    )
    gateway.on(
        "GET",
        r"/A_BillingDocument$",
        results({"BillingDocument": "0090000007", "AccountingDocument": "0100000007"}),
    )
    gateway.on(
        "GET",
        r"/A_BillingDocumentItem$",
        results(
            {"BillingDocument": "0090000007", "SalesDocument": "0000004737"},
            {"BillingDocument": "0090000007", "SalesDocument": "0000004737"},
        ),
    )
    gateway.on(
        "GET",
        r"/A_BusinessPartner$",
        results({"Customer": "1000001", "BusinessPartnerFullName": "Becker Berlin"}),
    )
    gateway.on(
        "GET",
        r"/A_SalesOrderText$",
        results(
            {"SalesOrder": "0000004737", "LongText": "ordermesh:order-ORD-1:create_sales_order"}
        ),
    )

    receivables = await adapter.open_receivables("1000001")

    assert receivables == [
        Receivable(
            billing_document="0090000007",
            accounting_document="0100000007",
            customer_id="1000001",
            customer_name="Becker Berlin",
            sales_order="0000004737",
            order_workflow_id="order-ORD-1",
            currency="EUR",
            amount=Decimal("59.50"),
            open_amount=Decimal("59.50"),
            due_on=date(2026, 12, 20),
        )
    ]
    cube, bills, items, partners, texts = gateway.requests
    assert cube.url.params["$filter"] == (
        "AccountingDocumentItemType eq 'D' and ClearingAccountingDocument eq '' "
        "and CompanyCode eq '1710' and Customer eq '1000001'"
    )
    assert bills.url.params["$filter"] == (
        "(AccountingDocument eq '0100000007' or AccountingDocument eq '0100000099')"
    )
    assert items.url.params["$filter"] == "(BillingDocument eq '0090000007')"
    assert partners.url.params["$filter"] == "(Customer eq '1000001')"
    assert texts.url.params["$filter"] == "(SalesOrder eq '0000004737') and LongTextID eq '0001'"


async def test_open_receivables_read_many_keys_a_few_dozen_at_a_time(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on(
        "GET",
        r"/A_OperationalAcctgDocItemCube$",
        results(*(open_item(f"01000{n:05d}") for n in range(45))),
    )
    gateway.on("GET", r"/A_BillingDocument$", results())

    assert await adapter.open_receivables() == []

    assert "Customer eq" not in gateway.requests[0].url.params["$filter"]
    reads = gateway.sent("GET", "/A_BillingDocument")
    assert [r.url.params["$filter"].count(" eq ") for r in reads] == [40, 5]
    # no invoices: nothing more to join
    assert len(gateway.requests) == 3


def test_order_workflow_id_is_the_key_without_its_step() -> None:
    assert order_workflow_id("ordermesh:order-7:create_sales_order") == "order-7"
    assert order_workflow_id("ordermesh:a:b:c") == "a:b"
    assert order_workflow_id("ordermesh:no-step") == ""
    assert order_workflow_id("made by hand") == ""
