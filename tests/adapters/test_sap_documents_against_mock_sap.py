"""Deliveries and item cuts against a real (in-process) mock-sap with CSRF on."""

from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.erp.port import DeliveryRequest, ErpOrderItem, ItemReduction, SalesOrderRequest
from adapters.erp.sap import SapErpAdapter, delivery_marker
from adapters.erp.sap_settings import SapSettings
from adapters.errors import NotFoundError, RejectionError, TransientError
from tests.adapters.conftest import SO, LoseFirstResponse, MockSap

DELIVERY = "API_OUTBOUND_DELIVERY_SRV"


def order(key: str = "wf-7/create-so") -> SalesOrderRequest:
    return SalesOrderRequest(
        idempotency_key=key,
        customer_id="1000001",
        customer_po="PO-7",
        currency="EUR",
        items=[
            ErpOrderItem(
                line_no=10, sku="TG11", quantity=Decimal(5), uom="PC", net_amount=Decimal("475.00")
            ),
            ErpOrderItem(
                line_no=20, sku="TG12", quantity=Decimal(2), uom="PC", net_amount=Decimal("199.90")
            ),
        ],
    )


def shipment(sales_order: str, key: str, *lines: tuple[int, str, int]) -> DeliveryRequest:
    return DeliveryRequest(
        idempotency_key=key,
        sales_order=sales_order,
        customer_id="1000001",
        shipping_point="W1",
        items=[
            ErpOrderItem(
                line_no=line_no, sku=sku, quantity=Decimal(qty), uom="PC", net_amount=Decimal(0)
            )
            for line_no, sku, qty in lines
        ],
    )


def cut(line_no: int, keep: int, net: str) -> ItemReduction:
    return ItemReduction(line_no=line_no, keep_quantity=Decimal(keep), keep_net_amount=Decimal(net))


async def delivery_items(mock_sap: MockSap, sales_order: str) -> list[dict[str, Any]]:
    return await mock_sap.read_all(
        DELIVERY,
        "A_OutbDeliveryItem",
        **{"$filter": f"ReferenceSDDocument eq '{sales_order}'"},
    )


async def items_of(mock_sap: MockSap, sales_order: str) -> dict[str, tuple[Decimal, Decimal]]:
    """Item -> (quantity, net amount), as SAP holds them."""
    rows = await mock_sap.read_all(SO, f"A_SalesOrder('{sales_order}')/to_Item")
    return {
        r["SalesOrderItem"]: (Decimal(r["RequestedQuantity"]), Decimal(r["NetAmount"]))
        for r in rows
    }


async def total_net(mock_sap: MockSap, sales_order: str) -> Decimal:
    header = await mock_sap.read(SO, f"A_SalesOrder('{sales_order}')")
    return Decimal(header["TotalNetAmount"])


async def texts_of(mock_sap: MockSap, sales_order: str) -> dict[str, str]:
    rows = await mock_sap.read_all(SO, f"A_SalesOrder('{sales_order}')/to_Text")
    return {f"{r['Language']}/{r['LongTextID']}": r["LongText"] for r in rows}


async def writes(mock_sap: MockSap, since: int = 0) -> list[tuple[str, int]]:
    """(method, status) of the writes mock-sap served, from request number `since` on."""
    log = (await mock_sap.requests())[since:]
    return [(r["method"], r["status"]) for r in log if r["method"] != "GET"]


# -- deliveries ------------------------------------------------------------------------


