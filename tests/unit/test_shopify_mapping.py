"""Shopify orders into the canonical submission: the corpus, then constructed cases.

Every file in `../shared/corpus/shopify/` either maps or is refused with a precise
reason, never a crash. The corpus's orders are documentation examples and test
fixtures with defects of their own (a cancelled order whose discount is on no line; an
order whose lines do not add up to its item total): they are refused for exactly that,
and copies with the defect fixed map. The corpus SKUs are not the ERP's, so these tests
check the mapping only.
"""

import copy
import hashlib
import hmac
import json
import re
from base64 import b64encode
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from canonical.address import Address
from canonical.channels.shopify import MappedOrder, RefusedOrder, to_submission
from canonical.channels.shopify_payload import NotAnOrder, RefusalCode, ShopifyOrder, parse_order
from canonical.channels.shopify_webhook import StoreCustomerTable, order_id_for, sign, verify
from canonical.money import Money
from canonical.orders import Channel, SubmittedLine
from canonical.quantities import UnitOfMeasure

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "shopify"
CUSTOMER = "1000001"


def corpus_payload(name: str) -> Any:
    """A corpus file's payload: the webhook-meta files wrap it under `.response`
    (SOURCES.md); the others are as the source published them."""
    document = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    return document["response"] if name.startswith("webhook-meta_") else document


def mapped(payload: Any, customer_id: str = CUSTOMER) -> MappedOrder:
    result = to_submission(parse_order(payload), customer_id)
    assert isinstance(result, MappedOrder), result
    return result


def refused(payload: Any) -> RefusedOrder:
    result = to_submission(parse_order(payload), CUSTOMER)
    assert isinstance(result, RefusedOrder), result
    return result


def not_an_order(payload: Any) -> NotAnOrder:
    with pytest.raises(NotAnOrder) as caught:
        parse_order(payload)
    return caught.value


def money(amount: str, currency: str = "EUR") -> Money:
    return Money(amount=Decimal(amount), currency=currency)


# -- the corpus ------------------------------------------------------------------------

ORDERS_CREATE = "webhook-meta_orders-create_2026-04_docs-example_5lines.json"
REST_1001 = "rest_order_1001_3lines_wrapped.json"
REFUND = "webhook-meta_refunds-create_2026-04_docs-example.json"
RETURN = "webhook-meta_returns-request_2026-04_docs-example.json"
FULFILLMENT_ORDERS = "rest_fulfillment_orders_split-by-service.json"


def test_every_corpus_file_is_covered_here() -> None:
    """A file added to the corpus needs a decision below."""
    assert {p.name for p in CORPUS.iterdir()} == {
        ORDERS_CREATE,
        REST_1001,
        REFUND,
        RETURN,
        FULFILLMENT_ORDERS,
    }


def test_the_documented_orders_create_example_is_refused_for_its_defects() -> None:
    """Shopify's documented example was cancelled, and its total_discounts (20.00) is
    allocated to no line: no net price could be right."""
    result = refused(corpus_payload(ORDERS_CREATE))

    assert result.store_order == "#9999"
    assert [(r.code, r.field) for r in result.refusals] == [
        (RefusalCode.CANCELLED, "cancelled_at"),
        (RefusalCode.TOTALS_DISAGREE, "total_discounts"),
    ]
    assert "cancelled at 2021-12-31T19:00:00-05:00 (customer)" in result.refusals[0].message
    assert "total_discounts is 20.00 but the line items carry 0.00" in result.refusals[1].message
    assert result.detail.startswith("store order #9999 refused: the store order was cancelled")


