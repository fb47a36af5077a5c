"""Returns over `httpx.MockTransport`: what the adapter sends for a returns order, its
cancellation and a credit memo, and how a retry after a lost answer finds what the
first attempt did."""

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.erp.port import CreditMemoRequest, ReturnsOrderRequest
from adapters.erp.sap import SapErpAdapter, document_marker, sales_order_marker
from adapters.erp.sap_returns import RETURN_REASONS, reason_code
from adapters.errors import RejectionError, TransientError
from tests.adapters.conftest import (
    Gateway,
    credit_memo_request,
    entity,
    results,
    returned,
    returns_request,
    sap_error,
)

ORDER_ITEMS = r"/A_SalesOrder\('0000004711'\)/to_Item$"
TEXTS = r"/A_SalesOrderText$"
ORDERS = r"/A_SalesOrder$"
RETURNS_ORDER = r"/A_SalesOrder\('0060000001'\)$"
INVOICE = r"/A_BillingDocument\('0090000009'\)$"
MEMO = r"/A_BillingDocument\('0090000050'\)$"
BILLING_ITEMS = r"/A_BillingDocumentItem$"
BAPI = r"/sap/bc/rfc/BAPI_ACC_DOCUMENT_POST$"
JOURNAL = r"/API_JOURNALENTRY_SRV/A_JournalEntry$"
KEY = "rma-RMA-1:returns_order"
MEMO_KEY = "rma-RMA-1:credit_memo"


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


def returns(**changes: Any) -> ReturnsOrderRequest:
    request = returns_request("4711", returned(net="190.00"), key=KEY, reason="wrong_item")
    return request.model_copy(update=changes)


def credit(**changes: Any) -> CreditMemoRequest:
    request = credit_memo_request("60000001", "90000009", returned(net="190.00"), fee="10.00")
    return request.model_copy(update=changes)


def posted(document: str = "0100000042") -> httpx.Response:
    message = {"TYPE": "S", "ID": "RW", "NUMBER": "605", "MESSAGE": "Document posted"}
    return httpx.Response(200, json={"OBJ_KEY": f"{document}17102026", "RETURN": [message]})


def marker_found(marker: str) -> httpx.Response:
    return results({"SalesOrder": "0060000001", "LongText": marker})


@pytest.fixture
def order_has_tg11(gateway: Gateway) -> None:
    gateway.on("GET", ORDER_ITEMS, results({"SalesOrderItem": "000010", "Material": "TG11"}))


@pytest.fixture
def invoice_of_1000001(gateway: Gateway) -> None:
    gateway.on(
        "GET",
        INVOICE,
        entity(PayerParty="1000001", TransactionCurrency="EUR", TotalGrossAmount="1071.000"),
    )


@pytest.fixture
def memo_made_now(gateway: Gateway, invoice_of_1000001: None) -> None:
    """No credit memo carries the key's marker yet; the POST makes 0090000050."""
    gateway.on("GET", BILLING_ITEMS, results())
    gateway.on(
        "POST",
        r"/A_BillingDocument$",
        httpx.Response(201, json={"d": {"BillingDocument": "0090000050"}}),
    )


# -- returns orders ------------------------------------------------------------------------


