"""OData V2 plumbing for an SAP Gateway: URLs, CSRF tokens, and what a failure means.

Everything here is about the wire, nothing about sales orders: `SapODataSession` reads
entities and collections, creates (deep inserts), updates and deletes, fetching and
refreshing the CSRF token that writes need, and turns every failure into an
`adapters.errors.AdapterError` in one place, `classify_response`. Literals, numbers
and dates are in `adapters.erp.sap_values`.
"""

import asyncio
import json
import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from adapters.erp.sap_settings import SapSettings
from adapters.erp.sap_values import SYSTEM, JsonObject
from adapters.errors import (
    TRANSIENT_STATUS_CODES,
    AdapterError,
    NotFoundError,
    RejectionError,
    TransientError,
)

logger = logging.getLogger(__name__)

ODATA_ROOT = "/sap/opu/odata/sap"
CSRF_HEADER = "X-CSRF-Token"

# Characters left as they are in query values: OData's own punctuation reads better
# unescaped and every Gateway accepts it. Spaces become %20, never "+".
_QUERY_SAFE = "$'(),/:"
_MAX_PAGES = 100


# -- what a failure means -------------------------------------------------------------


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


# -- the session ----------------------------------------------------------------------


class SapODataSession:
    """Reads and writes against SAP Gateway OData V2 services over one httpx client.

    Keeps one CSRF token for the instance (guarded by an `asyncio.Lock`), fetched
    with `X-CSRF-Token: Fetch` on the root of the service about to be written to,
    and sent with every write together with the session cookies that came with it
    (the client's cookie jar keeps those). A 403 `x-csrf-token: Required` refreshes
    the token once and repeats the write; a second one is a `TransientError`.

    Every request carries `sap-client` and `Accept: application/json`. Timeouts and
    transport failures become `TransientError`; statuses are classified by
    `classify_response`.

    Args:
        client: The httpx client; its `base_url` points at the Gateway host.
        settings: Supplies the SAP client number.
    """

    def __init__(self, client: httpx.AsyncClient, settings: SapSettings) -> None:
        self._client = client
        self._settings = settings
        self._csrf_token: str | None = None
        self._csrf_lock = asyncio.Lock()

    # -- reads --

    async def read_entity(
        self, service: str, resource: str, query: Mapping[str, str] | None = None
    ) -> JsonObject | None:
        """One entity (`{"d": {...}}`), or None when SAP answers 404."""
        action = f"GET {service}/{resource}"
        response = await self._send("GET", self._url(service, resource, query), action)
        if response.status_code == 404:
            return None
        if not response.is_success:
            raise classify_response(response, action)
        return self._payload(response, action)

    async def read_collection(
        self, service: str, resource: str, query: Mapping[str, str] | None = None
    ) -> list[JsonObject]:
        """Every entity of a collection (`{"d": {"results": [...]}}`), following `__next`."""
        action = f"GET {service}/{resource}"
        url = self._url(service, resource, query)
        results: list[JsonObject] = []
        for _ in range(_MAX_PAGES):
            response = await self._send("GET", url, action)
            if not response.is_success:
                raise classify_response(response, action)
            payload = self._payload(response, action, collection=True)
            page = payload.get("results", [])
            if not isinstance(page, list):
                raise TransientError(f"SAP sent no result list for {action}", system=SYSTEM)
            results.extend(entry for entry in page if isinstance(entry, dict))
            next_link = payload.get("__next")
            if not next_link:
                return results
            url = str(next_link)
        raise TransientError(f"{action} did not end after {_MAX_PAGES} pages", system=SYSTEM)

    # -- writes --

    async def create(self, service: str, entity_set: str, body: JsonObject) -> JsonObject:
        """POST an entity (deep insert included) and return the created entity.

        `entity_set` may be a navigation path, e.g. `A_SalesOrder('1')/to_Text`. An
        entity with the same key already there is a `ConflictError` (409)."""
        action = f"POST {service}/{entity_set}"
        response = await self._write("POST", service, entity_set, action, body=body)
        if not response.is_success:
            raise classify_response(response, action)
        return self._payload(response, action)

    async def update(self, service: str, resource: str, body: JsonObject) -> bool:
        """PATCH (merge) the given properties (`If-Match: *`); False when not there (404)."""
        return await self._modify("PATCH", service, resource, body)

    async def delete(self, service: str, resource: str) -> bool:
        """DELETE an entity (`If-Match: *`); False when it was not there (404)."""
        return await self._modify("DELETE", service, resource, None)

    async def _modify(
        self, method: str, service: str, resource: str, body: JsonObject | None
    ) -> bool:
        action = f"{method} {service}/{resource}"
        response = await self._write(
            method, service, resource, action, body=body, extra_headers={"If-Match": "*"}
        )
        if response.status_code == 404:
            return False
        if not response.is_success:
            raise classify_response(response, action)
        return True

    # -- CSRF --

    async def _write(
        self,
        method: str,
        service: str,
        resource: str,
        action: str,
        *,
        body: JsonObject | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        url = self._url(service, resource)
        token = await self._token(service)
        response = await self._send(method, url, action, token, body, extra_headers)
        if not is_csrf_required(response):
            return response
        logger.info("SAP wants a fresh CSRF token for %s; fetching one and retrying", action)
        token = await self._token(service, stale=token)
        response = await self._send(method, url, action, token, body, extra_headers)
        if is_csrf_required(response):
            raise TransientError(
                f"SAP refused a freshly fetched CSRF token for {action}: {sap_message(response)}",
                system=SYSTEM,
            )
        return response

    async def _token(self, service: str, stale: str | None = None) -> str:
        """The CSRF token; fetched when there is none yet or the one held is `stale`.

        An empty string means the server issued none (CSRF protection off), in
        which case writes go without the header.
        """
        async with self._csrf_lock:
            if self._csrf_token is None or self._csrf_token == stale:
                self._csrf_token = await self._fetch_token(service)
            return self._csrf_token

    async def _fetch_token(self, service: str) -> str:
        action = f"CSRF token fetch on {service}"
        response = await self._send(
            "GET", self._url(service, ""), action, extra_headers={CSRF_HEADER: "Fetch"}
        )
        if not response.is_success:
            raise classify_response(response, action)
        token = response.headers.get(CSRF_HEADER, "").strip()
        return "" if token.lower() == "required" else token

    # -- the wire --

    def _url(self, service: str, resource: str, query: Mapping[str, str] | None = None) -> str:
        params = {"sap-client": self._settings.client, **(query or {})}
        query_string = "&".join(
            f"{quote(name, safe='$')}={quote(value, safe=_QUERY_SAFE)}"
            for name, value in params.items()
        )
        return f"{ODATA_ROOT}/{service}/{resource}?{query_string}"

    async def _send(
        self,
        method: str,
        url: str,
        action: str,
        token: str | None = None,
        body: JsonObject | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        headers = {"Accept": "application/json", **(extra_headers or {})}
        if token:
            headers[CSRF_HEADER] = token
        try:
            response = await self._client.request(method, url, headers=headers, json=body)
        except httpx.TimeoutException as exc:
            raise TransientError(
                f"SAP did not answer {action} in time ({type(exc).__name__})", system=SYSTEM
            ) from exc
        except httpx.RequestError as exc:
            raise TransientError(
                f"could not reach SAP for {action}: {type(exc).__name__}: {exc}", system=SYSTEM
            ) from exc
        if response.is_success:
            _log_sap_messages(response, action)
        return response

    @staticmethod
    def _payload(response: httpx.Response, action: str, collection: bool = False) -> JsonObject:
        """The `d` of a V2 JSON answer. Unreadable means transient: after a write, a
        retry finds what was written through the idempotency lookups."""
        try:
            body = response.json()
        except ValueError as exc:
            raise TransientError(
                f"SAP answered {action} with HTTP {response.status_code} but no JSON",
                system=SYSTEM,
            ) from exc
        data = body.get("d") if isinstance(body, dict) else None
        if collection and isinstance(data, list):  # the V1-style `{"d": [...]}`
            return {"results": data}
        if not isinstance(data, dict):
            raise TransientError(f"SAP answered {action} without a `d` object", system=SYSTEM)
        return data


def _log_sap_messages(response: httpx.Response, action: str) -> None:
    """Log the warnings SAP attaches to a success in the `sap-message` header."""
    raw = response.headers.get("sap-message")
    if not raw:
        return
    try:
        parsed = json.loads(raw)
    except ValueError:
        logger.warning("SAP message on %s: %s", action, raw)
        return
    entries = parsed if isinstance(parsed, list) else [parsed]
    for entry in entries:
        if isinstance(entry, dict):
            logger.warning(
                "SAP %s on %s: %s", entry.get("severity", "message"), action, entry.get("message")
            )
