"""What an SAP Gateway failure means: every non-success answer becomes an
`adapters.errors.AdapterError` here (`classify_response`), and a BAPI's refusal inside an
HTTP 200 is read by `bapi_errors`. Used by `adapters.erp.sap_http`, which re-exports it.
"""

import re
from collections.abc import Mapping
from typing import Any

import httpx

from adapters.erp.sap_values import SYSTEM
from adapters.errors import (
    TRANSIENT_STATUS_CODES,
    AdapterError,
    NotFoundError,
    RejectionError,
    TransientError,
)

CSRF_HEADER = "X-CSRF-Token"


class ConflictError(RejectionError):
    """HTTP 409: an entity with the same key already exists. A rejection like any other
    (`code="ERP_REJECTED"`), told apart for writes that count "already there" as done."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="ERP_REJECTED", system=SYSTEM)


def sap_message(response: httpx.Response) -> str:
    """SAP's own words from an error response.

    The JSON envelope's `error.message.value`, followed by whatever the
    `innererror.errordetails` add to it; failing that the XML envelope's `<message>`,
    the body's first line, or the HTTP reason phrase.
    """
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error: dict[str, Any] = body["error"]
        message = error.get("message")
        main = message.get("value", "") if isinstance(message, dict) else str(message or "")
        details: list[str] = []
        inner = error.get("innererror")
        if isinstance(inner, dict) and isinstance(inner.get("errordetails"), list):
            for detail in inner["errordetails"]:
                if isinstance(detail, dict):
                    detail_text = str(detail.get("message") or "").strip()
                    if detail_text and detail_text != main and detail_text not in details:
                        details.append(detail_text)
        if main and details:
            return f"{main} ({'; '.join(details)})"
        if main or details:
            return main or "; ".join(details)
    found = re.search(r"<message[^>]*>(.*?)</message>", response.text, re.DOTALL)
    if found and found.group(1).strip():
        return found.group(1).strip()
    lines = response.text.strip().splitlines()
    first_line = lines[0][:300] if lines else ""
    return first_line or response.reason_phrase or f"HTTP {response.status_code}"


def is_csrf_required(response: httpx.Response) -> bool:
    """403 with `x-csrf-token: Required`: the token is missing, expired or unknown."""
    return (
        response.status_code == 403
        and response.headers.get(CSRF_HEADER, "").strip().lower() == "required"
    )


def classify_response(response: httpx.Response, action: str) -> AdapterError:
    """The adapter error a non-success response means. The one place statuses are read.

    - 408/423/425/429/500/502/503/504 (`TRANSIENT_STATUS_CODES`: "no work process",
      a locked document, ...), other 5xx except 501, and unexpected 1xx/3xx:
      `TransientError`.
    - 401, 403: `RejectionError(code="ERP_AUTH")` (a 403 asking for a CSRF token is
      handled before this, by refreshing the token).
    - 404: `NotFoundError` (lookups turn it into None before they get here).
    - 409: `ConflictError`, a `RejectionError(code="ERP_REJECTED")` (the key exists).
    - other 4xx and 501 (business exceptions, validation, a stale ETag):
      `RejectionError(code="ERP_REJECTED")`.

    Rejections carry SAP's message text as it is; transient errors add what was
    being done, for the log and the retry history.
    """
    status = response.status_code
    message = sap_message(response)
    if status in (401, 403):
        return RejectionError(message, code="ERP_AUTH", system=SYSTEM)
    if status == 404:
        return NotFoundError(message, system=SYSTEM)
    if status == 409:
        return ConflictError(message)
    if (400 <= status < 500 and status not in TRANSIENT_STATUS_CODES) or status == 501:
        return RejectionError(message, code="ERP_REJECTED", system=SYSTEM)
    return TransientError(f"SAP answered HTTP {status} to {action}: {message}", system=SYSTEM)


def bapi_errors(result: Mapping[str, Any]) -> list[str]:
    """The messages of a BAPI's `RETURN` rows of type E (error) or A (abort): how a
    BAPI refuses, with HTTP 200 and nothing posted. Empty when it did its work."""
    rows = result.get("RETURN")
    if isinstance(rows, dict):  # a BAPI whose RETURN is one structure, not a table
        rows = [rows]
    if not isinstance(rows, list):
        return []
    return [
        str(row.get("MESSAGE") or f"{row.get('ID', '')} {row.get('NUMBER', '')}").strip()
        for row in rows
        if isinstance(row, dict) and str(row.get("TYPE", "")).upper() in ("E", "A")
    ]
