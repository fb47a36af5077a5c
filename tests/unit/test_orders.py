"""Submissions: what a channel may send, and the fingerprint that tells retries apart."""

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from canonical.money import Money
from canonical.orders import Channel, OrderSubmission
from tests.unit.builders import SHIP_TO, line, order, submission


def body(**changes: Any) -> dict[str, Any]:
    """A submission as JSON-shaped data, the way the API receives it."""
    data: dict[str, Any] = {
        "customer_id": "1000001",
        "ship_to": SHIP_TO.model_dump(),
        "lines": [{"sku": "TG11", "quantity": "5", "uom": "PC"}],
    }
    data.update(changes)
    return data


def errors_of(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        OrderSubmission.model_validate(data)
    return [(tuple(error["loc"]), error["type"]) for error in caught.value.errors()]


def test_a_minimal_body_is_valid_with_defaults() -> None:
    parsed = OrderSubmission.model_validate(body())

    assert parsed.order_id is None
    assert parsed.channel is Channel.PORTAL
    assert parsed.currency == "EUR"
    assert parsed.customer_po == ""
    assert parsed.lines[0].quantity == Decimal("5")
    assert parsed.lines[0].unit_price is None


def test_extra_fields_are_forbidden_on_the_order() -> None:
    assert errors_of(body(discount="10%")) == [(("discount",), "extra_forbidden")]


def test_extra_fields_are_forbidden_on_a_line() -> None:
    data = body(lines=[{"sku": "TG11", "quantity": "5", "colour": "red"}])

    assert errors_of(data) == [(("lines", 0, "colour"), "extra_forbidden")]


def test_at_least_one_line() -> None:
    assert errors_of(body(lines=[])) == [(("lines",), "too_short")]


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_quantity_must_be_positive(quantity: str) -> None:
    data = body(lines=[{"sku": "TG11", "quantity": quantity}])

    assert errors_of(data) == [(("lines", 0, "quantity"), "greater_than")]


@pytest.mark.parametrize("uom", ["BX", "BOXES", "pc", ""])
def test_unknown_unit_is_refused(uom: str) -> None:
    data = body(lines=[{"sku": "TG11", "quantity": "1", "uom": uom}])

    assert errors_of(data) == [(("lines", 0, "uom"), "enum")]


def test_negative_unit_price_is_refused() -> None:
    data = body(lines=[{"sku": "TG11", "quantity": "1", "unit_price": "-0.01"}])

    assert errors_of(data) == [(("lines", 0, "unit_price"), "greater_than_equal")]


@pytest.mark.parametrize("order_id", ["A", "PO-4711", "abc.def_1-2", "9" + "x" * 63])
def test_order_id_pattern_accepts(order_id: str) -> None:
    assert OrderSubmission.model_validate(body(order_id=order_id)).order_id == order_id


@pytest.mark.parametrize(
    "order_id", ["", "-leading-dash", ".dot", "has space", "slash/inside", "x" * 65, "ümlaut"]
)
def test_order_id_pattern_refuses(order_id: str) -> None:
    assert errors_of(body(order_id=order_id)) == [(("order_id",), "string_pattern_mismatch")]


def test_customer_po_holds_35_characters() -> None:
    assert len(OrderSubmission.model_validate(body(customer_po="P" * 35)).customer_po) == 35
    assert errors_of(body(customer_po="P" * 36)) == [(("customer_po",), "string_too_long")]


def test_customer_po_is_stripped_before_its_length_is_checked() -> None:
    parsed = OrderSubmission.model_validate(body(customer_po="  " + "P" * 35 + "  "))

    assert parsed.customer_po == "P" * 35


def test_blank_customer_id_is_refused() -> None:
    assert errors_of(body(customer_id="   ")) == [(("customer_id",), "string_too_short")]


def test_submission_is_frozen() -> None:
    with pytest.raises(ValidationError, match="frozen"):
        submission().customer_id = "1000002"  # type: ignore[misc]


def test_fingerprint_is_stable_for_equal_bodies() -> None:
    first = OrderSubmission.model_validate(body(customer_po="PO-1"))
    again = OrderSubmission.model_validate(body(customer_po="PO-1"))

    assert first is not again
    assert first.fingerprint() == again.fingerprint()
    assert len(first.fingerprint()) == 64
    int(first.fingerprint(), 16)  # hex


@pytest.mark.parametrize(
    "changes",
    [
        {"customer_id": "1000002"},
        {"customer_po": "PO-2"},
        {"currency": "USD"},
        {"channel": "edi"},
        {"requested_date": "2030-01-31"},
        {"lines": [{"sku": "TG11", "quantity": "6"}]},
        {"lines": [{"sku": "TG12", "quantity": "5"}]},
        {"lines": [{"sku": "TG11", "quantity": "5", "unit_price": "90"}]},
        {"ship_to": {**SHIP_TO.model_dump(), "city": "Potsdam"}},
    ],
)
def test_fingerprint_differs_for_a_different_body(changes: dict[str, Any]) -> None:
    base = OrderSubmission.model_validate(body())
    changed = OrderSubmission.model_validate(body(**changes))

    assert changed.fingerprint() != base.fingerprint()


def test_fingerprint_ignores_the_order_id() -> None:
    without = OrderSubmission.model_validate(body())
    with_id = OrderSubmission.model_validate(body(order_id="ORD-1"))
    other_id = OrderSubmission.model_validate(body(order_id="ORD-2"))

    assert without.fingerprint() == with_id.fingerprint() == other_id.fingerprint()


def test_fingerprint_depends_on_line_order() -> None:
    forward = submission(line("TG11", "1"), line("TG12", "2"))
    backward = submission(line("TG12", "2"), line("TG11", "1"))

    assert forward.fingerprint() != backward.fingerprint()


def test_order_total_sums_the_line_nets() -> None:
    accepted = order("O1", ("TG11", "3", "0.475"), ("TG12", "2", "149.50"))

    assert accepted.lines[0].net.amount == Decimal("1.43")
    assert accepted.total == Money(amount=Decimal("300.43"))


def test_order_total_of_no_lines_is_zero_in_its_currency() -> None:
    assert order("O1", currency="USD").total == Money.zero("USD")
