"""Returns against a real (in-process) mock-sap: what it holds after a returns order, its
cancellation and a credit memo, and after retries that follow a lost answer."""

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from adapters.erp.sap import SapErpAdapter, sales_order_marker
from adapters.errors import RejectionError, TransientError
from tests.adapters.conftest import (
    BILLING,
    SO,
    LoseFirstResponse,
    MockSap,
    credit_memo_request,
    returned,
    returns_request,
    sold_and_billed,
)
from tests.adapters.test_sap_receivables_against_mock_sap import (
    adapter_for,
    journal_entries,
    journal_lines,
)

JOURNAL = "API_JOURNALENTRY_SRV"
OPEN_ITEMS = "API_OPLACCTGDOCITEMCUBE_SRV"
KEY = "rma-RMA-1:returns_order"


@pytest.fixture
async def sap(mock_sap: MockSap) -> AsyncIterator[SapErpAdapter]:
    async with adapter_for(mock_sap) as adapter:
        yield adapter


async def returns_orders(mock_sap: MockSap) -> list[dict[str, Any]]:
    return await mock_sap.read_all(SO, "A_SalesOrder", **{"$filter": "SalesOrderType eq 'CBAR'"})


# -- returns orders ------------------------------------------------------------------------


async def test_a_returns_order_is_stored_as_cbar_with_its_reference_and_reason(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    order, _ = await sold_and_billed(sap)

    first = await sap.create_returns_order(returns_request(order))
    again = await sap.create_returns_order(returns_request(order))

    assert first.created is True and again == first.model_copy(update={"created": False})
    [stored] = await returns_orders(mock_sap)
    assert stored["SalesOrder"] == first.returns_order
    assert (
        stored["ReferenceSDDocument"],
        stored["ReferenceSDDocumentCategory"],
        stored["SDDocumentReason"],
        stored["SoldToParty"],
    ) == (order, "C", "101", "1000001")
    items = await mock_sap.read_all(SO, f"A_SalesOrder('{first.returns_order}')/to_Item")
    assert [
        (i["SalesOrderItem"], i["Material"], Decimal(i["RequestedQuantity"])) for i in items
    ] == [("000010", "TG11", Decimal(2))]
    texts = await mock_sap.read_all(SO, f"A_SalesOrder('{first.returns_order}')/to_Text")
    assert sorted((t["LongTextID"], t["LongText"]) for t in texts) == [
        ("0001", sales_order_marker(KEY)),
        ("0002", "ordermesh:return reason damaged"),
    ]


async def test_a_lost_create_answer_is_found_by_the_retry(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    order, _ = await sold_and_billed(sap)

    async with adapter_for(mock_sap, LoseFirstResponse("POST", "/A_SalesOrder")) as lossy:
        with pytest.raises(TransientError):
            await lossy.create_returns_order(returns_request(order))
        ref = await lossy.create_returns_order(returns_request(order))

    assert ref.created is False
    assert [o["SalesOrder"] for o in await returns_orders(mock_sap)] == [ref.returns_order]


async def test_returning_what_the_order_does_not_have_stores_nothing(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    order, _ = await sold_and_billed(sap)

    for request in (
        returns_request(order, returned(line_no=20)),
        returns_request(order, returned(sku="TG12")),
    ):
        with pytest.raises(RejectionError) as caught:
            await sap.create_returns_order(request)
        assert caught.value.code == "ERP_REJECTED"

    assert await returns_orders(mock_sap) == []


async def test_cancel_deletes_the_returns_order_by_number_or_by_key(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    order, _ = await sold_and_billed(sap)
    by_number = await sap.create_returns_order(returns_request(order))
    await sap.create_returns_order(returns_request(order, key="rma-RMA-2:returns_order"))

    await sap.cancel_returns_order(by_number.returns_order, KEY)
    await sap.cancel_returns_order(by_number.returns_order, KEY)  # already gone: done
    await sap.cancel_returns_order("", "rma-RMA-2:returns_order")  # its answer was lost
    await sap.cancel_returns_order("", "rma-RMA-3:returns_order")  # never made: done

    assert await returns_orders(mock_sap) == []
    assert await sap.find_sales_order("order-ORD-9:create_sales_order") == order


async def test_cancel_refuses_a_number_that_is_a_sales_order(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    order, _ = await sold_and_billed(sap)

    with pytest.raises(RejectionError) as caught:
        await sap.cancel_returns_order(order, KEY)

    assert caught.value.code == "ERP_INVALID_REQUEST"
    assert (await mock_sap.read(SO, f"A_SalesOrder('{order}')"))["SalesOrder"] == order


# -- credit memos ---------------------------------------------------------------------------


async def test_a_credit_memo_credits_the_customer_once(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    order, invoice = await sold_and_billed(sap)
    rma = await sap.create_returns_order(returns_request(order))

    first = await sap.create_credit_memo(
        credit_memo_request(rma.returns_order, invoice.billing_document)
    )
    again = await sap.create_credit_memo(
        credit_memo_request(rma.returns_order, invoice.billing_document)
    )

    assert (first.net_amount, first.tax_amount, first.gross_amount, first.created) == (
        Decimal("180.00"),
        Decimal("34.20"),
        Decimal("214.20"),
        True,
    )
    assert again == first.model_copy(update={"created": False})
    header = await mock_sap.read(BILLING, f"A_BillingDocument('{first.credit_memo}')")
    assert (header["BillingDocumentType"], header["SDDocumentCategory"]) == ("G2", "O")
    assert Decimal(header["TotalNetAmount"]) == Decimal("180.00")
    assert Decimal(header["TotalGrossAmount"]) == Decimal("214.20")
    assert header["AccountingDocument"] == first.accounting_document
    items = await mock_sap.read_all(BILLING, f"A_BillingDocument('{first.credit_memo}')/to_Item")
    assert sorted((i["Material"], Decimal(i["NetAmount"]), i["SalesDocument"]) for i in items) == [
        ("", Decimal("-20.00"), rma.returns_order),  # the restocking fee
        ("TG11", Decimal("200.00"), rma.returns_order),
    ]
    [entry] = await journal_entries(mock_sap, first.credit_memo)
    assert (entry["AccountingDocument"], entry["AccountingDocumentType"]) == (
        first.accounting_document,
        "DG",
    )
    assert invoice.billing_document in entry["AccountingDocumentHeaderText"]
    assert await journal_lines(mock_sap, first.accounting_document) == [
        ("0012100000", "H", Decimal("214.20"), "1000001"),
        ("0022000000", "S", Decimal("34.20"), ""),
        ("0041000000", "S", Decimal("180.00"), ""),
    ]
    [credit_item] = await mock_sap.read_all(
        OPEN_ITEMS,
        "A_OperationalAcctgDocItemCube",
        **{
            "$filter": f"AccountingDocument eq '{first.accounting_document}' and "
            "AccountingDocumentItemType eq 'D'"
        },
    )
    assert (credit_item["Customer"], credit_item["DebitCreditCode"]) == ("1000001", "H")
    assert Decimal(credit_item["AmountInTransactionCurrency"]) == Decimal("214.20")
    # a credit on account is no invoice: the invoice is still owed in full
    [owed] = await sap.open_receivables("1000001")
    assert (owed.billing_document, owed.open_amount) == (
        invoice.billing_document,
        Decimal("1071.00"),
    )


@pytest.mark.parametrize(
    ("method", "path_end"),
    [("POST", "/A_BillingDocument"), ("POST", "/BAPI_ACC_DOCUMENT_POST"), ("PATCH", "')")],
)
async def test_a_retry_after_any_lost_answer_makes_one_credit_memo_and_one_entry(
    mock_sap: MockSap, sap: SapErpAdapter, method: str, path_end: str
) -> None:
    order, invoice = await sold_and_billed(sap)
    rma = await sap.create_returns_order(returns_request(order))

    async with adapter_for(mock_sap, LoseFirstResponse(method, path_end)) as lossy:
        with pytest.raises(TransientError):
            await lossy.create_credit_memo(
                credit_memo_request(rma.returns_order, invoice.billing_document)
            )
        ref = await lossy.create_credit_memo(
            credit_memo_request(rma.returns_order, invoice.billing_document)
        )

    assert ref.created is False and ref.gross_amount == Decimal("214.20")
    memos = await mock_sap.read_all(
        BILLING, "A_BillingDocument", **{"$filter": "BillingDocumentType eq 'G2'"}
    )
    assert [m["BillingDocument"] for m in memos] == [ref.credit_memo]
    [entry] = await journal_entries(mock_sap, ref.credit_memo)
    assert entry["AccountingDocument"] == ref.accounting_document == memos[0]["AccountingDocument"]


@pytest.mark.parametrize(
    "changes",
    [{"customer_id": "1000002"}, {"currency": "USD"}, {"original_billing_document": "0090999999"}],
)
async def test_a_credit_for_an_invoice_that_does_not_fit_is_refused(
    mock_sap: MockSap, sap: SapErpAdapter, changes: dict[str, object]
) -> None:
    order, invoice = await sold_and_billed(sap)
    rma = await sap.create_returns_order(returns_request(order))

    with pytest.raises(RejectionError) as caught:
        await sap.create_credit_memo(
            credit_memo_request(rma.returns_order, invoice.billing_document).model_copy(
                update=changes
            )
        )

    assert caught.value.code == "ERP_REJECTED"
    memos = await mock_sap.read_all(
        BILLING, "A_BillingDocument", **{"$filter": "BillingDocumentType eq 'G2'"}
    )
    assert memos == []
