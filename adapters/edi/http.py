"""AS2-style delivery over plain HTTP: the interchange as the body, the AS2 headers
beside it, a synchronous MDN asked for and read. Signing and encryption (S/MIME) are
not done: partners that need them are reached through a VAN or an AS2 gateway."""

import re

import httpx

from adapters.edi.port import Delivery, DeliveryReceipt
from adapters.errors import RejectionError, TransientError

SYSTEM = "edi"
_RETRYABLE = frozenset({408, 425, 429})
_DISPOSITION = re.compile(r"^Disposition:\s*(.+)$", re.IGNORECASE | re.MULTILINE)


class As2HttpEndpoint:
    """Delivers to whatever URL each delivery names.

    Args:
        client: The HTTP client (its transport swappable in tests); the caller owns it.
    """

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def deliver(self, delivery: Delivery) -> DeliveryReceipt:
        headers = {
            "Content-Type": "application/edi-x12",
            "AS2-Version": "1.2",
            "AS2-From": delivery.sender,
            "AS2-To": delivery.receiver,
            "Message-ID": f"<{delivery.message_id}>",
            "Subject": delivery.subject,
            "Disposition-Notification-To": delivery.sender,
            "Disposition-Notification-Options": (
                "signed-receipt-protocol=optional, pkcs7-signature;"
                " signed-receipt-micalg=optional, sha256"
            ),
        }
        try:
            response = await self._client.post(
                delivery.endpoint_url, content=delivery.body.encode(), headers=headers
            )
        except httpx.TransportError as err:
            raise TransientError(
                f"partner at {delivery.endpoint_url} unreachable: {err!r}", system=SYSTEM
            ) from err
        status = response.status_code
        if status >= 500 or status in _RETRYABLE:
            raise TransientError(
                f"partner at {delivery.endpoint_url} answered HTTP {status}", system=SYSTEM
            )
        if status >= 400:
            raise RejectionError(
                f"partner at {delivery.endpoint_url} refused the message: HTTP {status}"
                f" {response.text[:300]}",
                code="PARTNER_REFUSED",
                system=SYSTEM,
            )
        found = _DISPOSITION.search(response.text)
        disposition = found.group(1).strip() if found else ""
        if "failed" in disposition.lower() or "error" in disposition.lower():
            raise RejectionError(
                f"partner's MDN says {disposition}", code="PARTNER_REFUSED", system=SYSTEM
            )
        return DeliveryReceipt(status_code=status, disposition=disposition)
