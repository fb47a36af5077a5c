"""HTTP outcomes as adapter errors, shared by the httpx adapters.

`send` makes the request and raises `TransientError` for everything worth retrying
(timeouts, connection failures, the statuses in `TRANSIENT_STATUS_CODES`); what it
returns is a response the caller can judge. `rejection` turns the other error
responses into a `RejectionError` (or `NotFoundError` for a 404) with the `code` the
system put in its body, read from FastAPI-style bodies:
`{"detail": {"code": "...", "message": "..."}}`, `{"code": "...", "message": "..."}`,
`{"detail": "text"}` or `{"detail": [validation errors]}`.
"""

from typing import Any

import httpx

from adapters.errors import TRANSIENT_STATUS_CODES, NotFoundError, RejectionError, TransientError

_EXCERPT = 300


async def send(
    client: httpx.AsyncClient, method: str, url: str, *, system: str, **kwargs: Any
) -> httpx.Response:
    """Make a request; raise `TransientError` when trying again may help.

    Args:
        client: The client (its `base_url` and timeouts apply).
        method: HTTP method.
        url: URL or path relative to the client's base URL.
        system: Names the outside system in errors (`wms`, `carrier`, ...).
        **kwargs: Passed to `httpx.AsyncClient.request` (`json`, `params`, ...).

    Raises:
        TransientError: Timeout, connection or protocol failure, or a transient status.
    """
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise TransientError(f"{system}: {method} {url} timed out", system=system) from exc
    except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
        raise TransientError(
            f"{system}: {method} {url} failed: {type(exc).__name__}: {exc}", system=system
        ) from exc
    if response.status_code in TRANSIENT_STATUS_CODES:
        _, message = error_detail(response)
        raise TransientError(
            f"{system}: {method} {url} answered {response.status_code}: {message}",
            system=system,
        )
    return response


def error_detail(response: httpx.Response) -> tuple[str | None, str]:
    """The `code` (if the body has one) and a readable message of an error response."""
    try:
        body = response.json()
    except ValueError:
        return None, response.text[:_EXCERPT] or response.reason_phrase
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, dict):
        code = detail.get("code")
        message = detail.get("message") or str(detail)
        return (code if isinstance(code, str) and code else None), str(message)[:_EXCERPT]
    if isinstance(detail, list):
        # FastAPI's validation errors: say which field and why.
        parts = [
            f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg', '')}"
            for item in detail
            if isinstance(item, dict)
        ]
        return None, "; ".join(parts)[:_EXCERPT] or str(detail)[:_EXCERPT]
    return None, str(detail)[:_EXCERPT]


def rejection(response: httpx.Response, *, system: str, default_code: str) -> RejectionError:
    """The error an unsuccessful, non-transient response stands for.

    Args:
        response: A 4xx (or another non-transient error) response.
        system: Names the outside system in the error.
        default_code: The code when the body carries none.
    """
    code, message = error_detail(response)
    request = response.request
    text = (
        f"{system}: {request.method} {request.url.path} answered {response.status_code}: {message}"
    )
    if response.status_code == 404:
        return NotFoundError(text, system=system)
    return RejectionError(text, code=code or default_code, system=system)


def raise_for_status(response: httpx.Response, *, system: str, default_code: str) -> None:
    """Raise `rejection(...)` unless the response is a 2xx."""
    if not response.is_success:
        raise rejection(response, system=system, default_code=default_code)
