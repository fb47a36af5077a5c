"""A stand-in for the `send_partner_document` activity in workflow tests: it records
each document it was asked to send and numbers it, as the real one would."""

import asyncio
from dataclasses import dataclass, field

from temporalio import activity

from workflows.edi_contracts import (
    SEND_PARTNER_DOCUMENT,
    SendPartnerDocumentInput,
    SendPartnerDocumentResult,
)


@dataclass
class FakePartnerChannel:
    """What the order's partner was sent, one entry per send (a resend included).

    Attributes:
        sent: Every document asked for, in order.
        by_key: What each document key was answered with.
    """

    sent: list[SendPartnerDocumentInput] = field(default_factory=list)
    by_key: dict[str, SendPartnerDocumentResult] = field(default_factory=dict)

    def kinds(self) -> list[str]:
        return [document.kind for document in self.sent]

    async def until_sent(self, count: int, seconds: float = 15) -> list[str]:
        """Wait until `count` documents were sent; their kinds."""
        deadline = asyncio.get_running_loop().time() + seconds
        while len(self.sent) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{count} documents never sent; sent {self.kinds()}")
            await asyncio.sleep(0.05)
        return self.kinds()

    @activity.defn(name=SEND_PARTNER_DOCUMENT)
    async def send_partner_document(
        self, input: SendPartnerDocumentInput
    ) -> SendPartnerDocumentResult:
        # Idempotent by key, as the real activity is: a retry sends nothing new.
        known = self.by_key.get(input.document_key)
        if known is not None:
            return known
        self.sent.append(input)
        n = len(self.sent)
        result = SendPartnerDocumentResult(
            interchange_control=f"{n:09d}", group_control=str(n), set_control=f"{n:04d}"
        )
        self.by_key[input.document_key] = result
        return result
