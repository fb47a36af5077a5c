"""Receivables against a real (in-process) mock-sap: what the journal entries, open items
and IDocs it recorded say after invoicing, clearing and part payments, and after
retries that follow a lost answer."""

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.erp.port import (
    BillingDocumentRef,
    BillingRequest,
    ClearingLine,
    ClearingRequest,
    ErpOrderItem,
    PartPaymentRequest,
    SalesOrderRequest,
)
from adapters.erp.sap import SapErpAdapter
from adapters.erp.sap_receivables import payment_reference
from adapters.erp.sap_settings import SapSettings
from adapters.errors import RejectionError, TransientError
from canonical.cash import Receivable
from tests.adapters.conftest import BILLING, LoseFirstResponse, MockSap

BILLED_ON = date(2026, 11, 20)
PAID_ON = date(2026, 12, 1)
JOURNAL = "API_JOURNALENTRY_SRV"
OPEN_ITEMS = "API_OPLACCTGDOCITEMCUBE_SRV"
WORKFLOW = "order-ORD-7"


def adapter_for(
    mock_sap: MockSap, transport: httpx.AsyncBaseTransport | None = None
) -> SapErpAdapter:
    client = httpx.AsyncClient(base_url=mock_sap.base_url, timeout=5, transport=transport)
    return SapErpAdapter(client, SapSettings(base_url=mock_sap.base_url), today=lambda: BILLED_ON)


@pytest.fixture
async def sap(mock_sap: MockSap) -> AsyncIterator[SapErpAdapter]:
    async with adapter_for(mock_sap) as adapter:
        yield adapter


async def sales_order(sap: SapErpAdapter) -> str:
    ref = await sap.create_sales_order(
        SalesOrderRequest(
            idempotency_key=f"{WORKFLOW}:create_sales_order",
            customer_id="1000001",
            customer_po="PO-7",
            currency="EUR",
            items=[
                ErpOrderItem(
                    line_no=10, sku="TG11", quantity=Decimal(9), uom="PC", net_amount=Decimal(900)
                )
            ],
        )
    )
    return ref.sales_order


def bill(order: str, shipment: int, net: str) -> BillingRequest:
    return BillingRequest(
        idempotency_key=f"{WORKFLOW}-S{shipment}:bill",
        sales_order=order,
        customer_id="1000001",
        currency="EUR",
        items=[
            ErpOrderItem(
                line_no=10, sku="TG11", quantity=Decimal(1), uom="PC", net_amount=Decimal(net)
            )
        ],
    )


async def journal_entries(mock_sap: MockSap, reference: str) -> list[dict[str, Any]]:
    return await mock_sap.read_all(
        JOURNAL, "A_JournalEntry", **{"$filter": f"ReferenceDocument eq '{reference}'"}
    )


async def journal_lines(mock_sap: MockSap, document: str) -> list[tuple[str, str, Decimal, str]]:
    """(G/L account, debit S / credit H, amount, customer) of a journal entry's lines."""
    rows = await mock_sap.read_all(
        JOURNAL, "A_JournalEntryItem", **{"$filter": f"AccountingDocument eq '{document}'"}
    )
    return sorted(
        (
            r["GLAccount"],
            r["DebitCreditCode"],
            Decimal(r["AmountInTransactionCurrency"]),
            r["Customer"],
        )
        for r in rows
    )


async def customer_item(mock_sap: MockSap, document: str) -> dict[str, Any]:
    """The customer line of an accounting document, from the open-item view."""
    [item] = await mock_sap.read_all(
        OPEN_ITEMS,
        "A_OperationalAcctgDocItemCube",
        **{"$filter": f"AccountingDocument eq '{document}' and AccountingDocumentItemType eq 'D'"},
    )
    return item


def epoch_day(day: date) -> str:
    return f"/Date({(day - date(1970, 1, 1)).days * 86_400_000})/"


# -- invoices ------------------------------------------------------------------------------


