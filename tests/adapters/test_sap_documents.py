"""Deliveries and item cuts over `httpx.MockTransport`: what the adapter sends, in
which order, and how it reads what is already there."""

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.erp.port import DeliveryRequest, ErpOrderItem, ItemReduction
from adapters.erp.sap import SapErpAdapter, delivery_marker
from adapters.erp.sap_reductions import reduction_marker, reduction_text, text_id_for
from adapters.erp.sap_settings import SapSettings
from adapters.errors import NotFoundError, RejectionError, TransientError
from tests.adapters.conftest import BASE, ROOT, TODAY, Gateway, results, sap_error

SO_NUMBER = "0000004711"
ITEM_10 = rf"/A_SalesOrderItem\(SalesOrder='{SO_NUMBER}',SalesOrderItem='000010'\)$"
ITEM_20 = rf"/A_SalesOrderItem\(SalesOrder='{SO_NUMBER}',SalesOrderItem='000020'\)$"


def delivery(key: str = "wf-1/dlv-1", warehouse: str = "W1") -> DeliveryRequest:
    return DeliveryRequest(
        idempotency_key=key,
        sales_order="4711",
        customer_id="1000001",
        shipping_point=warehouse,
        items=[
            ErpOrderItem(
                line_no=10, sku="TG11", quantity=Decimal(3), uom="PC", net_amount=Decimal(0)
            ),
            ErpOrderItem(
                line_no=20, sku="TG12", quantity=Decimal("1.5"), uom="PC", net_amount=Decimal(0)
            ),
        ],
    )


def order_items(*rows: tuple[str, str, str, str]) -> httpx.Response:
    """`to_Item` of sales order 4711: (item, material, quantity, net amount) rows."""
    return results(
        *(
            {
                "SalesOrder": SO_NUMBER,
                "SalesOrderItem": item,
                "Material": material,
                "RequestedQuantity": quantity,
                "NetAmount": net,
            }
            for item, material, quantity, net in rows
        )
    )


TWO_ITEMS = order_items(
    ("000010", "TG11", "5.000", "475.000"), ("000020", "TG12", "2.000", "199.900")
)


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


# -- deliveries ------------------------------------------------------------------------


async def test_delivery_payload(gateway: Gateway, adapter: SapErpAdapter) -> None:
    gateway.on("GET", r"/A_OutbDeliveryItem$", results())
    gateway.on("GET", r"/A_SalesOrder\('0000004711'\)/to_Item$", TWO_ITEMS)
    gateway.on(
        "POST",
        r"/A_OutbDeliveryHeader$",
        httpx.Response(201, json={"d": {"DeliveryDocument": "0080000001"}}),
    )
    ref = await adapter.create_outbound_delivery(delivery())
    assert (ref.delivery_document, ref.created) == ("0080000001", True)

    lookup, items, fetch, post = gateway.requests
    assert lookup.url.path == f"{ROOT}/API_OUTBOUND_DELIVERY_SRV/A_OutbDeliveryItem"
    assert lookup.url.params["$filter"] == "ReferenceSDDocument eq '0000004711'"
    assert lookup.url.params["$select"] == "DeliveryDocument,DeliveryDocumentItemText"
    assert items.url.params["$select"] == "SalesOrderItem,Material"
    assert fetch.url.path == f"{ROOT}/API_OUTBOUND_DELIVERY_SRV/"
    assert post.url.path == f"{ROOT}/API_OUTBOUND_DELIVERY_SRV/A_OutbDeliveryHeader"
    marker = delivery_marker("wf-1/dlv-1")
    assert len(marker) == 40
    assert body(post) == {
        "DeliveryDocumentType": "LF",
        "ShippingPoint": "W1",
        "SalesOrganization": "1710",
        "SoldToParty": "1000001",
        "ShipToParty": "1000001",
        "DeliveryDate": "/Date(1795132800000)/",  # TODAY, 2026-11-20 UTC
        "to_DeliveryDocumentItem": [
            {
                "DeliveryDocumentItem": "000010",
                "Material": "TG11",
                "DeliveryDocumentItemText": marker,
                "ActualDeliveredQtyInOrderQtyUnit": "3",
                "OrderQuantityUnit": "PC",
                "ReferenceSDDocument": "0000004711",
                "ReferenceSDDocumentItem": "000010",
            },
            {
                "DeliveryDocumentItem": "000020",
                "Material": "TG12",
                "DeliveryDocumentItemText": marker,
                "ActualDeliveredQtyInOrderQtyUnit": "1.5",
                "OrderQuantityUnit": "PC",
                "ReferenceSDDocument": "0000004711",
                "ReferenceSDDocumentItem": "000020",
            },
        ],
    }
    assert TODAY.isoformat() == "2026-11-20"  # what the DeliveryDate above says