def test_the_documented_example_maps_once_its_defects_are_fixed() -> None:
    payload = copy.deepcopy(corpus_payload(ORDERS_CREATE))
    payload["cancelled_at"] = None
    # The 20.00 discount, allocated to the lounger as Shopify allocates order discounts.
    payload["line_items"][3]["discount_allocations"] = [{"amount": "20.00"}]

    result = mapped(payload)

    submission = result.submission
    assert submission.channel is Channel.STORE
    assert submission.customer_id == CUSTOMER
    assert submission.customer_po == "#9999"
    assert submission.currency == "USD"
    assert submission.order_id is None  # the route derives it from the shop
    assert submission.lines == [
        SubmittedLine(sku="SKU2006-001", quantity=Decimal(1), unit_price=Decimal("89.99")),
        SubmittedLine(sku="LENS-PROTECT-2YR", quantity=Decimal(1), unit_price=Decimal("19.99")),
        SubmittedLine(sku="CASE-LEATHER-PREM", quantity=Decimal(1), unit_price=Decimal("24.99")),
        SubmittedLine(sku="SKU2006-020", quantity=Decimal(1), unit_price=Decimal("139.99")),
        SubmittedLine(sku="SKU2006-035", quantity=Decimal(1), unit_price=Decimal("119.99")),
    ]
    assert all(line.uom is UnitOfMeasure.PC for line in submission.lines)
    assert submission.ship_to == Address(
        name="Steve Shipper, Shipping Company",
        street="123 Shipping Street",
        city="Shippington",
        postal_code="40003",
        country="US",
        region="KY",
    )
    assert result.goods_net == money("394.95", "USD")  # 414.95 less the 20.00
    assert result.discount_total == money("20.00", "USD")
    assert result.shipping_total == money("10.00", "USD")
    assert result.tax_total == money("0.00", "USD")
    assert result.store_total == money("404.95", "USD")
    assert (result.financial_status, result.tags, result.test) == ("voided", ("tag1", "tag2"), True)
    # The numeric ids were rounded by JavaScript (…500, …950); the GraphQL ids were not.
    assert result.store_order_id == "820982911946154508"
    order = parse_order(payload)
    assert order.store_customer_id == "115310627314723954"
    assert order.buyer_email == "john@example.com"


def test_the_rest_order_is_refused_as_wrapped_and_for_its_item_total() -> None:
    document = corpus_payload(REST_1001)

    wrapped = not_an_order(document)
    (reason,) = wrapped.refusals
    assert (reason.code, reason.field) == (RefusalCode.NOT_AN_ORDER, "line_items")
    assert 'wrapped in {"order": ...}' in reason.message

    # Unwrapped: its three lines at 199.00 come to 597.00, not its 398.00.
    result = refused(document["order"])
    assert result.store_order == "#1001"
    ((code, field, message),) = [(r.code, r.field, r.message) for r in result.refusals]
    assert (code, field) == (RefusalCode.TOTALS_DISAGREE, "total_line_items_price")
    assert message == (
        "total_line_items_price is 398.00 but the line items' prices x quantities come to 597.00"
    )


def test_the_rest_order_maps_once_its_item_total_is_fixed() -> None:
    payload = copy.deepcopy(corpus_payload(REST_1001)["order"])
    payload["total_line_items_price"] = "597.00"

    result = mapped(payload)

    assert [(line.sku, line.quantity, line.unit_price) for line in result.submission.lines] == [
        ("IPOD2008GREEN", Decimal(1), Decimal("199.00")),
        ("IPOD2008RED", Decimal(1), Decimal("199.00")),
        ("IPOD2008BLACK", Decimal(1), Decimal("199.00")),
    ]
    assert result.submission.customer_po == "#1001"
    assert result.submission.ship_to == Address(
        name="Bob Norman",
        street="Chestnut Street 92",
        city="Louisville",
        postal_code="40202",
        country="US",
        region="KY",
    )
    # Tax is information: the ERP computes its own; it is no line.
    assert result.tax_total == money("11.94", "USD")
    assert result.shipping_total == money("0.00", "USD")
    assert result.store_order_id == "450789469"
    assert parse_order(payload).store_customer_id == "207119551"