async def test_part_of_an_order_then_the_rest_and_each_key_once(
    mock_sap: MockSap, mock_sap_url: str, sap_adapter: SapErpAdapter
) -> None:
    so = (await sap_adapter.create_sales_order(order())).sales_order
    first_shipment = shipment(so, "wf-7/ship-1/dlv", (10, "TG11", 3))
    rest = shipment(so, "wf-7/ship-2/dlv", (10, "TG11", 2), (20, "TG12", 2))

    first = await sap_adapter.create_outbound_delivery(first_shipment)
    again = await sap_adapter.create_outbound_delivery(first_shipment)
    second = await sap_adapter.create_outbound_delivery(rest)
    # a new process (new adapter, no state) retrying the first step
    async with SapErpAdapter.from_settings(SapSettings(base_url=mock_sap_url)) as other:
        third = await other.create_outbound_delivery(first_shipment)

    assert first.created and second.created
    assert (again.delivery_document, again.created) == (first.delivery_document, False)
    assert (third.delivery_document, third.created) == (first.delivery_document, False)
    assert second.delivery_document != first.delivery_document
    items = await delivery_items(mock_sap, so)
    assert sorted(
        (
            i["DeliveryDocument"],
            i["DeliveryDocumentItem"],
            i["ReferenceSDDocumentItem"],
            i["Material"],
            Decimal(i["ActualDeliveredQtyInOrderQtyUnit"]),
            i["OrderQuantityUnit"],
        )
        for i in items
    ) == [
        (first.delivery_document, "000010", "000010", "TG11", Decimal(3), "PC"),
        (second.delivery_document, "000010", "000010", "TG11", Decimal(2), "PC"),
        (second.delivery_document, "000020", "000020", "TG12", Decimal(2), "PC"),
    ]
    assert {
        i["DeliveryDocumentItemText"]
        for i in items
        if i["DeliveryDocument"] == first.delivery_document
    } == {delivery_marker("wf-7/ship-1/dlv")}
    header = await mock_sap.read(DELIVERY, f"A_OutbDeliveryHeader('{first.delivery_document}')")
    assert (header["DeliveryDocumentType"], header["ShippingPoint"]) == ("LF", "W1")
    assert (header["SoldToParty"], header["ShipToParty"]) == ("1000001", "1000001")
    assert header["SalesOrganization"] == "1710"
    assert header["DeliveryDate"].startswith("/Date(")
    # mock-sap 0.22's OData POST stores the delivery and nothing more: the order's
    # delivery status does not move (its BAPI and DELVRY07 paths would move it)
    so_header = await mock_sap.read(SO, f"A_SalesOrder('{so}')")
    assert so_header["OverallDeliveryStatus"] == "A"
    assert [w for w in await writes(mock_sap) if w[0] == "POST"] == [("POST", 201)] * 3


async def test_lost_response_on_delivery_then_retry_finds_it(
    mock_sap: MockSap, mock_sap_url: str, sap_adapter: SapErpAdapter
) -> None:
    so = (await sap_adapter.create_sales_order(order())).sales_order
    request = shipment(so, "wf-7/ship-1/dlv", (10, "TG11", 5))
    transport = LoseFirstResponse("POST", "/A_OutbDeliveryHeader")
    client = httpx.AsyncClient(base_url=mock_sap_url, transport=transport)
    async with SapErpAdapter(client, SapSettings(base_url=mock_sap_url)) as adapter:
        with pytest.raises(TransientError):
            await adapter.create_outbound_delivery(request)
        retry = await adapter.create_outbound_delivery(request)
    assert retry.created is False
    assert {i["DeliveryDocument"] for i in await delivery_items(mock_sap, so)} == {
        retry.delivery_document
    }


async def test_delivery_of_an_item_the_order_lacks_is_refused(
    mock_sap: MockSap, sap_adapter: SapErpAdapter
) -> None:
    so = (await sap_adapter.create_sales_order(order())).sales_order
    with pytest.raises(RejectionError, match="has no item 000030"):
        await sap_adapter.create_outbound_delivery(shipment(so, "k", (30, "TG11", 1)))
    with pytest.raises(RejectionError, match="does not exist"):
        await sap_adapter.create_outbound_delivery(shipment("0000000404", "k", (10, "TG11", 1)))
    assert await delivery_items(mock_sap, so) == []


