"""POST /orders with a malformed body or no idempotency: a 4xx naming the problem.

Never a 500, and nothing starts: no order to read, no ERP call, no reservation.
"""

import json
from typing import Any

import pytest

from api.order_gateway import derived_order_id
from tests.api.support import ApiHarness, new_key, order_body


async def assert_nothing_started(api: ApiHarness, key: str) -> None:
    """No order under the key's id, and the outside systems were never asked."""
    order_id = derived_order_id("1000001", key)
    assert (await api.http.get(f"/orders/{order_id}")).status_code == 404
    assert api.stack.erp.calls == []
    assert api.stack.wms.calls == []
    assert api.stack.wms.reservations == {}


def _line(**changes: Any) -> dict[str, Any]:
    return {"sku": "TG11", "quantity": 5, "uom": "PC", **changes}


def _without(field: str) -> dict[str, Any]:
    body = order_body()
    del body[field]
    return body


# (body, where the error is, the pydantic error type)
MALFORMED: dict[str, tuple[object, list[str | int], str]] = {
    "json array": ([order_body()], ["body"], "model_attributes_type"),
    "missing lines": (_without("lines"), ["body", "lines"], "missing"),
    "empty lines": (order_body(lines=[]), ["body", "lines"], "too_short"),
    "negative quantity": (
        order_body(lines=[_line(quantity=-1)]),
        ["body", "lines", 0, "quantity"],
        "greater_than",
    ),
    "zero quantity": (
        order_body(lines=[_line(quantity="0")]),
        ["body", "lines", 0, "quantity"],
        "greater_than",
    ),
    "unknown unit": (order_body(lines=[_line(uom="BOXES")]), ["body", "lines", 0, "uom"], "enum"),
    "unknown field": (order_body(gift_wrap=True), ["body", "gift_wrap"], "extra_forbidden"),
    "missing ship_to": (_without("ship_to"), ["body", "ship_to"], "missing"),
    "bad country code": (
        order_body(ship_to={"name": "B", "street": "S 1", "city": "Berlin", "country": "Germany"}),
        ["body", "ship_to", "country"],
        "string_pattern_mismatch",
    ),
    "order_id with spaces": (
        order_body(order_id="my order 1"),
        ["body", "order_id"],
        "string_pattern_mismatch",
    ),
}


@pytest.mark.parametrize(("body", "loc", "kind"), MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_malformed_body_is_refused_with_where_and_why(
    api: ApiHarness, body: object, loc: list[str | int], kind: str
) -> None:
    key = new_key()
    response = await api.http.post("/orders", json=body, headers={"Idempotency-Key": key})

    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert [(e["loc"], e["type"]) for e in errors] == [(loc, kind)]
    assert errors[0]["msg"]
    await assert_nothing_started(api, key)


async def test_a_body_that_is_not_json_is_400(api: ApiHarness) -> None:
    key = new_key()
    text = json.dumps(order_body())[:-5]  # cut off mid-document
    response = await api.http.post(
        "/orders",
        content=text,
        headers={"Idempotency-Key": key, "Content-Type": "application/json"},
    )

    assert response.status_code == 400, response.text
    assert response.json() == {"detail": "the body is not valid JSON"}
    await assert_nothing_started(api, key)


async def test_several_problems_are_named_together(api: ApiHarness) -> None:
    body = order_body(lines=[_line(quantity=0, uom="BOXES")], currency="euro")
    key = new_key()
    response = await api.http.post("/orders", json=body, headers={"Idempotency-Key": key})

    assert response.status_code == 422, response.text
    assert sorted(tuple(map(str, e["loc"])) for e in response.json()["detail"]) == [
        ("body", "currency"),
        ("body", "lines", "0", "quantity"),
        ("body", "lines", "0", "uom"),
    ]
    await assert_nothing_started(api, key)


@pytest.mark.parametrize(
    "headers", [{}, {"Idempotency-Key": ""}], ids=["no header", "empty header"]
)
async def test_no_idempotency_key_and_no_order_id_is_400(
    api: ApiHarness, headers: dict[str, str]
) -> None:
    response = await api.http.post("/orders", json=order_body(), headers=headers)

    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert "Idempotency-Key" in detail
    assert "order_id" in detail
    assert api.stack.erp.calls == []
    assert api.stack.wms.reservations == {}


async def test_an_overlong_idempotency_key_is_refused(api: ApiHarness) -> None:
    response = await api.http.post(
        "/orders", json=order_body(), headers={"Idempotency-Key": "k" * 256}
    )

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert api.stack.erp.calls == []