@pytest.mark.parametrize(
    ("name", "says"),
    [
        (REFUND, "not an order: this is a refund (refunds/create) of order 820982911946154500"),
        (RETURN, "not an order: this is a return (returns/request) of order 4783296544821"),
        (
            FULFILLMENT_ORDERS,
            "not an order: the body is a JSON array of 2 items, each a fulfillment order",
        ),
    ],
)
def test_refunds_returns_and_fulfillment_orders_are_not_orders(name: str, says: str) -> None:
    refusal = not_an_order(corpus_payload(name))

    (reason,) = refusal.refusals
    assert reason.code is RefusalCode.NOT_AN_ORDER
    assert reason.message.startswith(says), reason.message


# -- constructed orders ----------------------------------------------------------------


def line(sku: str | None = "TG11", quantity: Any = 1, price: Any = "10.00", **more: Any) -> Any:
    return {
        "id": 1000 + quantity if isinstance(quantity, int) else 1000,
        "sku": sku,
        "name": f"Item {sku}",
        "quantity": quantity,
        "price": price,
        "total_discount": "0.00",
        "discount_allocations": [],
        "tax_lines": [],
        "gift_card": False,
        "requires_shipping": True,
        **more,
    }


def order(*lines: Any, **changes: Any) -> dict[str, Any]:
    """A webhook order, EUR, shipping to Berlin, with Shopify's extra fields."""
    body: dict[str, Any] = {
        "id": 5551234567890,
        "admin_graphql_api_id": "gid://shopify/Order/5551234567890",
        "name": "#1042",
        "email": "Einkauf@Becker.example",
        "currency": "EUR",
        "financial_status": "paid",
        "line_items": list(lines) or [line()],
        "shipping_lines": [{"title": "DHL", "price": "4.90", "discount_allocations": []}],
        "shipping_address": {
            "first_name": "Anna",
            "last_name": "Becker",
            "company": "Becker Berlin",
            "address1": "Unter den Linden 1",
            "address2": "3. OG",
            "city": "Berlin",
            "zip": "10117",
            "province": None,
            "province_code": None,
            "country": "Germany",
            "country_code": "DE",
        },
        "customer": {"id": 777, "email": "anna@becker.example"},
        "tax_lines": [],
        "total_tax": "0.00",
        "note": "Hintereingang",
        "tags": "b2b, wholesale",
        "client_details": {"user_agent": "an extra field nobody maps"},
    }
    body.update(changes)
    return body


def test_a_plain_order_maps_to_the_canonical_submission() -> None:
    result = mapped(order(line("TG11", 5, "95.00"), line("TG12", 2, "120.5")))

    submission = result.submission
    assert submission.lines == [
        SubmittedLine(sku="TG11", quantity=Decimal(5), unit_price=Decimal("95.00")),
        SubmittedLine(sku="TG12", quantity=Decimal(2), unit_price=Decimal("120.50")),
    ]
    assert submission.channel is Channel.STORE and submission.currency == "EUR"
    assert submission.customer_po == "#1042"
    assert submission.ship_to == Address(
        name="Anna Becker, Becker Berlin",
        street="Unter den Linden 1, 3. OG",
        city="Berlin",
        postal_code="10117",
        country="DE",
    )
    assert result.goods_net == money("716.00")
    assert result.shipping_total == money("4.90")
    assert (result.note, result.tags) == ("Hintereingang", ("b2b", "wholesale"))


@pytest.mark.parametrize(
    ("price", "unit_price"),
    [("19.99", "19.99"), ("19.9", "19.90"), (19.9, "19.90"), (20, "20.00"), ("1E+1", "10.00")],
)
def test_prices_as_strings_or_numbers_are_exact(price: Any, unit_price: str) -> None:
    result = mapped(order(line(price=price)))

    assert result.submission.lines[0].unit_price == Decimal(unit_price)


