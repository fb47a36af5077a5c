"""`FakeErp` and `SapErpAdapter` (against mock-sap) keep one contract for invoices'
receivables, bank statements and part payments: every test here runs against both."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import httpx
import pytest

from adapters.erp.fake import FakeErp
from adapters.erp.port import (
    BillingDocumentRef,
    BillingRequest,
    ClearingLine,
    ClearingRequest,
    ErpOrderItem,
    ErpPort,
    PartPaymentRequest,
    SalesOrderRequest,
)
from adapters.erp.sap import SapErpAdapter
from adapters.erp.sap_settings import SapSettings
from adapters.errors import RejectionError

BILLED_ON = date(2026, 11, 20)
WORKFLOW = "order-ORD-3"


@dataclass
class Erp:
    port: ErpPort
    sales_order: str = ""

    async def invoices(self, *nets: str, terms: str = "") -> list[BillingDocumentRef]:
        """One sales order of workflow `WORKFLOW` (`sales_order`), billed once per net
        amount."""
        order = await self.port.create_sales_order(
            SalesOrderRequest(
                idempotency_key=f"{WORKFLOW}:create_sales_order",
                customer_id="1000001",
                customer_po="PO-3",
                currency="EUR",
                items=[
                    ErpOrderItem(
                        line_no=10, sku="TG11", quantity=Decimal(9), uom="PC", net_amount=Decimal(9)
                    )
                ],
            )
        )
        self.sales_order = order.sales_order
        return [
            await self.port.create_billing_document(bill(order.sales_order, n, net, terms))
            for n, net in enumerate(nets, start=1)
        ]


def bill(sales_order: str, shipment: int, net: str, terms: str = "") -> BillingRequest:
    return BillingRequest(
        idempotency_key=f"{WORKFLOW}-S{shipment}:bill",
        sales_order=sales_order,
        customer_id="1000001",
        currency="EUR",
        payment_terms=terms,
        items=[
            ErpOrderItem(
                line_no=10, sku="TG11", quantity=Decimal(1), uom="PC", net_amount=Decimal(net)
            )
        ],
    )


@pytest.fixture(params=["fake", "mock-sap"])
async def erp(request: pytest.FixtureRequest, mock_sap_url: str) -> AsyncIterator[Erp]:
    if request.param == "fake":
        yield Erp(FakeErp(today=lambda: BILLED_ON))
        return
    client = httpx.AsyncClient(base_url=mock_sap_url, timeout=5)
    (await client.post("/_mock/reset")).raise_for_status()
    async with SapErpAdapter(
        client, SapSettings(base_url=mock_sap_url), today=lambda: BILLED_ON
    ) as sap:
        yield Erp(sap)


def statement(*lines: ClearingLine, currency: str = "EUR") -> ClearingRequest:
    return ClearingRequest(
        statement_id="ST-77",
        posting_date=date(2026, 12, 1),
        bank_account="DE89370400440532013000",
        currency=currency,
        lines=list(lines),
    )


def paying(line_id: str, amount: Decimal, *invoices: BillingDocumentRef) -> ClearingLine:
    return ClearingLine(
        line_id=line_id, amount=amount, billing_documents=[i.billing_document for i in invoices]
    )


def part_payment(invoice: BillingDocumentRef, amount: str) -> PartPaymentRequest:
    return PartPaymentRequest(
        idempotency_key=f"entry-1:{invoice.billing_document}",
        customer_id="1000001",
        billing_document=invoice.billing_document,
        amount=Decimal(amount),
        currency="EUR",
        posting_date=date(2026, 12, 1),
        reason="short shipped",
    )


async def test_an_invoice_is_taxed_and_opens_a_receivable_once(erp: Erp) -> None:
    [invoice] = await erp.invoices("250.00", terms="NT45")
    again = await erp.port.create_billing_document(bill(erp.sales_order, 1, "250.00", "NT45"))

    assert (invoice.net_amount, invoice.tax_amount, invoice.gross_amount) == (
        Decimal("250.00"),
        Decimal("47.50"),
        Decimal("297.50"),
    )
    assert (invoice.payment_terms, invoice.created) == ("NT45", True)
    assert invoice.accounting_document
    assert again == invoice.model_copy(update={"created": False})
    [receivable] = await erp.port.open_receivables("1000001")
    assert (receivable.billing_document, receivable.accounting_document) == (
        invoice.billing_document,
        invoice.accounting_document,
    )
    assert (receivable.amount, receivable.open_amount, receivable.currency) == (
        Decimal("297.50"),
        Decimal("297.50"),
        "EUR",
    )
    assert (receivable.order_workflow_id, receivable.customer_name) == (WORKFLOW, "Becker Berlin")
    assert receivable.due_on == date(2027, 1, 4)  # 45 days after the billing date
    assert await erp.port.open_receivables("1000002") == []


async def test_exact_payments_clear_and_a_repeat_clears_nothing_twice(erp: Erp) -> None:
    a, b, c = await erp.invoices("250.00", "100.00", "20.00")
    request = statement(
        paying("1", a.gross_amount, a),
        paying("2", b.gross_amount + c.gross_amount, b, c),
    )

    first = await erp.port.clear_receivables(request)
    again = await erp.port.clear_receivables(request)

    assert [(i.line_id, i.billing_document, i.amount) for i in first.cleared] == [
        ("1", a.billing_document, Decimal("297.50")),
        ("2", b.billing_document, Decimal("119.00")),
        ("2", c.billing_document, Decimal("23.80")),
    ]
    assert len({i.clearing_document for i in first.cleared}) == 1  # one per customer
    assert first.refused == []
    assert again == first
    assert await erp.port.open_receivables("1000001") == []


async def test_a_payment_that_is_not_exact_is_refused_and_the_invoice_stays_open(
    erp: Erp,
) -> None:
    a, b = await erp.invoices("250.00", "100.00")

    result = await erp.port.clear_receivables(
        statement(
            paying("short", Decimal("290.00"), a),
            paying("over", Decimal("120.00"), b),
        )
    )

    assert result.cleared == []
    assert [r.line_id for r in result.refused] == ["short", "over"]
    assert all(r.reason for r in result.refused)
    assert [r.billing_document for r in await erp.port.open_receivables("1000001")] == [
        a.billing_document,
        b.billing_document,
    ]


async def test_a_line_clears_the_one_set_of_its_invoices_that_fits(erp: Erp) -> None:
    a, b = await erp.invoices("250.00", "100.00")

    result = await erp.port.clear_receivables(statement(paying("1", b.gross_amount, a, b)))

    assert [(i.line_id, i.billing_document) for i in result.cleared] == [("1", b.billing_document)]
    [still] = await erp.port.open_receivables("1000001")
    assert still.billing_document == a.billing_document


async def test_money_in_another_currency_or_for_no_open_invoice_clears_nothing(
    erp: Erp,
) -> None:
    [a] = await erp.invoices("250.00")
    await erp.port.clear_receivables(statement(paying("1", a.gross_amount, a)))

    other_currency = await erp.port.clear_receivables(
        statement(paying("usd", a.gross_amount, a), currency="USD").model_copy(
            update={"statement_id": "ST-78"}
        )
    )
    already_paid = await erp.port.clear_receivables(
        statement(paying("again", a.gross_amount, a)).model_copy(update={"statement_id": "ST-79"})
    )

    assert [r.line_id for r in other_currency.refused] == ["usd"]
    assert [r.line_id for r in already_paid.refused] == ["again"]
    assert other_currency.cleared == already_paid.cleared == []


async def test_a_part_payment_is_posted_once_and_the_invoice_stays_owed_in_full(
    erp: Erp,
) -> None:
    [a] = await erp.invoices("250.00")

    first = await erp.port.post_part_payment(part_payment(a, "200.00"))
    again = await erp.port.post_part_payment(part_payment(a, "200.00"))

    assert first.created is True and first.accounting_document
    assert again == first.model_copy(update={"created": False})
    [receivable] = await erp.port.open_receivables("1000001")
    assert (receivable.billing_document, receivable.open_amount) == (
        a.billing_document,
        Decimal("297.50"),
    )
    # and the rest alone does not clear it: the invoice's amount is still the whole
    rest = await erp.port.clear_receivables(statement(paying("rest", Decimal("97.50"), a)))
    assert [r.line_id for r in rest.refused] == ["rest"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"billing_document": "0090999999"}, "ERP_REJECTED"),
        ({"customer_id": "1000002"}, "ERP_REJECTED"),
        ({"currency": "USD"}, "ERP_REJECTED"),
        ({"amount": Decimal("297.50")}, "ERP_INVALID_REQUEST"),  # not short: clear it
        ({"amount": Decimal(0)}, "ERP_INVALID_REQUEST"),
    ],
)
async def test_a_part_payment_that_does_not_fit_its_invoice_is_refused(
    erp: Erp, changes: dict[str, object], code: str
) -> None:
    [a] = await erp.invoices("250.00")
    request = part_payment(a, "100.00").model_copy(update=changes)

    with pytest.raises(RejectionError) as caught:
        await erp.port.post_part_payment(request)

    assert caught.value.code == code


async def test_a_malformed_statement_is_refused(erp: Erp) -> None:
    [a] = await erp.invoices("250.00")
    for request in (
        statement(),
        statement(paying("1", Decimal(0), a)),
        statement(paying("1", a.gross_amount, a), paying("2", a.gross_amount, a)),
    ):
        with pytest.raises(RejectionError) as caught:
            await erp.port.clear_receivables(request)
        assert caught.value.code == "ERP_INVALID_REQUEST"
    [still] = await erp.port.open_receivables("1000001")
    assert still.billing_document == a.billing_document
