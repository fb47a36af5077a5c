"""Names and values as SAP Gateway writes them: the services Ordermesh uses, OData V2
keys and literals, item and document numbers, decimals, dates, string properties."""

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from adapters.errors import TransientError

SYSTEM = "erp"
"""`AdapterError.system` of everything the SAP adapter raises."""

JsonObject = dict[str, Any]

BUSINESS_PARTNER_SRV = "API_BUSINESS_PARTNER_SRV"
PRODUCT_SRV = "API_PRODUCT_SRV"
SALES_ORDER_SRV = "API_SALES_ORDER_SRV"
OUTBOUND_DELIVERY_SRV = "API_OUTBOUND_DELIVERY_SRV"
BILLING_DOCUMENT_SRV = "API_BILLING_DOCUMENT_SRV"
JOURNAL_ENTRY_SRV = "API_JOURNALENTRY_SRV"
OPEN_ITEMS_SRV = "API_OPLACCTGDOCITEMCUBE_SRV"

IDEMPOTENCY_PREFIX = "ordermesh:"
"""Prefix of every text that ties something in SAP to Ordermesh (idempotency markers,
rejection reasons)."""

IDEMPOTENCY_TEXT_ID = "0001"
"""`LongTextID` of the sales order header text that carries the marker."""

# Left as it is in a key predicate in a path; everything else is percent-escaped.
_PATH_SAFE = "'"


def odata_string(value: str) -> str:
    """An OData V2 string literal: single-quoted, embedded single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def key_path(entity_set: str, key: str) -> str:
    """`A_Product('TG11')`, with the key quoted as a literal and made safe for a path."""
    return f"{entity_set}({quote(odata_string(key), safe=_PATH_SAFE)})"


def keys_path(entity_set: str, keys: Mapping[str, str]) -> str:
    """A compound key: `A_SalesOrderItem(SalesOrder='0000004711',SalesOrderItem='000010')`."""
    predicate = ",".join(
        f"{name}={quote(odata_string(value), safe=_PATH_SAFE)}" for name, value in keys.items()
    )
    return f"{entity_set}({predicate})"


def item_number(line_no: int) -> str:
    """SAP's six-digit item number: 10 -> `000010`."""
    return f"{line_no:06d}"


def document_number(number: str) -> str:
    """SAP's ALPHA conversion of a document number: all digits -> ten, zero-padded.

    `4737` and `0000004737` address the same sales order; without this, a delete of
    `4737` would answer 404 and a compensation would believe the order already gone.
    """
    number = number.strip()
    return number.zfill(10) if number.isdigit() else number


def decimal_text(value: Decimal) -> str:
    """A decimal as OData V2 JSON carries it: a plain string, never an exponent."""
    return format(value, "f")


def parse_decimal(value: object) -> Decimal:
    """A decimal from an OData V2 payload (`"475.000"`); 0 when absent."""
    if value is None or value == "":
        return Decimal(0)
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise TransientError(f"SAP sent {value!r} where a decimal belongs", system=SYSTEM) from exc


def parse_amount(value: object) -> Decimal:
    """An amount from an OData V2 payload, at two places when that loses nothing:
    SAP's `475.000` is the `475.00` Ordermesh sent."""
    amount = parse_decimal(value)
    cents = amount.quantize(Decimal("0.01"))
    return cents if cents == amount else amount


def odata_any_of(name: str, values: Iterable[str]) -> str:
    """`(Name eq 'a' or Name eq 'b')`: the filter that reads several keys in one call."""
    return "(" + " or ".join(f"{name} eq {odata_string(value)}" for value in values) + ")"


def edm_datetime(day: date) -> str:
    """An `Edm.DateTime` in OData V2 JSON: `/Date(<ms since epoch, UTC midnight>)/`."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return f"/Date({int(midnight.timestamp()) * 1000})/"


_EDM_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")


def parse_edm_date(value: object) -> date | None:
    """The date of an `Edm.DateTime` (`/Date(1795132800000)/`, or ISO text); None when
    null or empty."""
    if value is None or value == "":
        return None
    raw = str(value).strip()
    found = _EDM_DATE.match(raw)
    try:
        if found:
            return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(found[1]))).date()
        return date.fromisoformat(raw[:10])
    except ValueError as exc:
        raise TransientError(f"SAP sent {value!r} where a date belongs", system=SYSTEM) from exc


def abap_date(day: date) -> str:
    """A date as a BAPI or IDoc field takes it: `YYYYMMDD`."""
    return day.strftime("%Y%m%d")


def text(entity: Mapping[str, Any], name: str) -> str:
    """A string property of an entity; empty when absent or null."""
    value = entity.get(name)
    return "" if value is None else str(value)
