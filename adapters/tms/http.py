"""`TmsPort` over HTTP, against the sandbox TMS (`POST /tms/quotes`).

Error mapping: a 4xx becomes `RejectionError` with the code from the body
(`TMS_REJECTED` when there is none, e.g. a validation error), a 404
`NotFoundError`; timeouts, connection failures and transient statuses become
`TransientError`. A destination no carrier serves is an empty list, not an error.
"""

from pydantic import BaseModel, ValidationError

from adapters.errors import RejectionError
from adapters.http_client import HttpAdapter
from adapters.http_errors import raise_for_status, send
from adapters.tms.port import Quote, QuoteRequest

SYSTEM = "tms"
DEFAULT_CODE = "TMS_REJECTED"
QUOTES_PATH = "/tms/quotes"


class _Quotes(BaseModel):
    quotes: list[Quote]


class HttpTmsAdapter(HttpAdapter):
    """The TMS over HTTP.

    Args:
        client: An `httpx.AsyncClient` whose `base_url` is the TMS (e.g.
            `http://127.0.0.1:8070`); the caller owns it, or use `from_base_url`
            and `aclose`.
    """

    async def quote(self, request: QuoteRequest) -> list[Quote]:
        """Every carrier's offer for the consignment; `[]` when none serves it.

        Raises:
            TransientError: The TMS is down, slow or busy.
            RejectionError: It refused the request, or answered with something that
                is not a list of quotes (`code="TMS_BAD_RESPONSE"`).
        """
        response = await send(
            self._client,
            "POST",
            QUOTES_PATH,
            system=SYSTEM,
            json=request.model_dump(mode="json"),
        )
        raise_for_status(response, system=SYSTEM, default_code=DEFAULT_CODE)
        try:
            return _Quotes.model_validate_json(response.content).quotes
        except ValidationError as exc:
            raise RejectionError(
                f"{SYSTEM}: POST {QUOTES_PATH} answered {response.status_code} with a body "
                f"that is not a list of quotes: {exc.error_count()} error(s), first: "
                f"{exc.errors()[0]['msg']}",
                code="TMS_BAD_RESPONSE",
                system=SYSTEM,
            ) from exc
