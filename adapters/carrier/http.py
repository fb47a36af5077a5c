"""`CarrierPort` over HTTP, against the sandbox carrier API.

The label request names the carrier and service the TMS quoted (an empty carrier
is the sandbox's default one); the label that comes back says what was bought.

Error mapping: 422 and 409 become `RejectionError` with the code from the body
(`UNKNOWN_SERVICE`, `UNKNOWN_CARRIER`, `ADDRESS_NOT_SERVICEABLE`,
`ALREADY_PICKED_UP`, ...; `CARRIER_REJECTED` when there is none), and timeouts,
connection failures and transient statuses become `TransientError`. Voiding a
label (or return label) the carrier does not know counts as done.
"""

from urllib.parse import quote

from adapters.carrier.port import Label, LabelRequest, ReturnLabelRequest
from adapters.http_client import HttpAdapter
from adapters.http_errors import raise_for_status, send

SYSTEM = "carrier"
DEFAULT_CODE = "CARRIER_REJECTED"


def _label_path(shipment_id: str) -> str:
    return f"/carrier/labels/{quote(shipment_id, safe='')}"


def _return_label_path(rma_id: str) -> str:
    return f"/carrier/return-labels/{quote(rma_id, safe='')}"


class HttpCarrierAdapter(HttpAdapter):
    """The parcel carrier over HTTP.

    Args:
        client: An `httpx.AsyncClient` whose `base_url` is the carrier API; the
            caller owns it, or use `from_base_url` and `aclose`.
    """

    async def buy_label(self, request: LabelRequest) -> Label:
        """Buy the shipment's label from `request.carrier` (its `service`); buying
        again returns the same label."""
        body = request.model_dump(
            mode="json",
            include={"order_id", "ship_from", "ship_to", "weight_kg", "carrier", "service"},
        )
        return await self._put_label(_label_path(request.shipment_id), body)

    async def void_label(self, shipment_id: str) -> None:
        """Void the shipment's label. Idempotent; `ALREADY_PICKED_UP` after pickup."""
        await self._void(_label_path(shipment_id))

    async def buy_return_label(self, request: ReturnLabelRequest) -> Label:
        """Issue the RMA's return label; issuing again returns the same label."""
        body = request.model_dump(mode="json", exclude={"rma_id"})
        return await self._put_label(_return_label_path(request.rma_id), body)

    async def void_return_label(self, rma_id: str) -> None:
        """Void the RMA's return label. Idempotent; an unknown RMA counts as voided."""
        await self._void(_return_label_path(rma_id))

    async def _put_label(self, path: str, body: dict[str, object]) -> Label:
        response = await send(self._client, "PUT", path, system=SYSTEM, json=body)
        raise_for_status(response, system=SYSTEM, default_code=DEFAULT_CODE)
        return Label.model_validate(response.json())

    async def _void(self, path: str) -> None:
        response = await send(self._client, "DELETE", path, system=SYSTEM)
        # A carrier that answers 404 for a label it never sold: that counts as voided.
        if response.status_code != 404:
            raise_for_status(response, system=SYSTEM, default_code=DEFAULT_CODE)
