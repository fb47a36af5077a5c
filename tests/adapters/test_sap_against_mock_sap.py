"""The SAP adapter against a real (in-process) mock-sap with CSRF on."""

from datetime import date
from decimal import Decimal

import httpx
import pytest

from adapters.erp.port import BillingRequest, ErpOrderItem, SalesOrderRequest
from adapters.erp.sap import SapErpAdapter, billing_marker
from adapters.erp.sap_settings import SapSettings
from adapters.errors import RejectionError, TransientError
from tests.adapters.conftest import BILLING, BP, SO, LoseFirstResponse, MockSap


def order(key: str = "wf-1/create-so", po: str = "PO-4711") -> SalesOrderRequest:
    return SalesOrderRequest(
        idempotency_key=key,
        customer_id="1000001",
        customer_po=po,
        currency="EUR",
        requested_date=date(2099, 3, 1),
        items=[
            ErpOrderItem(
                line_no=10, sku="TG11", quantity=Decimal(5), uom="PC", net_amount=Decimal("475.00")
            ),
            ErpOrderItem(
                line_no=20, sku="TG12", quantity=Decimal(2), uom="PC", net_amount=Decimal("199.90")
            ),
        ],
    )


async def orders_with_po(mock_sap: MockSap, po: str) -> list[dict[str, object]]:
    return await mock_sap.read_all(
        SO, "A_SalesOrder", **{"$filter": f"PurchaseOrderByCustomer eq '{po}'"}
    )


# -- lookups -----------------------------------------------------------------------------


async def test_customer_found_and_unknown_is_none(sap_adapter: SapErpAdapter) -> None:
    customer = await sap_adapter.get_customer("1000001")
    assert customer is not None
    assert (customer.customer_id, customer.name, customer.blocked) == (
        "1000001",
        "Becker Berlin",
        False,
    )
    assert await sap_adapter.get_customer("9999999") is None
    # 1000009 is a supplier only (no Customer number): no sold-to party
    assert await sap_adapter.get_customer("1000009") is None


async def test_blocked_customer_is_reported(mock_sap: MockSap, sap_adapter: SapErpAdapter) -> None:
    await mock_sap.write(
        "PATCH", BP, "A_BusinessPartner('1000002')", {"BusinessPartnerIsBlocked": True}
    )
    customer = await sap_adapter.get_customer("1000002")
    assert customer is not None and customer.blocked is True


async def test_product_found_and_unknown_is_none(sap_adapter: SapErpAdapter) -> None:
    product = await sap_adapter.get_product("TG11")
    assert product is not None
    assert (product.sku, product.base_unit, product.blocked) == ("TG11", "PC", False)
    assert product.description == "Notebook Professional 15"
    kg = await sap_adapter.get_product("MZ-RM-S200")
    assert kg is not None and kg.base_unit == "KG"
    assert await sap_adapter.get_product("NOPE-1") is None
    assert await sap_adapter.get_product("it's") is None  # quote in a key: a 404, not a 400


# -- sales orders ------------------------------------------------------------------------


async def test_create_sales_order_writes_header_items_and_text(
    mock_sap: MockSap, sap_adapter: SapErpAdapter
) -> None:
    ref = await sap_adapter.create_sales_order(order())
    assert ref.created is True

    [header] = await orders_with_po(mock_sap, "PO-4711")
    assert header["SalesOrder"] == ref.sales_order
    assert header["SoldToParty"] == "1000001"
    assert header["TransactionCurrency"] == "EUR"
    assert (header["SalesOrganization"], header["DistributionChannel"]) == ("1710", "10")
    assert header["OrganizationDivision"] == "00"
    assert Decimal(str(header["TotalNetAmount"])) == Decimal("674.90")
    assert header["RequestedDeliveryDate"] == "/Date(4076006400000)/"  # 2099-03-01

    items = await mock_sap.read_all(SO, f"A_SalesOrder('{ref.sales_order}')/to_Item")
    got = sorted(
        (
            i["SalesOrderItem"],
            i["Material"],
            Decimal(i["RequestedQuantity"]),
            Decimal(i["NetAmount"]),
        )
        for i in items
    )
    assert got == [
        ("000010", "TG11", Decimal(5), Decimal("475.00")),
        ("000020", "TG12", Decimal(2), Decimal("199.90")),
    ]
    assert {i["RequestedQuantityUnit"] for i in items} == {"PC"}
    texts = await mock_sap.read_all(SO, f"A_SalesOrder('{ref.sales_order}')/to_Text")
    assert [t["LongText"] for t in texts] == ["ordermesh:wf-1/create-so"]


