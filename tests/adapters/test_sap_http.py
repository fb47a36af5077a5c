"""The OData plumbing on its own: how SAP's answers are classified, and literals."""

from datetime import date

import httpx
import pytest

from adapters.erp.sap_http import ConflictError, classify_response
from adapters.erp.sap_values import (
    document_number,
    edm_datetime,
    item_number,
    key_path,
    keys_path,
    odata_string,
)
from adapters.errors import NotFoundError, RejectionError, TransientError
from tests.adapters.conftest import sap_error


@pytest.mark.parametrize(
    ("status", "kind", "code"),
    [
        (400, RejectionError, "ERP_REJECTED"),
        (409, ConflictError, "ERP_REJECTED"),
        (412, RejectionError, "ERP_REJECTED"),
        (422, RejectionError, "ERP_REJECTED"),
        (501, RejectionError, "ERP_REJECTED"),
        (401, RejectionError, "ERP_AUTH"),
        (403, RejectionError, "ERP_AUTH"),
        (404, NotFoundError, "NOT_FOUND"),
        (408, TransientError, None),
        (423, TransientError, None),
        (429, TransientError, None),
        (500, TransientError, None),
        (502, TransientError, None),
        (503, TransientError, None),
        (504, TransientError, None),
        (507, TransientError, None),
    ],
)
def test_classification_table(status: int, kind: type[Exception], code: str | None) -> None:
    error = classify_response(sap_error(status, "SAP says no"), "POST X")
    assert type(error) is kind
    assert getattr(error, "code", None) == code
    assert "SAP says no" in error.message


def test_sap_message_adds_details_and_falls_back_to_xml_and_text() -> None:
    detailed = sap_error(400, "Order not saved", ["Order not saved", "Material TG99 unknown"])
    assert classify_response(detailed, "x").message == "Order not saved (Material TG99 unknown)"
    xml = httpx.Response(
        400, text='<error><code>X</code><message xml:lang="en">Bad key</message></error>'
    )
    assert classify_response(xml, "x").message == "Bad key"
    html = httpx.Response(502, text="<html>Bad gateway from proxy</html>\nmore")
    assert "Bad gateway from proxy" in classify_response(html, "x").message


def test_literals_and_numbers() -> None:
    assert odata_string("O'Brien") == "'O''Brien'"
    assert key_path("A_Product", "a b/'c") == "A_Product('a%20b%2F''c')"
    assert keys_path("A_SalesOrderItem", {"SalesOrder": "0000004711", "SalesOrderItem": "10"}) == (
        "A_SalesOrderItem(SalesOrder='0000004711',SalesOrderItem='10')"
    )
    assert keys_path("X", {"A": "it's", "B": "a/b"}) == "X(A='it''s',B='a%2Fb')"
    assert item_number(10) == "000010" and item_number(999_999) == "999999"
    assert document_number("4711") == "0000004711"
    assert document_number(" 0000004711 ") == "0000004711"
    assert document_number("ABC-1") == "ABC-1"
    assert edm_datetime(date(1970, 1, 2)) == "/Date(86400000)/"