async def test_delivery_found_by_its_marker_is_not_created_again(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on(
        "GET",
        r"/A_OutbDeliveryItem$",
        results(
            {"DeliveryDocument": "0080000007", "DeliveryDocumentItemText": "ordermesh:other"},
            {
                "DeliveryDocument": "0080000009",
                "DeliveryDocumentItemText": delivery_marker("wf-1/dlv-1"),
            },
        ),
    )
    ref = await adapter.create_outbound_delivery(delivery())
    assert (ref.delivery_document, ref.created) == ("0080000009", False)
    assert len(gateway.requests) == 1 and gateway.fetches == 0


@pytest.mark.parametrize(
    ("warehouse", "mapped", "expected"),
    [
        ("W1", {}, "W1"),
        ("1720", {}, "1720"),
        ("BERLIN-01", {}, "1710"),  # does not fit SAP's four characters: the default
        ("", {}, "1710"),
        ("BERLIN-01", {"BERLIN-01": "1720"}, "1720"),
        ("W1", {"W1": "1730"}, "1730"),
    ],
)
async def test_shipping_point_from_the_warehouse(
    gateway: Gateway, warehouse: str, mapped: dict[str, str], expected: str
) -> None:
    gateway.on("GET", r"/A_OutbDeliveryItem$", results())
    gateway.on("GET", r"/to_Item$", TWO_ITEMS)
    gateway.on("POST", r"/A_OutbDeliveryHeader$", httpx.Response(201, json={"d": {"X": 1}}))
    settings = SapSettings(base_url=BASE, shipping_points=mapped)
    client = httpx.AsyncClient(transport=httpx.MockTransport(gateway), base_url=BASE)
    async with SapErpAdapter(client, settings) as sap:
        # a created delivery without a number: transient, a retry finds it by marker
        with pytest.raises(TransientError, match="sent no number"):
            await sap.create_outbound_delivery(delivery(warehouse=warehouse))
    [post] = gateway.sent("POST")
    assert body(post)["ShippingPoint"] == expected


@pytest.mark.parametrize(
    ("order_answer", "message"),
    [
        (sap_error(404, "No entity with key SalesOrder='0000004711'"), "does not exist"),
        (order_items(("000010", "TG11", "5", "475")), "has no item 000020"),
        (
            order_items(("000010", "TG11", "5", "475"), ("000020", "TG99", "2", "1")),
            "is material TG99, not TG12",
        ),
    ],
)
async def test_delivery_for_what_the_order_lacks_is_refused_before_posting(
    gateway: Gateway, adapter: SapErpAdapter, order_answer: httpx.Response, message: str
) -> None:
    gateway.on("GET", r"/A_OutbDeliveryItem$", results())
    gateway.on("GET", r"/to_Item$", order_answer)
    with pytest.raises(RejectionError, match=message) as caught:
        await adapter.create_outbound_delivery(delivery())
    assert caught.value.code == "ERP_REJECTED"
    assert gateway.sent("POST") == []


async def test_invalid_delivery_is_refused_before_anything_is_sent(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    zero = delivery().items[0].model_copy(update={"quantity": Decimal(0)})
    for request in (
        delivery().model_copy(update={"items": []}),
        delivery().model_copy(update={"items": [zero]}),
        delivery().model_copy(update={"sales_order": " "}),
    ):
        with pytest.raises(RejectionError) as caught:
            await adapter.create_outbound_delivery(request)
        assert caught.value.code == "ERP_INVALID_REQUEST"
    assert gateway.requests == []


# -- cutting items ---------------------------------------------------------------------


def cut(line_no: int, keep: str, net: str = "0") -> ItemReduction:
    return ItemReduction(line_no=line_no, keep_quantity=Decimal(keep), keep_net_amount=Decimal(net))


def texts(*rows: tuple[str, str]) -> httpx.Response:
    """`to_Text` of sales order 4711: (LongTextID, LongText) rows in English."""
    return results(
        *(
            {"SalesOrder": SO_NUMBER, "Language": "EN", "LongTextID": i, "LongText": t}
            for i, t in rows
        )
    )


def text_created(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json={"d": {"SalesOrder": SO_NUMBER, **body(request)}})


def test_markers_and_text_ids() -> None:
    assert reduction_marker(10, Decimal(0)) == "ordermesh:item 000010 rejected"
    assert reduction_marker(20, Decimal("3.000")) == "ordermesh:item 000020 cut to 3"
    assert reduction_marker(20, Decimal("30")) == "ordermesh:item 000020 cut to 30"
    assert reduction_text(10, Decimal(0), " late ") == "ordermesh:item 000010 rejected: late"
    assert text_id_for(10) == "R010"
    assert text_id_for(123_456) == "R456"
    assert text_id_for(1010, {"R010", "R011"}) == "R012"
    assert text_id_for(990, {f"R{n:03d}" for n in range(990, 1000)}) == "R000"
    with pytest.raises(RejectionError, match="no free text ID"):
        text_id_for(10, {f"R{n:03d}" for n in range(1000)})


async def test_reject_and_reduce_send_text_first_then_the_change(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", r"/to_Item$", TWO_ITEMS)
    gateway.on("GET", r"/to_Text$", texts(("0001", "ordermesh:wf-1/so")))
    gateway.on("POST", r"/to_Text$", text_created)
    gateway.on("PATCH", ITEM_10, httpx.Response(204))
    gateway.on("DELETE", ITEM_20, httpx.Response(204))

    await adapter.reject_items("4711", [cut(10, "3", "285.00"), cut(20, "0")], "window passed")

    sent = [(r.method, r.url.path.rsplit("/", 1)[-1]) for r in gateway.requests]
    assert sent == [
        ("GET", "to_Item"),
        ("GET", "to_Text"),
        ("GET", ""),  # CSRF token
        ("POST", "to_Text"),
        ("PATCH", "A_SalesOrderItem(SalesOrder='0000004711',SalesOrderItem='000010')"),
        ("POST", "to_Text"),
        ("DELETE", "A_SalesOrderItem(SalesOrder='0000004711',SalesOrderItem='000020')"),
    ]
    read_items = gateway.requests[0]
    assert read_items.url.path == f"{ROOT}/API_SALES_ORDER_SRV/A_SalesOrder('0000004711')/to_Item"
    text_10, text_20 = gateway.sent("POST")
    assert body(text_10) == {
        "Language": "EN",
        "LongTextID": "R010",
        "LongText": "ordermesh:item 000010 cut to 3: window passed",
    }
    assert body(text_20) == {
        "Language": "EN",
        "LongTextID": "R020",
        "LongText": "ordermesh:item 000020 rejected: window passed",
    }
    [patch] = gateway.sent("PATCH")
    assert body(patch) == {"RequestedQuantity": "3", "NetAmount": "285.00"}
    assert patch.headers["If-Match"] == "*" and patch.headers["X-CSRF-Token"] == "tok-1"
    [delete] = gateway.sent("DELETE")
    assert delete.headers["If-Match"] == "*"


async def test_a_repeat_changes_nothing_and_a_gone_item_is_done(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    # item 10 is already at 3 and item 20 is gone: nothing to write at all
    gateway.on("GET", r"/to_Item$", order_items(("000010", "TG11", "3.000", "285.000")))
    await adapter.reject_items("4711", [cut(10, "3", "285"), cut(20, "0")], "again")
    assert [r.method for r in gateway.requests] == ["GET"]

    # a crash after the text was written and before the delete: the retry deletes,
    # and a 404 (someone else was quicker) is done too
    gateway.requests.clear()
    gateway.on("GET", r"/to_Item$", TWO_ITEMS)
    gateway.on("GET", r"/to_Text$", texts(("R020", "ordermesh:item 000020 rejected: first")))
    gateway.on("DELETE", ITEM_20, sap_error(404, "No entity with key"))
    await adapter.reject_items("4711", [cut(20, "0")], "second try")
    assert [r.method for r in gateway.requests if r.headers.get("X-CSRF-Token") != "Fetch"] == [
        "GET",
        "GET",
        "DELETE",
    ]


async def test_a_taken_text_id_moves_to_the_next_free_one(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on(
        "GET",
        r"/to_Item$",
        order_items(("000010", "TG11", "5", "475"), ("001010", "TG12", "2", "200")),
    )
    gateway.on("GET", r"/to_Text$", texts(("R010", "ordermesh:item 000010 rejected: earlier")))
    gateway.on("POST", r"/to_Text$", text_created)
    gateway.on("DELETE", r"/A_SalesOrderItem\(", httpx.Response(204))
    await adapter.reject_items("4711", [cut(1010, "0")], "window passed")
    [post] = gateway.sent("POST")
    assert body(post)["LongTextID"] == "R011"


async def test_a_conflict_on_the_text_is_fine_when_it_is_ours(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    ours = ("R010", "ordermesh:item 000010 rejected: concurrent attempt")
    gateway.on("GET", r"/to_Item$", TWO_ITEMS)
    gateway.on("GET", r"/to_Text$", texts(), texts(ours))
    gateway.on("POST", r"/to_Text$", sap_error(409, "An entity with the same key already exists"))
    gateway.on("DELETE", ITEM_10, httpx.Response(204))
    await adapter.reject_items("4711", [cut(10, "0")], "window passed")
    assert len(gateway.sent("DELETE")) == 1


async def test_a_conflict_on_the_text_with_another_text_is_transient(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", r"/to_Item$", TWO_ITEMS)
    gateway.on("GET", r"/to_Text$", texts(), texts(("R010", "someone else's note")))
    gateway.on("POST", r"/to_Text$", sap_error(409, "An entity with the same key already exists"))
    with pytest.raises(TransientError, match="R010 was taken"):
        await adapter.reject_items("4711", [cut(10, "0")], "window passed")
    assert gateway.sent("DELETE") == []


async def test_cuts_are_checked_against_the_order_before_anything_changes(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    gateway.on("GET", r"/to_Item$", TWO_ITEMS)
    with pytest.raises(NotFoundError, match="no item 000030"):
        await adapter.reject_items("4711", [cut(10, "0"), cut(30, "1")], "x")
    gateway.on("GET", r"/to_Item$", sap_error(404, "No entity with key SalesOrder='0000004711'"))
    with pytest.raises(NotFoundError):
        await adapter.reject_items("4711", [cut(10, "0")], "x")
    assert {r.method for r in gateway.requests} == {"GET"}


@pytest.mark.parametrize(
    ("sales_order", "reductions", "reason"),
    [
        ("4711", [], "x"),
        ("4711", [cut(10, "0")], "  "),
        ("4711", [cut(10, "0"), cut(10, "1")], "x"),
        ("4711", [cut(0, "0")], "x"),
        ("4711", [cut(1_000_000, "0")], "x"),
        ("4711", [cut(10, "-1")], "x"),
        ("4711", [cut(10, "1", "-0.01")], "x"),
        ("", [cut(10, "0")], "x"),
    ],
)
async def test_invalid_cuts_are_refused_before_anything_is_sent(
    gateway: Gateway,
    adapter: SapErpAdapter,
    sales_order: str,
    reductions: list[ItemReduction],
    reason: str,
) -> None:
    with pytest.raises(RejectionError) as caught:
        await adapter.reject_items(sales_order, reductions, reason)
    assert caught.value.code == "ERP_INVALID_REQUEST"
    assert gateway.requests == []


@pytest.fixture
async def german(gateway: Gateway) -> AsyncIterator[SapErpAdapter]:
    client = httpx.AsyncClient(transport=httpx.MockTransport(gateway), base_url=BASE)
    async with SapErpAdapter(client, SapSettings(base_url=BASE, language="DE")) as sap:
        yield sap


async def test_text_ids_are_per_language(gateway: Gateway, german: SapErpAdapter) -> None:
    gateway.on("GET", r"/to_Item$", TWO_ITEMS)
    gateway.on("GET", r"/to_Text$", texts(("R010", "an English note")))  # EN, not DE
    gateway.on("POST", r"/to_Text$", text_created)
    gateway.on("DELETE", ITEM_10, httpx.Response(204))
    await german.reject_items("4711", [cut(10, "0")], "Lieferfenster abgelaufen")
    [post] = gateway.sent("POST")
    assert (body(post)["Language"], body(post)["LongTextID"]) == ("DE", "R010")