async def test_create_twice_with_same_key_makes_one_order(
    mock_sap: MockSap, mock_sap_url: str, sap_adapter: SapErpAdapter
) -> None:
    first = await sap_adapter.create_sales_order(order())
    again = await sap_adapter.create_sales_order(order())
    # a new process (new adapter, no state) retrying the same step
    async with SapErpAdapter.from_settings(SapSettings(base_url=mock_sap_url)) as other:
        third = await other.create_sales_order(order())

    assert (again.sales_order, again.created) == (first.sales_order, False)
    assert (third.sales_order, third.created) == (first.sales_order, False)
    assert len(await orders_with_po(mock_sap, "PO-4711")) == 1
    # a different key is a different order
    await sap_adapter.create_sales_order(order(key="wf-2/create-so"))
    assert len(await orders_with_po(mock_sap, "PO-4711")) == 2


async def test_lost_response_on_create_then_retry_finds_the_order(
    mock_sap: MockSap, mock_sap_url: str
) -> None:
    transport = LoseFirstResponse("POST", "/A_SalesOrder")
    client = httpx.AsyncClient(base_url=mock_sap_url, transport=transport)
    async with SapErpAdapter(client, SapSettings(base_url=mock_sap_url)) as adapter:
        with pytest.raises(TransientError):
            await adapter.create_sales_order(order())
        assert transport.lost == 1
        assert len(await orders_with_po(mock_sap, "PO-4711")) == 1  # it was created

        retry = await adapter.create_sales_order(order())

    assert retry.created is False
    [only] = await orders_with_po(mock_sap, "PO-4711")
    assert only["SalesOrder"] == retry.sales_order


async def test_sap_rejection_carries_sap_message(sap_adapter: SapErpAdapter) -> None:
    with pytest.raises(RejectionError) as caught:
        await sap_adapter.create_sales_order(order(po="P" * 40))
    assert caught.value.code == "ERP_REJECTED"
    assert "exceeds maximum length 35" in caught.value.message


async def test_cancel_deletes_and_is_idempotent(
    mock_sap: MockSap, sap_adapter: SapErpAdapter
) -> None:
    assert await sap_adapter.find_sales_order("wf-1/create-so") is None
    ref = await sap_adapter.create_sales_order(order())
    assert await sap_adapter.find_sales_order("wf-1/create-so") == ref.sales_order
    await sap_adapter.cancel_sales_order(ref.sales_order, "payment declined")
    assert await orders_with_po(mock_sap, "PO-4711") == []
    assert await sap_adapter.find_sales_order("wf-1/create-so") is None
    await sap_adapter.cancel_sales_order(ref.sales_order, "payment declined")  # no error
    # unpadded number is the same order (ALPHA conversion), and gone too
    await sap_adapter.cancel_sales_order(ref.sales_order.lstrip("0"), "again")
    deletes = [r for r in await mock_sap.requests() if r["method"] == "DELETE"]
    assert [r["status"] for r in deletes] == [204, 404, 404]
    assert {r["path"].rsplit("/", 1)[1] for r in deletes} == {f"A_SalesOrder('{ref.sales_order}')"}


# -- billing -----------------------------------------------------------------------------


