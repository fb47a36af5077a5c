"""What Ordermesh asks of a trading partner's receiving end: take one interchange.

Errors follow `adapters.errors`: a partner that is down, slow or answers 5xx is a
`TransientError` (sent again later); one that refuses the message (4xx, or an MDN
saying it failed) is a `RejectionError` with code `PARTNER_REFUSED`.
"""

from typing import Protocol

from pydantic import BaseModel, ConfigDict

from canonical.partners import TradingPartner


class Delivery(BaseModel):
    """One interchange to a partner, addressed as AS2 addresses it.

    Attributes:
        endpoint_url: Where the partner receives (its AS2 URL).
        sender / receiver: The AS2 identities (`AS2-From`, `AS2-To`).
        message_id: Unique per delivery; the partner's MDN quotes it.
        subject: What it is, for the partner's logs (`855 4500009001`).
        body: The interchange, as X12 text.
    """

    model_config = ConfigDict(frozen=True)

    endpoint_url: str
    sender: str
    receiver: str
    message_id: str
    subject: str
    body: str

    @classmethod
    def to(cls, partner: TradingPartner, isa13: str, subject: str, body: str) -> "Delivery":
        """One interchange of ours to a registered partner: from us as it knows us, to
        it, at its endpoint; the message id names the interchange."""
        return cls(
            endpoint_url=partner.endpoint_url,
            sender=partner.our_interchange_id,
            receiver=partner.interchange_id,
            message_id=f"{isa13}.{subject.split()[0]}@{partner.our_interchange_id}",
            subject=subject,
            body=body,
        )


class DeliveryReceipt(BaseModel):
    """What the partner answered: its MDN's disposition, when it sent one."""

    status_code: int
    disposition: str = ""


class PartnerEndpoint(Protocol):
    async def deliver(self, delivery: Delivery) -> DeliveryReceipt:
        """Deliver one interchange; raise as the module docstring says."""
        ...