def test_discount_allocations_come_off_the_unit_price_rounded_half_up() -> None:
    result = mapped(
        order(
            # 3 x 10.00 less 5.00: 25.00 / 3 = 8.333...
            line("TG11", 3, "10.00", discount_allocations=[{"amount": "5.00"}]),
            # 2 x 10.00 less 0.01: 19.99 / 2 = 9.995, half up to 10.00
            line("TG12", 2, "10.00", discount_allocations=[{"amount": "0.01"}]),
            # Two allocations (a code and an automatic discount), 4 x 25.00 less 12.00.
            line(
                "TG13",
                4,
                "25.00",
                discount_allocations=[{"amount": "10.00"}, {"amount": "2.00"}],
                total_discount="12.00",
            ),
            total_discounts="17.01",
        )
    )

    assert [line.unit_price for line in result.submission.lines] == [
        Decimal("8.33"),
        Decimal("10.00"),
        Decimal("22.00"),
    ]
    assert result.discount_total == money("17.01")
    assert result.goods_net == money("132.99")  # 24.99 + 20.00 + 88.00


def test_an_older_payload_without_allocations_uses_total_discount() -> None:
    result = mapped(order(line("TG11", 2, "50.00", total_discount="10.00")))

    assert result.submission.lines[0].unit_price == Decimal("45.00")


def test_a_discount_on_no_line_is_refused() -> None:
    result = refused(order(line(), total_discounts="5.00"))

    ((code, field),) = [(r.code, r.field) for r in result.refusals]
    assert (code, field) == (RefusalCode.TOTALS_DISAGREE, "total_discounts")


def test_shipping_discounts_count_in_total_discounts_or_not() -> None:
    shipping = [{"title": "DHL", "price": "4.90", "discount_allocations": [{"amount": "4.90"}]}]
    for total in ("2.00", "6.90"):
        body = order(
            line("TG11", 1, "10.00", discount_allocations=[{"amount": "2.00"}]),
            shipping_lines=shipping,
            total_discounts=total,
        )
        result = mapped(body)
        assert result.shipping_total == money("0.00")
        assert result.discount_total == money("2.00")


def test_prices_that_include_tax_are_taken_net() -> None:
    result = mapped(
        order(
            line(
                "TG11", 2, "119.00", tax_lines=[{"price": "38.00", "rate": 0.19, "title": "MwSt"}]
            ),
            taxes_included=True,
            total_tax="38.00",
        )
    )

    assert result.submission.lines[0].unit_price == Decimal("100.00")
    assert result.tax_total == money("38.00")
    assert result.taxes_included


def test_prices_that_include_an_unknown_tax_are_refused() -> None:
    result = refused(order(line("TG11", 1, "119.00"), taxes_included=True, total_tax="19.00"))

    assert [r.code for r in result.refusals] == [RefusalCode.TAX_UNKNOWN]


def test_the_order_tax_is_information_not_a_line() -> None:
    result = mapped(order(line(), total_tax=None, tax_lines=[{"price": "1.90"}, {"price": "0.10"}]))

    assert result.tax_total == money("2.00")
    assert len(result.submission.lines) == 1


@pytest.mark.parametrize("sku", [None, "", "   "])
def test_a_line_without_a_sku_is_refused_by_name(sku: str | None) -> None:
    result = refused(order(line("TG11", 1), line(sku, 2)))

    (reason,) = result.refusals
    assert (reason.code, reason.field, reason.line_item_id) == (
        RefusalCode.NO_SKU,
        "line_items[1].sku",
        "1002",
    )
    assert (
        reason.message
        == f"line_items[1] 'Item {sku}' (id 1002) has no SKU; the ERP knows items by SKU"
    )


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"gift_card": True, "requires_shipping": False}, RefusalCode.GIFT_CARD, "gift_card"),
        ({"requires_shipping": False}, RefusalCode.NOT_SHIPPABLE, "requires_shipping"),
        ({"quantity": 0}, RefusalCode.INVALID_QUANTITY, "quantity"),
        ({"quantity": -2}, RefusalCode.INVALID_QUANTITY, "quantity"),
        ({"sku": "X" * 41}, RefusalCode.INVALID_SKU, "sku"),
        (
            {"discount_allocations": [{"amount": "10.01"}]},
            RefusalCode.INVALID_PRICE,
            "discount_allocations",
        ),
    ],
)
def test_a_line_that_cannot_map_is_refused_naming_it(
    changes: dict[str, Any], code: RefusalCode, field: str
) -> None:
    result = refused(order(line("TG11"), line(**{"sku": "TG12", **changes}), total_discounts=None))

    (reason,) = result.refusals
    assert (reason.code, reason.field) == (code, f"line_items[1].{field}")
    assert reason.message.startswith("line_items[1] 'Item ")