async def test_a_long_warehouse_code_ships_from_the_default_point(
    mock_sap: MockSap, sap_adapter: SapErpAdapter
) -> None:
    so = (await sap_adapter.create_sales_order(order())).sales_order
    request = shipment(so, "k", (10, "TG11", 1)).model_copy(
        update={"shipping_point": "BERLIN-NORTH"}
    )
    ref = await sap_adapter.create_outbound_delivery(request)
    header = await mock_sap.read(DELIVERY, f"A_OutbDeliveryHeader('{ref.delivery_document}')")
    assert header["ShippingPoint"] == "1710"


# -- cutting items -----------------------------------------------------------------------


async def test_reject_an_item_and_cut_another_with_the_reason_recorded_once(
    mock_sap: MockSap, sap_adapter: SapErpAdapter
) -> None:
    so = (await sap_adapter.create_sales_order(order())).sales_order
    assert await total_net(mock_sap, so) == Decimal("674.90")
    reductions = [cut(10, 3, "285.00"), cut(20, 0, "0")]

    await sap_adapter.reject_items(so, reductions, "backorder window passed")

    assert await items_of(mock_sap, so) == {"000010": (Decimal(3), Decimal("285.00"))}
    assert await total_net(mock_sap, so) == Decimal("285.00")  # mock-sap recalculates
    assert await texts_of(mock_sap, so) == {
        "EN/0001": "ordermesh:wf-7/create-so",
        "EN/R010": "ordermesh:item 000010 cut to 3: backorder window passed",
        "EN/R020": "ordermesh:item 000020 rejected: backorder window passed",
    }
    assert await writes(mock_sap) == [
        ("POST", 201),  # the sales order
        ("POST", 201),  # text R010
        ("PATCH", 204),
        ("POST", 201),  # text R020
        ("DELETE", 204),
    ]
    # the order is still found by its key
    assert await sap_adapter.find_sales_order("wf-7/create-so") == so

    # a second run (another reason, the number unpadded): nothing is written
    seen = len(await mock_sap.requests())
    await sap_adapter.reject_items(so.lstrip("0"), reductions, "retried")
    assert await writes(mock_sap, since=seen) == []
    assert await items_of(mock_sap, so) == {"000010": (Decimal(3), Decimal("285.00"))}
    assert len(await texts_of(mock_sap, so)) == 3


async def test_a_cut_interrupted_after_its_text_completes_on_retry(
    mock_sap: MockSap, sap_adapter: SapErpAdapter
) -> None:
    so = (await sap_adapter.create_sales_order(order())).sales_order
    await mock_sap.add_fault(
        match="A_SalesOrderItem", method="DELETE", status=503, message="No work process", count=1
    )
    with pytest.raises(TransientError, match="503"):
        await sap_adapter.reject_items(so, [cut(20, 0, "0")], "window passed")
    assert set(await items_of(mock_sap, so)) == {"000010", "000020"}  # text only, so far

    await sap_adapter.reject_items(so, [cut(20, 0, "0")], "window passed")

    assert set(await items_of(mock_sap, so)) == {"000010"}
    assert await total_net(mock_sap, so) == Decimal("475.00")
    texts = await texts_of(mock_sap, so)
    assert texts["EN/R020"] == "ordermesh:item 000020 rejected: window passed"
    assert len(texts) == 2


async def test_cuts_of_an_unknown_order_or_item_change_nothing(
    mock_sap: MockSap, sap_adapter: SapErpAdapter
) -> None:
    with pytest.raises(NotFoundError):
        await sap_adapter.reject_items("404", [cut(10, 0, "0")], "x")
    so = (await sap_adapter.create_sales_order(order())).sales_order
    with pytest.raises(NotFoundError, match="no item 000030"):
        await sap_adapter.reject_items(so, [cut(10, 0, "0"), cut(30, 1, "1")], "x")
    assert set(await items_of(mock_sap, so)) == {"000010", "000020"}
    assert len(await texts_of(mock_sap, so)) == 1
