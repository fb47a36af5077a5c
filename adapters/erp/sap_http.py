"""OData V2 plumbing for an SAP Gateway: URLs, CSRF tokens, BAPIs and IDocs.

Everything here is about the wire, nothing about sales orders: `SapODataSession` reads
entities and collections, creates (deep inserts), updates and deletes, calls BAPIs over
JSON RFC and sends inbound IDocs, fetching and refreshing the CSRF token that writes
need. What a failure means is `adapters.erp.sap_errors` (`classify_response`, and
`bapi_errors` for a BAPI's refusal inside an HTTP 200), re-exported here. Literals,
numbers and dates are in `adapters.erp.sap_values`.
"""

import asyncio
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote

import httpx

from adapters.erp.sap_errors import (
    CSRF_HEADER,
    ConflictError,
    bapi_errors,
    classify_response,
    is_csrf_required,
    sap_message,
)
from adapters.erp.sap_settings import SapSettings
from adapters.erp.sap_values import SYSTEM, JsonObject, odata_any_of
from adapters.errors import RejectionError, TransientError

logger = logging.getLogger(__name__)

ODATA_ROOT = "/sap/opu/odata/sap"
RFC_ROOT = "/sap/bc/rfc"
IDOC_PATH = "/sap/bc/idoc"

__all__ = [
    "ConflictError",
    "SapODataSession",
    "bapi_errors",
    "classify_response",
    "is_csrf_required",
    "sap_message",
]

# Characters left as they are in query values: OData's own punctuation reads better
# unescaped and every Gateway accepts it. Spaces become %20, never "+".
_QUERY_SAFE = "$'(),/:"
_MAX_PAGES = 100
# Keys per `or` filter in `read_where_in`: keeps a URL well inside what a Gateway takes.
_KEYS_PER_READ = 40


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

    async def read_where_in(
        self,
        service: str,
        entity_set: str,
        name: str,
        values: Iterable[str],
        *,
        select: Sequence[str],
        where: str = "",
    ) -> list[JsonObject]:
        """The entities whose property `name` is one of `values` (and that match the
        filter `where`, if given), a few dozen keys to a read; none read for none."""
        keys = sorted(set(values) - {""})
        rows: list[JsonObject] = []
        for start in range(0, len(keys), _KEYS_PER_READ):
            condition = odata_any_of(name, keys[start : start + _KEYS_PER_READ])
            query = {
                "$filter": f"{condition} and {where}" if where else condition,
                "$select": ",".join(select),
            }
            rows.extend(await self.read_collection(service, entity_set, query))
        return rows

    # -- writes --

    async def create(self, service: str, entity_set: str, body: JsonObject) -> JsonObject:
        """POST an entity (deep insert included) and return the created entity.

        `entity_set` may be a navigation path, e.g. `A_SalesOrder('1')/to_Text`. An
        entity with the same key already there is a `ConflictError` (409)."""
        action = f"POST {service}/{entity_set}"
        response = await self._write(
            "POST", self._url(service, entity_set), service, action, body=body
        )
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
            method,
            self._url(service, resource),
            service,
            action,
            body=body,
            extra_headers={"If-Match": "*"},
        )
        if response.status_code == 404:
            return False
        if not response.is_success:
            raise classify_response(response, action)
        return True

    # -- function modules and IDocs --

    async def call_function(
        self, name: str, params: JsonObject, *, token_service: str
    ) -> JsonObject:
        """Call a BAPI over JSON RFC (`POST /sap/bc/rfc/<name>`); its export parameters.

        Writes like any other: the CSRF token (fetched on `token_service`'s root when
        there is none yet) goes with the call. A `RETURN` row of type E or A is a
        `RejectionError` with SAP's messages: a BAPI refuses with HTTP 200.
        """
        action = f"RFC {name}"
        response = await self._write(
            "POST", self._path_url(f"{RFC_ROOT}/{name}"), token_service, action, body=params
        )
        if not response.is_success:
            raise classify_response(response, action)
        result = self._json_object(response, action)
        errors = bapi_errors(result)
        if errors:
            raise RejectionError("; ".join(errors), code="ERP_REJECTED", system=SYSTEM)
        return result

    async def post_idoc(self, xml: bytes, *, token_service: str) -> JsonObject:
        """Send an inbound IDoc as XML (`POST /sap/bc/idoc`); its status record, as JSON.

        The HTTP status says only that the IDoc was received: whether it posted is the
        record's `STATUS`, which is the caller's to read."""
        action = "POST inbound IDoc"
        response = await self._write(
            "POST",
            self._path_url(IDOC_PATH),
            token_service,
            action,
            content=xml,
            extra_headers={"Content-Type": "application/xml"},
        )
        if not response.is_success:
            raise classify_response(response, action)
        return self._json_object(response, action)

    # -- CSRF --

    async def _write(
        self,
        method: str,
        url: str,
        token_service: str,
        action: str,
        *,
        body: JsonObject | None = None,
        content: bytes | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        token = await self._token(token_service)
        response = await self._send(method, url, action, token, body, extra_headers, content)
        if not is_csrf_required(response):
            return response
        logger.info("SAP wants a fresh CSRF token for %s; fetching one and retrying", action)
        token = await self._token(token_service, stale=token)
        response = await self._send(method, url, action, token, body, extra_headers, content)
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
        return self._path_url(f"{ODATA_ROOT}/{service}/{resource}", query)

    def _path_url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        params = {"sap-client": self._settings.client, **(query or {})}
        query_string = "&".join(
            f"{quote(name, safe='$')}={quote(value, safe=_QUERY_SAFE)}"
            for name, value in params.items()
        )
        return f"{path}?{query_string}"

    async def _send(
        self,
        method: str,
        url: str,
        action: str,
        token: str | None = None,
        body: JsonObject | None = None,
        extra_headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        headers = {"Accept": "application/json", **(extra_headers or {})}
        if token:
            headers[CSRF_HEADER] = token
        try:
            response = await self._client.request(
                method, url, headers=headers, json=body, content=content
            )
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
    def _json_object(response: httpx.Response, action: str) -> JsonObject:
        """The JSON object of an answer. Unreadable means transient: after a write, a
        retry finds what was written through the idempotency lookups."""
        try:
            body = response.json()
        except ValueError as exc:
            raise TransientError(
                f"SAP answered {action} with HTTP {response.status_code} but no JSON",
                system=SYSTEM,
            ) from exc
        if not isinstance(body, dict):
            raise TransientError(f"SAP answered {action} without a JSON object", system=SYSTEM)
        return body

    @classmethod
    def _payload(
        cls, response: httpx.Response, action: str, collection: bool = False
    ) -> JsonObject:
        """The `d` of a V2 JSON answer (see `_json_object` for an unreadable one)."""
        data = cls._json_object(response, action).get("d")
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