def test_every_reason_is_given_at_once() -> None:
    result = refused(
        order(
            line(None, 1),
            line("TG12", 0),
            line("GC", 1, gift_card=True),
            cancelled_at="2026-01-02T10:00:00+01:00",
            shipping_address=None,
        )
    )

    assert [(r.code, r.field) for r in result.refusals] == [
        (RefusalCode.CANCELLED, "cancelled_at"),
        (RefusalCode.NO_SKU, "line_items[0].sku"),
        (RefusalCode.INVALID_QUANTITY, "line_items[1].quantity"),
        (RefusalCode.GIFT_CARD, "line_items[2].gift_card"),
        (RefusalCode.NO_SHIPPING_ADDRESS, "shipping_address"),
    ]


def test_no_line_items_is_refused() -> None:
    result = refused(order(line_items=[]))

    assert [r.code for r in result.refusals] == [RefusalCode.NO_LINES]


@pytest.mark.parametrize(
    ("address", "field", "says"),
    [
        ({"country_code": None}, "shipping_address.country_code", "is missing"),
        ({"country_code": "DEU"}, "shipping_address.country_code", "'DEU' is not an ISO 3166-1"),
        ({"address1": " ", "address2": None}, "shipping_address.address1", "is missing"),
        ({"city": None}, "shipping_address.city", "is missing"),
        (
            {"first_name": None, "last_name": None, "company": None},
            "shipping_address.name",
            "is missing",
        ),
    ],
)
def test_an_incomplete_shipping_address_is_refused(
    address: dict[str, Any], field: str, says: str
) -> None:
    body = order()
    body["shipping_address"] = {**body["shipping_address"], **address}

    (reason,) = refused(body).refusals

    assert (reason.code, reason.field) == (RefusalCode.INVALID_SHIPPING_ADDRESS, field)
    assert says in reason.message


def test_the_country_code_is_taken_upper_case_and_a_company_alone_names_it() -> None:
    body = order()
    body["shipping_address"] = {
        **body["shipping_address"],
        "country_code": "de",
        "first_name": None,
        "last_name": None,
        "province_code": "BE",
    }

    ship_to = mapped(body).submission.ship_to

    assert (ship_to.name, ship_to.country, ship_to.region) == ("Becker Berlin", "DE", "BE")


@pytest.mark.parametrize(
    ("changes", "po"),
    [({"name": None}, "5551234567890"), ({"name": "#" + "9" * 40}, "5551234567890")],
)
def test_the_customer_po_falls_back_to_the_store_order_id(changes: dict[str, Any], po: str) -> None:
    assert mapped(order(**changes)).submission.customer_po == po


@pytest.mark.parametrize(
    ("payload", "field", "says"),
    [
        ([order()], "body", "not an order: the body is a JSON array of 1 items, not an order"),
        ("an order", "body", "not an order: the body is a JSON string"),
        ({"id": 1, "currency": "EUR"}, "line_items", "not an order: it has no line_items"),
        (order(line(price="abc")), "line_items[0].price", "line_items[0].price: Input should be"),
        (order(line(price="-1.00")), "line_items[0].price", "greater than or equal to 0"),
        (order(line(quantity=1.5)), "line_items[0].quantity", "fractional part"),
        (order(currency="eur"), "currency", "currency: String should match"),
        (order(id=None), "id", "id: Input should be a valid string"),
        (order(line_items="TG11"), "line_items", "line_items: Input should be a valid list"),
    ],
)
def test_a_body_that_is_not_an_order_names_the_field(payload: Any, field: str, says: str) -> None:
    refusal = not_an_order(payload)

    assert refusal.refusals[0].field == field
    assert says in refusal.refusals[0].message, refusal.refusals[0].message