async def test_an_invoice_posts_one_balanced_receivable_and_names_it(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    order = await sales_order(sap)
    first = await sap.create_billing_document(bill(order, 1, "250.00"))
    again = await sap.create_billing_document(bill(order, 1, "250.00"))

    assert (first.net_amount, first.tax_amount, first.gross_amount) == (
        Decimal("250.00"),
        Decimal("47.50"),
        Decimal("297.50"),
    )
    assert again == first.model_copy(update={"created": False})
    [entry] = await journal_entries(mock_sap, first.billing_document)
    assert (entry["AccountingDocument"], entry["AccountingDocumentType"]) == (
        first.accounting_document,
        "RV",
    )
    assert entry["PostingDate"] == epoch_day(BILLED_ON)
    assert await journal_lines(mock_sap, first.accounting_document) == [
        ("0012100000", "S", Decimal("297.50"), "1000001"),
        ("0022000000", "H", Decimal("47.50"), ""),
        ("0041000000", "H", Decimal("250.00"), ""),
    ]
    header = await mock_sap.read(BILLING, f"A_BillingDocument('{first.billing_document}')")
    assert (header["AccountingDocument"], header["AccountingPostingStatus"]) == (
        first.accounting_document,
        "C",
    )
    item = await customer_item(mock_sap, first.accounting_document)
    assert (item["PaymentTerms"], item["NetDueDate"], item["ClearingAccountingDocument"]) == (
        "NT30",
        epoch_day(date(2026, 12, 20)),
        "",
    )


@pytest.mark.parametrize(
    ("method", "path_end"),
    [
        ("POST", "/A_BillingDocument"),
        ("POST", "/BAPI_ACC_DOCUMENT_POST"),
        ("PATCH", "')"),
    ],
)
async def test_a_retry_after_any_lost_answer_makes_one_invoice_and_one_entry(
    mock_sap: MockSap, method: str, path_end: str
) -> None:
    async with adapter_for(mock_sap, LoseFirstResponse(method, path_end)) as sap:
        order = await sales_order(sap)
        with pytest.raises(TransientError):
            await sap.create_billing_document(bill(order, 1, "250.00"))
        ref = await sap.create_billing_document(bill(order, 1, "250.00"))

    assert ref.created is False and ref.gross_amount == Decimal("297.50")
    items = await mock_sap.read_all(
        BILLING, "A_BillingDocumentItem", **{"$filter": f"SalesDocument eq '{order}'"}
    )
    assert {i["BillingDocument"] for i in items} == {ref.billing_document}
    [entry] = await journal_entries(mock_sap, ref.billing_document)
    assert entry["AccountingDocument"] == ref.accounting_document
    header = await mock_sap.read(BILLING, f"A_BillingDocument('{ref.billing_document}')")
    assert header["AccountingDocument"] == ref.accounting_document


async def test_a_refused_posting_is_posted_by_the_next_attempt(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    await mock_sap.control(
        "bapi-behaviour",
        function="BAPI_ACC_DOCUMENT_POST",
        type="E",
        id="F5",
        number="201",
        message="Posting period 011 2026 is not open",
        count=1,
    )
    order = await sales_order(sap)
    with pytest.raises(RejectionError, match="Posting period 011 2026 is not open"):
        await sap.create_billing_document(bill(order, 1, "250.00"))
    ref = await sap.create_billing_document(bill(order, 1, "250.00"))

    assert ref.created is False and ref.accounting_document
    assert len(await journal_entries(mock_sap, ref.billing_document)) == 1


async def test_open_receivables_name_the_invoice_its_order_and_workflow(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    order = await sales_order(sap)
    ref = await sap.create_billing_document(bill(order, 1, "250.00"))

    mine = await sap.open_receivables("1000001")
    everyone = await sap.open_receivables()

    assert mine == [
        Receivable(
            billing_document=ref.billing_document,
            accounting_document=ref.accounting_document,
            customer_id="1000001",
            customer_name="Becker Berlin",
            sales_order=order,
            order_workflow_id=WORKFLOW,
            currency="EUR",
            amount=Decimal("297.50"),
            open_amount=Decimal("297.50"),
            due_on=date(2026, 12, 20),
        )
    ]
    assert mine[0] in everyone
    assert all(r.billing_document and r.accounting_document for r in everyone)


# -- bank statements -----------------------------------------------------------------------


async def three_invoices(sap: SapErpAdapter) -> list[BillingDocumentRef]:
    order = await sales_order(sap)
    return [
        await sap.create_billing_document(bill(order, n, net))
        for n, net in ((1, "250.00"), (2, "100.00"), (3, "20.00"))
    ]


def statement(*lines: ClearingLine, statement_id: str = "ST-2026-0042") -> ClearingRequest:
    return ClearingRequest(
        statement_id=statement_id,
        posting_date=PAID_ON,
        bank_account="DE89370400440532013000",
        currency="EUR",
        lines=list(lines),
    )


async def test_a_statement_clears_what_it_pays_and_a_repeat_clears_nothing_twice(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    a, b, c = await three_invoices(sap)
    request = statement(
        ClearingLine(line_id="one", amount=a.gross_amount, billing_documents=[a.billing_document]),
        ClearingLine(
            line_id="two",
            amount=b.gross_amount + c.gross_amount,
            billing_documents=[b.billing_document, c.billing_document],
            payer_name="Becker Berlin",
        ),
    )

    first = await sap.clear_receivables(request)

    [clearing] = await journal_entries(mock_sap, "ST-2026-0042")
    document = clearing["AccountingDocument"]
    assert (clearing["AccountingDocumentType"], clearing["PostingDate"]) == (
        "DZ",
        epoch_day(PAID_ON),
    )
    assert [
        (i.line_id, i.billing_document, i.clearing_document, i.amount) for i in first.cleared
    ] == [
        ("one", a.billing_document, document, Decimal("297.50")),
        ("two", b.billing_document, document, Decimal("119.00")),
        ("two", c.billing_document, document, Decimal("23.80")),
    ]
    assert first.refused == []
    for invoice in (a, b, c):
        item = await customer_item(mock_sap, invoice.accounting_document)
        assert item["ClearingAccountingDocument"] == document
    assert await sap.open_receivables("1000001") == []

    again = await sap.clear_receivables(request)

    assert again == first
    assert len(await journal_entries(mock_sap, "ST-2026-0042")) == 1
    assert len(await mock_sap.idocs("FINSTA")) == 1  # nothing left to send


async def test_a_short_line_is_refused_and_sent_again_on_a_repeat(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    a, b, _ = await three_invoices(sap)
    request = statement(
        ClearingLine(line_id="one", amount=a.gross_amount, billing_documents=[a.billing_document]),
        ClearingLine(
            line_id="short", amount=Decimal("100.00"), billing_documents=[b.billing_document]
        ),
    )

    first = await sap.clear_receivables(request)
    again = await sap.clear_receivables(request)

    assert [i.billing_document for i in first.cleared] == [a.billing_document]
    [refused] = first.refused
    assert refused.line_id == "short" and "119.00 EUR" in refused.reason
    assert again == first
    assert (await customer_item(mock_sap, b.accounting_document))[
        "ClearingAccountingDocument"
    ] == ""
    # the first posting had both lines; the repeat only the short one
    assert len(await mock_sap.idocs("FINSTA")) == 2
    assert len(await journal_entries(mock_sap, "ST-2026-0042")) == 1


async def test_a_retry_after_the_statement_s_answer_was_lost_reports_what_it_cleared(
    mock_sap: MockSap,
) -> None:
    async with adapter_for(mock_sap, LoseFirstResponse("POST", "/sap/bc/idoc")) as sap:
        a, _, _ = await three_invoices(sap)
        line = ClearingLine(
            line_id="one", amount=a.gross_amount, billing_documents=[a.billing_document]
        )
        with pytest.raises(TransientError):
            await sap.clear_receivables(statement(line))
        result = await sap.clear_receivables(statement(line))

    [clearing] = await journal_entries(mock_sap, "ST-2026-0042")
    assert [(i.billing_document, i.clearing_document) for i in result.cleared] == [
        (a.billing_document, clearing["AccountingDocument"])
    ]
    assert len(await mock_sap.idocs("FINSTA")) == 1


async def test_a_statement_sap_does_not_post_is_refused_and_clears_nothing(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    a, _, _ = await three_invoices(sap)
    await mock_sap.control(
        "idoc-posting",
        mestyp="FINSTA",
        status="51",
        message="Posting period 012 2026 is not open",
        count=1,
    )
    line = ClearingLine(
        line_id="one", amount=a.gross_amount, billing_documents=[a.billing_document]
    )

    with pytest.raises(RejectionError, match="Posting period 012 2026 is not open"):
        await sap.clear_receivables(statement(line))

    assert (await customer_item(mock_sap, a.accounting_document))[
        "ClearingAccountingDocument"
    ] == ""
    assert await journal_entries(mock_sap, "ST-2026-0042") == []


async def test_a_long_statement_number_is_referenced_by_its_digest(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    a, _, _ = await three_invoices(sap)
    line = ClearingLine(
        line_id="one", amount=a.gross_amount, billing_documents=[a.billing_document]
    )
    request = statement(line, statement_id="2026-12-01/DE89370400440532013000/0042")

    first = await sap.clear_receivables(request)
    again = await sap.clear_receivables(request)

    assert [i.billing_document for i in first.cleared] == [a.billing_document]
    assert again == first
    assert len(await mock_sap.idocs("FINSTA")) == 1


# -- part payments -------------------------------------------------------------------------


def part_payment(invoice: BillingDocumentRef, amount: str = "200.00") -> PartPaymentRequest:
    return PartPaymentRequest(
        idempotency_key=f"entry-9:{invoice.billing_document}",
        customer_id="1000001",
        billing_document=invoice.billing_document,
        amount=Decimal(amount),
        currency="EUR",
        posting_date=PAID_ON,
        reason="two units damaged in transit, deducted as agreed with your driver",
    )


async def test_a_part_payment_is_posted_on_account_once_and_the_invoice_stays_open(
    mock_sap: MockSap, sap: SapErpAdapter
) -> None:
    a, _, _ = await three_invoices(sap)

    first = await sap.post_part_payment(part_payment(a))
    again = await sap.post_part_payment(part_payment(a))

    assert again == first.model_copy(update={"created": False})
    [entry] = await journal_entries(mock_sap, payment_reference(f"entry-9:{a.billing_document}"))
    assert (entry["AccountingDocument"], entry["AccountingDocumentType"]) == (
        first.accounting_document,
        "DZ",
    )
    assert await journal_lines(mock_sap, first.accounting_document) == [
        ("0000113100", "S", Decimal("200.00"), ""),
        ("0012100000", "H", Decimal("200.00"), "1000001"),
    ]
    mine = f"AccountingDocument eq '{first.accounting_document}' and Customer eq '1000001'"
    [line] = await mock_sap.read_all(JOURNAL, "A_JournalEntryItem", **{"$filter": mine})
    text = f"Part payment of {a.billing_document}: two units damaged in transit, deducted"
    assert line["DocumentItemText"] == text[:50]
    # the invoice is owed in full still; the payment sits on the account beside it
    owed = {r.billing_document: r.open_amount for r in await sap.open_receivables("1000001")}
    assert owed[a.billing_document] == a.gross_amount
    assert (await customer_item(mock_sap, a.accounting_document))[
        "ClearingAccountingDocument"
    ] == ""


async def test_a_retry_after_a_lost_part_payment_answer_posts_nothing_more(
    mock_sap: MockSap,
) -> None:
    async with adapter_for(mock_sap) as sap:
        a, _, _ = await three_invoices(sap)
    async with adapter_for(mock_sap, LoseFirstResponse("POST", "/BAPI_ACC_DOCUMENT_POST")) as sap:
        with pytest.raises(TransientError):
            await sap.post_part_payment(part_payment(a))
        ref = await sap.post_part_payment(part_payment(a))

    assert ref.created is False
    [entry] = await journal_entries(mock_sap, payment_reference(f"entry-9:{a.billing_document}"))
    assert entry["AccountingDocument"] == ref.accounting_document