@pytest.mark.usefixtures("order_has_tg11")
async def test_a_returns_order_refers_to_the_original_and_carries_marker_and_reason(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", TEXTS, results())
    gateway.on("POST", ORDERS, httpx.Response(201, json={"d": {"SalesOrder": "0060000001"}}))

    ref = await adapter.create_returns_order(returns())

    assert (ref.returns_order, ref.created) == ("0060000001", True)
    [post] = gateway.sent("POST")
    assert body(post) == {
        "SalesOrderType": "CBAR",
        "SalesOrganization": "1710",
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SoldToParty": "1000001",
        "TransactionCurrency": "EUR",
        "SDDocumentReason": "102",
        "ReferenceSDDocument": "0000004711",
        "ReferenceSDDocumentCategory": "C",
        "to_Item": [
            {
                "SalesOrderItem": "000010",
                "Material": "TG11",
                "RequestedQuantity": "2",
                "RequestedQuantityUnit": "PC",
                "NetAmount": "190.00",
            }
        ],
        "to_Text": [
            {"Language": "EN", "LongTextID": "0001", "LongText": sales_order_marker(KEY)},
            {
                "Language": "EN",
                "LongTextID": "0002",
                "LongText": "ordermesh:return reason wrong_item",
            },
        ],
    }
    [lookup] = gateway.sent("GET", "/A_SalesOrderText")
    assert lookup.url.params["$filter"] == f"LongText eq '{sales_order_marker(KEY)}'"


@pytest.mark.usefixtures("order_has_tg11")
async def test_lost_create_answer_retry_finds_the_returns_order(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", TEXTS, results(), marker_found(sales_order_marker(KEY)))
    gateway.on("POST", ORDERS, httpx.ReadTimeout("lost"))

    with pytest.raises(TransientError):
        await adapter.create_returns_order(returns())
    ref = await adapter.create_returns_order(returns())

    assert (ref.returns_order, ref.created) == ("0060000001", False)
    assert len(gateway.sent("POST", "/A_SalesOrder")) == 1


async def test_returning_an_item_the_order_does_not_have_is_refused_before_posting(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", ORDER_ITEMS, results({"SalesOrderItem": "000020", "Material": "TG11"}))

    with pytest.raises(RejectionError, match="has no item 000010") as caught:
        await adapter.create_returns_order(returns())

    assert caught.value.code == "ERP_REJECTED"
    assert gateway.sent("POST") == []


async def test_a_return_with_no_items_is_refused_before_anything_is_sent(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    with pytest.raises(RejectionError) as caught:
        await adapter.create_returns_order(returns(items=[]))

    assert caught.value.code == "ERP_INVALID_REQUEST"
    assert gateway.requests == []


def test_every_reason_has_its_own_three_character_order_reason() -> None:
    assert len(set(RETURN_REASONS.values())) == len(RETURN_REASONS)
    assert all(len(code) == 3 for code in RETURN_REASONS.values())
    assert reason_code(" Defective ") == "104"
    assert reason_code("changed my mind") == RETURN_REASONS["other"]


# -- cancelling ---------------------------------------------------------------------------


async def test_cancel_without_a_number_finds_the_order_by_key_and_deletes_it(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", TEXTS, marker_found(sales_order_marker(KEY)))
    gateway.on("GET", RETURNS_ORDER, entity(SalesOrder="0060000001", SalesOrderType="CBAR"))
    gateway.on("DELETE", RETURNS_ORDER, httpx.Response(204))

    await adapter.cancel_returns_order("", KEY)

    [delete] = gateway.sent("DELETE")
    assert delete.url.path.endswith("/A_SalesOrder('0060000001')")


async def test_cancel_of_nothing_made_or_already_gone_is_done(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", TEXTS, results())
    gateway.on("GET", RETURNS_ORDER, sap_error(404, "Resource not found"))

    await adapter.cancel_returns_order("", KEY)
    await adapter.cancel_returns_order("60000001", KEY)

    assert gateway.sent("DELETE") == []


async def test_cancel_refuses_an_order_that_is_not_a_return(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", RETURNS_ORDER, entity(SalesOrder="0060000001", SalesOrderType="OR"))

    with pytest.raises(RejectionError) as caught:
        await adapter.cancel_returns_order("60000001", KEY)

    assert caught.value.code == "ERP_INVALID_REQUEST"
    assert gateway.sent("DELETE") == []


# -- credit memos ---------------------------------------------------------------------------


@pytest.mark.usefixtures("memo_made_now")
async def test_a_credit_memo_bills_g2_less_the_fee_and_credits_the_customer(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("POST", BAPI, posted())
    gateway.on("PATCH", MEMO, httpx.Response(204))

    ref = await adapter.create_credit_memo(credit())

    assert (ref.credit_memo, ref.accounting_document, ref.created) == (
        "0090000050",
        "0100000042",
        True,
    )
    assert (ref.net_amount, ref.tax_amount, ref.gross_amount) == (
        Decimal("180.00"),
        Decimal("34.20"),
        Decimal("214.20"),
    )
    [lookup] = gateway.sent("GET", "/A_BillingDocumentItem")
    assert lookup.url.params["$filter"] == "SalesDocument eq '0060000001'"
    memo, bapi = gateway.sent("POST")
    sent = body(memo)
    assert (sent["BillingDocumentType"], sent["SDDocumentCategory"], sent["PayerParty"]) == (
        "G2",
        "O",
        "1000001",
    )
    assert (sent["TotalNetAmount"], sent["TotalTaxAmount"], sent["TotalGrossAmount"]) == (
        "180.00",
        "34.20",
        "214.20",
    )
    marker = document_marker(MEMO_KEY)
    assert [
        (i["BillingDocumentItem"], i["Material"], i["NetAmount"], i["TaxAmount"])
        for i in sent["to_Item"]
    ] == [("000010", "TG11", "190.00", "36.10"), ("000020", "", "-10.00", "-1.90")]
    assert {(i["BillingDocumentItemText"], i["SalesDocument"]) for i in sent["to_Item"]} == {
        (marker, "0060000001")
    }
    assert body(bapi) == {
        "DOCUMENTHEADER": {
            "COMP_CODE": "1710",
            "DOC_TYPE": "DG",
            "PSTNG_DATE": "20261120",
            "DOC_DATE": "20261120",
            "REF_DOC_NO": "0090000050",
            "HEADER_TXT": "Credit for inv 0090000009",
        },
        "ACCOUNTRECEIVABLE": [
            {
                "ITEMNO_ACC": "0000000001",
                "GL_ACCOUNT": "0012100000",
                "ITEM_TEXT": "Credit for invoice 0090000009",
                "CUSTOMER": "1000001",
                "PMNTTRMS": "NT30",
                "BLINE_DATE": "20261120",
                "ALLOC_NMBR": "0090000050",
            }
        ],
        "ACCOUNTGL": [
            {"ITEMNO_ACC": "0000000002", "GL_ACCOUNT": "0041000000", "ITEM_TEXT": "Revenue"},
            {"ITEMNO_ACC": "0000000003", "GL_ACCOUNT": "0022000000", "ITEM_TEXT": "Output tax"},
        ],
        "CURRENCYAMOUNT": [
            {"ITEMNO_ACC": "0000000001", "CURRENCY": "EUR", "AMT_DOCCUR": "-214.20"},
            {"ITEMNO_ACC": "0000000002", "CURRENCY": "EUR", "AMT_DOCCUR": "180.00"},
            {"ITEMNO_ACC": "0000000003", "CURRENCY": "EUR", "AMT_DOCCUR": "34.20"},
        ],
    }
    assert len(body(bapi)["DOCUMENTHEADER"]["HEADER_TXT"]) <= 25  # BKTXT
    [patch] = gateway.sent("PATCH")
    assert body(patch) == {"AccountingDocument": "0100000042", "AccountingPostingStatus": "C"}


@pytest.mark.usefixtures("invoice_of_1000001")
async def test_lost_posting_answer_retry_finds_the_dg_entry_and_posts_nothing_more(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on(
        "GET",
        BILLING_ITEMS,
        results(),
        results(
            {"BillingDocument": "0090000050", "BillingDocumentItemText": document_marker(MEMO_KEY)}
        ),
    )
    gateway.on(
        "POST",
        r"/A_BillingDocument$",
        httpx.Response(201, json={"d": {"BillingDocument": "0090000050"}}),
    )
    gateway.on("POST", BAPI, httpx.ReadTimeout("lost"))
    gateway.on(
        "GET",
        MEMO,
        entity(
            BillingDocument="0090000050",
            PayerParty="1000001",
            TransactionCurrency="EUR",
            TotalNetAmount="180.000",
            TotalTaxAmount="34.200",
            BillingDocumentDate="/Date(1795132800000)/",
            AccountingDocument="",
        ),
    )
    gateway.on(
        "GET",
        JOURNAL,
        results({"AccountingDocument": "0100000042", "ReferenceDocument": "0090000050"}),
    )
    gateway.on("PATCH", MEMO, httpx.Response(204))

    with pytest.raises(TransientError):
        await adapter.create_credit_memo(credit())
    ref = await adapter.create_credit_memo(credit())

    assert (ref.credit_memo, ref.accounting_document, ref.created) == (
        "0090000050",
        "0100000042",
        False,
    )
    assert ref.gross_amount == Decimal("214.20")
    assert len(gateway.sent("POST", "/A_BillingDocument")) == 1
    assert len(gateway.sent("POST", "/BAPI_ACC_DOCUMENT_POST")) == 1
    [journal] = gateway.sent("GET", "/A_JournalEntry")
    assert "ReferenceDocument eq '0090000050'" in journal.url.params["$filter"]
    assert "AccountingDocumentType eq 'DG'" in journal.url.params["$filter"]
    [patch] = gateway.sent("PATCH")
    assert body(patch)["AccountingDocument"] == "0100000042"


@pytest.mark.usefixtures("memo_made_now")
async def test_a_refused_posting_is_a_rejection_and_nothing_is_patched(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    refusal = {"TYPE": "E", "ID": "F5", "NUMBER": "201", "MESSAGE": "Period 011 2026 is not open"}
    gateway.on("POST", BAPI, httpx.Response(200, json={"OBJ_KEY": "", "RETURN": [refusal]}))

    with pytest.raises(RejectionError, match="Period 011 2026 is not open") as caught:
        await adapter.create_credit_memo(credit())

    assert caught.value.code == "ERP_REJECTED"
    assert gateway.sent("PATCH") == []


async def test_a_credit_for_another_customers_invoice_is_refused_before_billing(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on(
        "GET",
        INVOICE,
        entity(PayerParty="1000002", TransactionCurrency="EUR", TotalGrossAmount="1071.000"),
    )

    with pytest.raises(RejectionError, match="billed to 1000002") as caught:
        await adapter.create_credit_memo(credit())

    assert caught.value.code == "ERP_REJECTED"
    assert gateway.sent("POST") == []


@pytest.mark.parametrize(
    "changes",
    [
        {"fee": Decimal("190.00")},  # nothing left to credit
        {"fee": Decimal("-1.00")},
        {"original_billing_document": ""},
        {"returns_order": " "},
        {"items": []},
    ],
)
async def test_a_malformed_credit_memo_is_refused_before_anything_is_sent(
    gateway: Gateway, adapter: SapErpAdapter, changes: dict[str, Any]
) -> None:
    with pytest.raises(RejectionError) as caught:
        await adapter.create_credit_memo(credit(**changes))

    assert caught.value.code == "ERP_INVALID_REQUEST"
    assert gateway.requests == []