@pytest.mark.parametrize(
    "payload",
    [
        order(line(quantity=10**30)),
        order(line(quantity=10**4000, price="99999999999.99")),
        order(*(line(f"S{i}", 9_999_999_999, "99999999999.99") for i in range(3))),
        order(line(price="999999999999.99")),
        order(*[line(f"S{i}") for i in range(501)]),
    ],
)
def test_orders_beyond_any_limit_are_refused_never_raised(payload: Any) -> None:
    try:
        parsed = parse_order(payload)
    except NotAnOrder:
        return
    assert isinstance(to_submission(parsed, CUSTOMER), RefusedOrder)


def test_a_quantity_no_order_line_holds_is_refused_not_raised() -> None:
    result = refused(order(line(quantity=10**12, price="0.01"), total_line_items_price=None))

    (reason,) = result.refusals
    assert (reason.code, reason.field) == (RefusalCode.INVALID_QUANTITY, "line_items[0].quantity")
    assert "cannot be an order line: quantity" in reason.message


def test_nulls_where_shopify_may_send_them() -> None:
    result = mapped(
        order(
            line(
                "TG11", 1, "10.00", discount_allocations=None, tax_lines=None, total_discount=None
            ),
            shipping_lines=None,
            tax_lines=None,
            customer=None,
            tags=None,
            note=None,
        )
    )

    assert result.shipping_total == money("0.00")
    assert (result.tags, result.note) == ((), "")
    parsed = parse_order(order(customer=None))
    assert parsed.store_customer_id is None
    assert parsed.buyer_email == "Einkauf@Becker.example"


# -- identity, signature, customers ----------------------------------------------------


def test_the_order_id_is_one_per_shop_and_store_order() -> None:
    one = order_id_for("ordermesh-demo.myshopify.com", "5551234567890")

    assert re.fullmatch(r"SHOP-[0-9A-F]{16}", one)
    assert order_id_for(" Ordermesh-Demo.myshopify.com", "5551234567890") == one
    assert order_id_for("other.myshopify.com", "5551234567890") != one
    assert order_id_for("ordermesh-demo.myshopify.com", "5551234567891") != one


def test_the_numeric_id_serves_when_there_is_no_graphql_id() -> None:
    parsed: ShopifyOrder = parse_order(order(admin_graphql_api_id=None, id=42))

    assert parsed.order_id == "42"


def test_the_signature_is_base64_hmac_sha256_of_the_raw_body() -> None:
    body = json.dumps(order()).encode()
    expected = b64encode(hmac.new(b"s3cret", body, hashlib.sha256).digest()).decode()

    assert sign("s3cret", body) == expected
    assert verify("s3cret", body, expected)
    assert verify("s3cret", body, f" {expected}\n")
    assert not verify("other", body, expected)
    assert not verify("s3cret", body + b" ", expected)
    assert not verify("s3cret", body, hmac.new(b"s3cret", body, hashlib.sha256).hexdigest())
    assert not verify("s3cret", body, None)
    assert not verify("s3cret", body, "")
    assert not verify("s3cret", body, "é" + expected[1:])


def test_a_store_customer_table_maps_by_id_then_email_then_default() -> None:
    table = StoreCustomerTable(
        default="1000001", customers={"777": "1000002", "Anna@Becker.example": "1000003"}
    )

    assert table.customer_for("777", "anna@becker.example") == "1000002"
    assert table.customer_for("778", "ANNA@becker.example") == "1000003"
    assert table.customer_for("778", None) == "1000001"
    assert StoreCustomerTable(customers={"777": "1000002"}).customer_for("778", "x@y") is None
    assert StoreCustomerTable().customer_for(None, None) is None