async def test_billing_document_has_items_and_totals_and_is_idempotent(
    mock_sap: MockSap, sap_adapter: SapErpAdapter
) -> None:
    so = await sap_adapter.create_sales_order(order())
    shipped = [
        ErpOrderItem(
            line_no=10, sku="TG11", quantity=Decimal(3), uom="PC", net_amount=Decimal("285.00")
        ),
        ErpOrderItem(
            line_no=20, sku="TG12", quantity=Decimal(2), uom="PC", net_amount=Decimal("199.90")
        ),
    ]
    request = BillingRequest(
        idempotency_key="wf-1/bill-1",
        sales_order=so.sales_order,
        customer_id="1000001",
        currency="EUR",
        items=shipped,
    )
    first = await sap_adapter.create_billing_document(request)
    again = await sap_adapter.create_billing_document(request)

    assert first.created is True and first.net_amount == Decimal("484.90")
    assert (again.billing_document, again.created, again.net_amount) == (
        first.billing_document,
        False,
        Decimal("484.90"),
    )
    items = await mock_sap.read_all(
        BILLING, "A_BillingDocumentItem", **{"$filter": f"SalesDocument eq '{so.sales_order}'"}
    )
    assert {i["BillingDocument"] for i in items} == {first.billing_document}
    assert sorted(
        (
            i["SalesDocumentItem"],
            i["Material"],
            Decimal(i["BillingQuantity"]),
            Decimal(i["NetAmount"]),
        )
        for i in items
    ) == [
        ("000010", "TG11", Decimal(3), Decimal("285.00")),
        ("000020", "TG12", Decimal(2), Decimal("199.90")),
    ]
    assert {i["BillingDocumentItemText"] for i in items} == {billing_marker("wf-1/bill-1")}
    header = await mock_sap.read(BILLING, f"A_BillingDocument('{first.billing_document}')")
    assert (header["BillingDocumentType"], header["SoldToParty"], header["PayerParty"]) == (
        "F2",
        "1000001",
        "1000001",
    )
    # 19 % output tax on the net total (92.131, half up), as mock-sap bills 1710
    assert Decimal(header["TotalNetAmount"]) == Decimal("484.90")
    assert Decimal(header["TotalTaxAmount"]) == Decimal("92.13")
    assert Decimal(header["TotalGrossAmount"]) == Decimal("577.03")
    assert (first.tax_amount, first.gross_amount) == (Decimal("92.13"), Decimal("577.03"))
    assert (header["AccountingDocument"], header["AccountingPostingStatus"]) == (
        first.accounting_document,
        "C",
    )
    assert again.accounting_document == first.accounting_document

    # a second shipment of the same size is a second invoice, not a duplicate
    second = await sap_adapter.create_billing_document(
        request.model_copy(update={"idempotency_key": "wf-1/bill-2"})
    )
    assert second.created is True and second.billing_document != first.billing_document


# -- faults ------------------------------------------------------------------------------


async def test_503_no_work_process_is_transient_and_nothing_is_created(
    mock_sap: MockSap, sap_adapter: SapErpAdapter
) -> None:
    await mock_sap.add_fault(
        match="A_SalesOrder$",
        method="POST",
        status=503,
        message="No dialog work process available",
        count=1,
    )
    with pytest.raises(TransientError) as caught:
        await sap_adapter.create_sales_order(order())
    assert "503" in caught.value.message
    assert "No dialog work process available" in caught.value.message
    assert await orders_with_po(mock_sap, "PO-4711") == []

    ref = await sap_adapter.create_sales_order(order())  # the retry goes through
    assert ref.created is True


async def test_forbidden_is_an_auth_rejection(
    mock_sap: MockSap, sap_adapter: SapErpAdapter
) -> None:
    await mock_sap.add_fault(match="A_BusinessPartner", method="GET", scenario="forbidden")
    with pytest.raises(RejectionError) as caught:
        await sap_adapter.get_customer("1000001")
    assert caught.value.code == "ERP_AUTH"
    assert "No authorization" in caught.value.message


def token_fetches(requests: list[dict[str, object]]) -> int:
    return sum(1 for r in requests if r["method"] == "GET" and str(r["path"]).endswith("_SRV/"))


async def test_csrf_required_once_refetches_and_retries(
    mock_sap: MockSap, sap_adapter: SapErpAdapter
) -> None:
    await sap_adapter.create_sales_order(order(key="k-1", po="PO-A"))  # holds a token now
    await mock_sap.add_fault(match="A_SalesOrder$", method="POST", scenario="csrf", count=1)

    ref = await sap_adapter.create_sales_order(order(key="k-2", po="PO-B"))

    assert ref.created is True
    log = await mock_sap.requests()
    posts = [r["status"] for r in log if r["method"] == "POST"]
    assert posts == [201, 403, 201]
    assert token_fetches(log) == 2


async def test_token_invalidated_by_server_is_refetched(
    mock_sap: MockSap, sap_adapter: SapErpAdapter
) -> None:
    await sap_adapter.create_sales_order(order(key="k-1", po="PO-A"))
    await mock_sap.reset()  # forgets every token it issued (and the data)
    ref = await sap_adapter.create_sales_order(order(key="k-1", po="PO-A"))
    assert ref.created is True
    assert [r["status"] for r in await mock_sap.requests() if r["method"] == "POST"] == [403, 201]


async def test_csrf_required_twice_is_transient(
    mock_sap: MockSap, sap_adapter: SapErpAdapter
) -> None:
    await mock_sap.add_fault(match="A_SalesOrder$", method="POST", scenario="csrf", count=2)
    with pytest.raises(TransientError) as caught:
        await sap_adapter.create_sales_order(order())
    assert "CSRF" in caught.value.message
    assert await orders_with_po(mock_sap, "PO-4711") == []
