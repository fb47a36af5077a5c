"""`WmsPort` over HTTP, against the sandbox WMS API (or a WMS that speaks it).

Error mapping: 409 and 422 become `RejectionError` with the code from the body
(`INSUFFICIENT_STOCK`, `ALREADY_SHIPPED`, `UNKNOWN_WAREHOUSE`,
`IDEMPOTENCY_KEY_REUSED`, ...; `WMS_REJECTED` when there is none), 404 becomes
`NotFoundError`, and timeouts, connection failures and transient statuses become
`TransientError`. Undoing something the WMS does not know (release or recall of an
unknown shipment) counts as done.
"""

from urllib.parse import quote

import httpx

from adapters.http_client import HttpAdapter
from adapters.http_errors import raise_for_status, send
from adapters.wms.port import DispositionRequest, Reservation, ReservationRequest, StockLevel
from canonical.address import Address

SYSTEM = "wms"
DEFAULT_CODE = "WMS_REJECTED"


def _reservation_path(shipment_id: str) -> str:
    return f"/wms/reservations/{quote(shipment_id, safe='')}"


class HttpWmsAdapter(HttpAdapter):
    """The warehouse over HTTP.

    Args:
        client: An `httpx.AsyncClient` whose `base_url` is the WMS (e.g.
            `http://127.0.0.1:8070`); the caller owns it, or use `from_base_url`
            and `aclose`.
    """

    async def _send(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        return await send(self._client, method, url, system=SYSTEM, **kwargs)

    async def stock(self, skus: list[str]) -> list[StockLevel]:
        """Stock of these SKUs in every warehouse; an empty list means every SKU."""
        response = await self._send("GET", "/wms/stock", params=[("sku", sku) for sku in skus])
        raise_for_status(response, system=SYSTEM, default_code=DEFAULT_CODE)
        return [StockLevel.model_validate(item) for item in response.json()]

    async def reserve(self, request: ReservationRequest) -> Reservation:
        """Hold stock for a shipment; the same shipment id again returns the same hold."""
        body = request.model_dump(mode="json", include={"order_id", "warehouse", "lines"})
        response = await self._send("PUT", _reservation_path(request.shipment_id), json=body)
        raise_for_status(response, system=SYSTEM, default_code=DEFAULT_CODE)
        return Reservation.model_validate(response.json())

    async def release_reservation(self, shipment_id: str) -> None:
        """Give the held stock back. Idempotent; `ALREADY_SHIPPED` once shipped."""
        response = await self._send("DELETE", _reservation_path(shipment_id))
        if response.status_code != 404:
            raise_for_status(response, system=SYSTEM, default_code=DEFAULT_CODE)

    async def release_to_pick(self, shipment_id: str, ship_to: Address) -> None:
        """Send the shipment to the floor; `NotFoundError` if it was never reserved."""
        response = await self._send(
            "POST",
            f"{_reservation_path(shipment_id)}/release",
            json={"ship_to": ship_to.model_dump(mode="json")},
        )
        raise_for_status(response, system=SYSTEM, default_code=DEFAULT_CODE)

    async def recall(self, shipment_id: str) -> None:
        """Take the shipment back off the floor. Idempotent; `ALREADY_SHIPPED` once shipped."""
        response = await self._send("POST", f"{_reservation_path(shipment_id)}/recall")
        if response.status_code != 404:
            raise_for_status(response, system=SYSTEM, default_code=DEFAULT_CODE)

    async def attach_label(self, shipment_id: str, carrier: str, tracking_number: str) -> None:
        """Hand the shipment its label; it ships once packed."""
        response = await self._send(
            "PUT",
            f"{_reservation_path(shipment_id)}/label",
            json={"carrier": carrier, "tracking_number": tracking_number},
        )
        raise_for_status(response, system=SYSTEM, default_code=DEFAULT_CODE)

    async def restock(self, request: DispositionRequest) -> None:
        """Put returned goods back on hand; a repeated key changes nothing more."""
        await self._dispose("/wms/restock", request)

    async def scrap(self, request: DispositionRequest) -> None:
        """Write returned goods off; a repeated key changes nothing more."""
        await self._dispose("/wms/scrap", request)

    async def _dispose(self, path: str, request: DispositionRequest) -> None:
        response = await self._send("POST", path, json=request.model_dump(mode="json"))
        raise_for_status(response, system=SYSTEM, default_code=DEFAULT_CODE)
