"""The SAP adapter over `httpx.MockTransport`: what it sends, and how it reads answers."""

import asyncio
import json
from datetime import date
from decimal import Decimal

import httpx
import pytest

from adapters.erp.port import BillingRequest, ErpOrderItem, SalesOrderRequest
from adapters.erp.sap import SapErpAdapter, billing_marker
from adapters.erp.sap_settings import SapSettings
from adapters.errors import NotFoundError, RejectionError, TransientError
from tests.adapters.conftest import (
    ROOT,
    Gateway,
    csrf_required,
    entity,
    results,
    sap_error,
)


def order(key: str = "wf-9/so") -> SalesOrderRequest:
    return SalesOrderRequest(
        idempotency_key=key,
        customer_id="1000001",
        customer_po="PO-1",
        currency="EUR",
        requested_date=date(2026, 12, 24),
        items=[
            ErpOrderItem(
                line_no=10, sku="TG11", quantity=Decimal(5), uom="PC", net_amount=Decimal("475.00")
            )
        ],
    )


def no_existing_order(gateway: Gateway) -> None:
    gateway.on("GET", r"/A_SalesOrderText$", results())


# -- CSRF ----------------------------------------------------------------------------------


async def test_write_fetches_csrf_token_then_sends_it_with_the_cookie(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    no_existing_order(gateway)
    gateway.on("POST", r"/A_SalesOrder$", httpx.Response(201, json={"d": {"SalesOrder": "42"}}))
    gateway.on("DELETE", r"/A_SalesOrder\('0000000042'\)$", httpx.Response(204))

    ref = await adapter.create_sales_order(order(key="it's/1"))
    await adapter.cancel_sales_order(ref.sales_order, "test")

    assert (ref.sales_order, ref.created) == ("42", True)
    lookup, fetch, post, delete = gateway.requests
    assert lookup.url.params["$filter"] == "LongText eq 'ordermesh:it''s/1'"
    assert "X-CSRF-Token" not in lookup.headers
    assert fetch.method == "GET" and fetch.url.path == f"{ROOT}/API_SALES_ORDER_SRV/"
    assert fetch.headers["X-CSRF-Token"] == "Fetch"
    assert post.headers["X-CSRF-Token"] == "tok-1"
    assert "SAP_SESSIONID_MCK_100=stok-1" in post.headers["Cookie"]
    assert json.loads(post.content) == {
        "SalesOrderType": "OR",
        "SalesOrganization": "1710",
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SoldToParty": "1000001",
        "PurchaseOrderByCustomer": "PO-1",
        "TransactionCurrency": "EUR",
        "RequestedDeliveryDate": "/Date(1798070400000)/",
        "to_Item": [
            {
                "SalesOrderItem": "000010",
                "Material": "TG11",
                "RequestedQuantity": "5",
                "RequestedQuantityUnit": "PC",
                "NetAmount": "475.00",
            }
        ],
        "to_Text": [{"Language": "EN", "LongTextID": "0001", "LongText": "ordermesh:it's/1"}],
    }
    # the token is kept: the delete needs no second fetch
    assert delete.headers["X-CSRF-Token"] == "tok-1" and delete.headers["If-Match"] == "*"
    assert gateway.fetches == 1
    assert all(r.url.params["sap-client"] == "100" for r in gateway.requests)
    assert all(r.headers["Accept"] == "application/json" for r in gateway.requests)


async def test_expired_csrf_token_is_refetched_once_and_the_write_retried(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    no_existing_order(gateway)
    gateway.on(
        "POST",
        r"/A_SalesOrder$",
        csrf_required(),
        httpx.Response(201, json={"d": {"SalesOrder": "0000000043"}}),
    )
    ref = await adapter.create_sales_order(order())
    assert ref.sales_order == "0000000043"
    assert [p.headers["X-CSRF-Token"] for p in gateway.sent("POST")] == ["tok-1", "tok-2"]
    assert gateway.fetches == 2


async def test_csrf_refused_after_refresh_is_transient(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    no_existing_order(gateway)
    gateway.on("POST", r"/A_SalesOrder$", csrf_required())
    with pytest.raises(TransientError, match="CSRF"):
        await adapter.create_sales_order(order())
    assert len(gateway.sent("POST")) == 2  # the write and one retry, no more
    assert gateway.fetches == 2


async def test_concurrent_writes_share_one_token_fetch(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("DELETE", r"/A_SalesOrder\(", httpx.Response(204))
    await asyncio.gather(*(adapter.cancel_sales_order(str(n), "x") for n in range(1, 6)))
    assert gateway.fetches == 1
    assert {r.headers["X-CSRF-Token"] for r in gateway.sent("DELETE")} == {"tok-1"}


async def test_403_that_is_not_about_csrf_is_an_auth_rejection(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    no_existing_order(gateway)
    gateway.on("POST", r"/A_SalesOrder$", sap_error(403, "No authorization for VA01"))
    with pytest.raises(RejectionError) as caught:
        await adapter.create_sales_order(order())
    assert caught.value.code == "ERP_AUTH"
    assert caught.value.message == "No authorization for VA01"
    assert len(gateway.sent("POST")) == 1 and gateway.fetches == 1


# -- classification --------------------------------------------------------------------


async def test_503_no_work_process_is_transient(gateway: Gateway, adapter: SapErpAdapter) -> None:
    gateway.on("GET", r"/A_BusinessPartner\(", sap_error(503, "No dialog work process available"))
    with pytest.raises(TransientError) as caught:
        await adapter.get_customer("1000001")
    assert "503" in caught.value.message
    assert "No dialog work process available" in caught.value.message
    assert caught.value.system == "erp"


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.ConnectError("connection refused"),
        httpx.RemoteProtocolError("peer closed connection"),
    ],
)
async def test_timeouts_and_transport_failures_are_transient(
    gateway: Gateway, adapter: SapErpAdapter, failure: Exception
) -> None:
    gateway.on("GET", r"/A_Product\(", failure)
    with pytest.raises(TransientError) as caught:
        await adapter.get_product("TG11")
    assert caught.value.__cause__ is failure


async def test_sap_error_envelope_400_is_a_rejection_with_sap_message(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    no_existing_order(gateway)
    gateway.on(
        "POST",
        r"/A_SalesOrder$",
        sap_error(400, "Sold-to party 1000001 not maintained for sales area 1710/10/00"),
    )
    with pytest.raises(RejectionError) as caught:
        await adapter.create_sales_order(order())
    assert caught.value.code == "ERP_REJECTED"
    assert caught.value.message == "Sold-to party 1000001 not maintained for sales area 1710/10/00"
    assert not isinstance(caught.value, NotFoundError)


async def test_unreadable_success_after_a_write_is_transient(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    no_existing_order(gateway)
    gateway.on("POST", r"/A_SalesOrder$", httpx.Response(201, text="<html>ok</html>"))
    with pytest.raises(TransientError):
        await adapter.create_sales_order(order())


# -- idempotency and lookups -----------------------------------------------------------


async def test_create_finds_existing_order_by_text_and_does_not_post(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on(
        "GET",
        r"/A_SalesOrderText$",
        results(
            {"SalesOrder": "0000000077", "LongText": "ordermesh:wf-9/so"},
            {"SalesOrder": "0000000078", "LongText": "ordermesh:wf-9/so-other"},
        ),
    )
    ref = await adapter.create_sales_order(order())
    assert (ref.sales_order, ref.created) == ("0000000077", False)
    assert gateway.sent("POST") == [] and gateway.fetches == 0


async def test_lookups_return_none_on_404(gateway: Gateway, adapter: SapErpAdapter) -> None:
    gateway.on("GET", r"/A_BusinessPartner\(", sap_error(404, "No entity with key"))
    gateway.on("GET", r"/A_Product\(", sap_error(404, "No entity with key"))
    assert await adapter.get_customer("9999999") is None
    assert await adapter.get_product("NOPE") is None
    assert await adapter.get_customer("") is None
    assert len(gateway.requests) == 2  # the empty id asks nothing


async def test_lookups_read_the_fields(gateway: Gateway, adapter: SapErpAdapter) -> None:
    gateway.on(
        "GET",
        r"/A_BusinessPartner\('1000099'\)$",
        entity(
            BusinessPartner="1000099",
            Customer="1000099",
            BusinessPartnerFullName="Blocked Customer",
            BusinessPartnerIsBlocked=True,
        ),
    )
    gateway.on(
        "GET",
        r"/A_Product\('TG%2F1'\)$",
        entity(
            Product="TG/1",
            BaseUnit="PC",
            IsMarkedForDeletion=True,
            to_Description={
                "results": [
                    {"Language": "DE", "ProductDescription": "Notebook"},
                    {"Language": "EN", "ProductDescription": "Laptop"},
                ]
            },
        ),
    )
    customer = await adapter.get_customer("1000099")
    product = await adapter.get_product("TG/1")
    assert customer is not None and (customer.name, customer.blocked) == ("Blocked Customer", True)
    assert product is not None
    assert (product.sku, product.description, product.base_unit, product.blocked) == (
        "TG/1",
        "Laptop",
        "PC",
        True,
    )
    assert gateway.requests[1].url.params["$expand"] == "to_Description"


async def test_cancel_of_a_gone_order_is_success_and_404_on_create_is_not_found(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("DELETE", r"/A_SalesOrder\('0000004711'\)$", sap_error(404, "No entity"))
    await adapter.cancel_sales_order("4711", "customer cancelled")
    gateway.on("GET", r"/A_BillingDocumentItem$", results())
    gateway.on("POST", r"/A_BillingDocument$", sap_error(404, "Resource not found"))
    with pytest.raises(NotFoundError, match="Resource not found"):
        await adapter.create_billing_document(bill(key="b-1"))


def bill(key: str) -> BillingRequest:
    return BillingRequest(
        idempotency_key=key,
        sales_order="4711",
        customer_id="1000001",
        currency="EUR",
        items=[
            ErpOrderItem(
                line_no=10, sku="TG11", quantity=Decimal(2), uom="PC", net_amount=Decimal("190.00")
            ),
            ErpOrderItem(
                line_no=30, sku="TG12", quantity=Decimal(1), uom="PC", net_amount=Decimal("99.95")
            ),
        ],
    )


async def test_billing_found_by_its_key_marker_is_not_created_again(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    mine = billing_marker("b-1")
    gateway.on(
        "GET",
        r"/A_BillingDocumentItem$",
        results(
            {
                "BillingDocument": "0090000001",
                "BillingDocumentItemText": mine,
                "NetAmount": "190.000",
            },
            {
                "BillingDocument": "0090000001",
                "BillingDocumentItemText": mine,
                "NetAmount": "99.950",
            },
            {"BillingDocument": "0090000002", "BillingDocumentItemText": "x", "NetAmount": "5.000"},
        ),
    )
    gateway.on(
        "GET",
        r"/A_BillingDocument\('0090000001'\)$",
        entity(
            BillingDocument="0090000001",
            PayerParty="1000001",
            TransactionCurrency="EUR",
            TotalNetAmount="289.950",
            TotalTaxAmount="55.090",
            BillingDocumentDate="/Date(1795132800000)/",
            AccountingDocument="0100000042",
        ),
    )
    ref = await adapter.create_billing_document(bill(key="b-1"))
    assert (ref.billing_document, ref.net_amount, ref.created) == (
        "0090000001",
        Decimal("289.95"),
        False,
    )
    assert (ref.tax_amount, ref.gross_amount, ref.accounting_document, ref.payment_terms) == (
        Decimal("55.09"),
        Decimal("345.04"),
        "0100000042",
        "NT30",
    )
    # already posted and marked: nothing is written
    assert gateway.sent("POST") == [] and gateway.sent("PATCH") == []
    assert gateway.requests[0].url.params["$filter"] == "SalesDocument eq '0000004711'"


async def test_billing_payload(gateway: Gateway, adapter: SapErpAdapter) -> None:
    gateway.on("GET", r"/A_BillingDocumentItem$", results())
    gateway.on(
        "POST", r"/A_BillingDocument$", httpx.Response(201, json={"d": {"BillingDocument": "9"}})
    )
    gateway.on(
        "POST",
        r"/sap/bc/rfc/BAPI_ACC_DOCUMENT_POST$",
        httpx.Response(200, json={"OBJ_KEY": "010000004217102026", "RETURN": []}),
    )
    gateway.on("PATCH", r"/A_BillingDocument\('9'\)$", httpx.Response(204))
    ref = await adapter.create_billing_document(bill(key="b-2"))
    assert (ref.billing_document, ref.net_amount, ref.created) == ("9", Decimal("289.95"), True)
    # 19 % of 289.95 is 55.0905: half up on the total, to the cent
    assert (ref.tax_amount, ref.gross_amount, ref.accounting_document) == (
        Decimal("55.09"),
        Decimal("345.04"),
        "0100000042",
    )
    post = gateway.sent("POST")[0]
    assert post.url.path == f"{ROOT}/API_BILLING_DOCUMENT_SRV/A_BillingDocument"
    body = json.loads(post.content)
    assert {k: v for k, v in body.items() if k != "to_Item"} == {
        "BillingDocumentType": "F2",
        "SDDocumentCategory": "M",
        "SalesOrganization": "1710",
        "SoldToParty": "1000001",
        "PayerParty": "1000001",
        "BillingDocumentDate": "/Date(1795132800000)/",  # TODAY
        "TransactionCurrency": "EUR",
        "TotalNetAmount": "289.95",
        "TotalTaxAmount": "55.09",
        "TotalGrossAmount": "345.04",
    }
    assert [
        (
            i["BillingDocumentItem"],
            i["SalesDocument"],
            i["SalesDocumentItem"],
            i["BillingQuantity"],
            i["NetAmount"],
            i["TaxAmount"],
        )
        for i in body["to_Item"]
    ] == [
        ("000010", "0000004711", "000010", "2", "190.00", "36.10"),
        # 18.9905 half up: the items' taxes (55.09) need not add up to the total's
        ("000020", "0000004711", "000030", "1", "99.95", "18.99"),
    ]
    assert {i["BillingDocumentItemText"] for i in body["to_Item"]} == {billing_marker("b-2")}


async def test_invalid_items_are_refused_before_anything_is_sent(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    empty = order().model_copy(update={"items": []})
    twice = order().model_copy(update={"items": order().items * 2})
    for request in (empty, twice):
        with pytest.raises(RejectionError) as caught:
            await adapter.create_sales_order(request)
        assert caught.value.code == "ERP_INVALID_REQUEST"
    assert gateway.requests == []


async def test_from_settings_sends_basic_auth_and_sap_client(gateway: Gateway) -> None:
    gateway.on("GET", r"/A_BusinessPartner\(", sap_error(404, "none"))
    settings = SapSettings(
        base_url="http://erp.example:8443", username="U", password="p", client="200"
    )
    async with SapErpAdapter.from_settings(settings, transport=httpx.MockTransport(gateway)) as sap:
        await sap.get_customer("1")
    [request] = gateway.requests
    assert request.url.host == "erp.example" and request.url.port == 8443
    assert request.headers["Authorization"] == "Basic VTpw"
    assert request.url.params["sap-client"] == "200"
