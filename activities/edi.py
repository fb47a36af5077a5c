"""Sending our documents to EDI partners: build, number, archive, deliver.

One activity, `send_partner_document`, idempotent by its document key: the archive
keeps each document under its key, so a retry after a lost answer delivers the same
interchange again (same control numbers) rather than a second one, and a document
already delivered is not sent twice.
"""

import asyncio
import functools
from collections.abc import Callable
from datetime import UTC, datetime

from temporalio import activity

from activities.errors import rejections_as_application_errors
from adapters.edi.port import Delivery, PartnerEndpoint
from adapters.errors import RejectionError
from canonical.partners import ArchivedDocument, ControlNumbers, Direction, DocumentStatus
from canonical.x12 import answers
from canonical.x12.addressing import envelope_for
from canonical.x12.outbound import EnvelopeParams, write_810, write_855, write_856
from store.partner_documents import PartnerDocuments
from store.partners import PartnerRegistry
from workflows.edi_contracts import (
    SEND_PARTNER_DOCUMENT,
    SendPartnerDocumentInput,
    SendPartnerDocumentResult,
)

_DONE = frozenset({DocumentStatus.SENT, DocumentStatus.ACKNOWLEDGED, DocumentStatus.REJECTED})


class PartnerDocumentActivities:
    """The EDI channel's activities.

    Args:
        registry: The partners.
        documents: Their control numbers and the document archive.
        endpoint: Delivers to a partner's receiving end.
        clock: Now, for the documents' dates.
    """

    def __init__(
        self,
        registry: PartnerRegistry,
        documents: PartnerDocuments,
        endpoint: PartnerEndpoint,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._registry, self._documents = registry, documents
        self._endpoint, self._clock = endpoint, clock

    @activity.defn(name=SEND_PARTNER_DOCUMENT)
    async def send_partner_document(
        self, input: SendPartnerDocumentInput
    ) -> SendPartnerDocumentResult:
        with rejections_as_application_errors():
            return await self._send(input)

    async def _send(self, input: SendPartnerDocumentInput) -> SendPartnerDocumentResult:
        partner_id = input.partner.partner_id
        known = await asyncio.to_thread(self._sent_before, input)
        if known is not None and known.status in _DONE:
            return _result(known)
        partner = await asyncio.to_thread(self._registry.partner, partner_id)
        if partner is None:
            raise RejectionError(f"no trading partner {partner_id}", code="UNKNOWN_PARTNER")
        if not partner.endpoint_url:
            raise RejectionError(
                f"partner {partner_id} has no endpoint to deliver to", code="NO_PARTNER_ENDPOINT"
            )
        if known is None:
            numbers = await asyncio.to_thread(self._documents.next_control_numbers, partner_id)
            body = self._write(input, envelope_for(partner, numbers, self._clock()))
            archive_id = await asyncio.to_thread(
                self._documents.archive,
                Direction.OUTBOUND,
                partner_id,
                input.kind,
                isa13=numbers.isa13,
                gs06=numbers.gs06,
                st02=numbers.st02,
                reference=input.document_key,
                body=body,
                status=DocumentStatus.FAILED,  # until delivered
            )
        else:  # written before, not delivered: the same interchange again
            numbers = ControlNumbers(known.isa13, known.gs06, known.st02)
            body, archive_id = known.body, known.id
        await self._endpoint.deliver(
            Delivery.to(partner, numbers.isa13, f"{input.kind} {input.partner.po_number}", body)
        )
        await asyncio.to_thread(
            functools.partial(
                self._documents.set_status,
                archive_id,
                DocumentStatus.SENT,
                only_if=DocumentStatus.FAILED,  # its 997 may have come back already
            )
        )
        return SendPartnerDocumentResult(
            interchange_control=numbers.isa13, group_control=numbers.gs06, set_control=numbers.st02
        )

    def _sent_before(self, input: SendPartnerDocumentInput) -> ArchivedDocument | None:
        found = self._documents.documents(
            input.partner.partner_id, reference=input.document_key, document_type=input.kind
        )
        return found[0] if found else None

    def _write(self, input: SendPartnerDocumentInput, envelope: EnvelopeParams) -> str:
        now = self._clock()
        if input.kind == "855":
            return write_855(
                envelope, [answers.acknowledgment(input.view, input.partner, now.date())]
            )
        if input.kind == "856":
            notice = answers.ship_notice(input.view, input.partner, input.shipment_id, now)
            return write_856(envelope, [notice])
        billed = answers.invoice(input.view, input.partner, input.billing_document)
        return write_810(envelope, [billed])


def _result(document: ArchivedDocument) -> SendPartnerDocumentResult:
    return SendPartnerDocumentResult(
        interchange_control=document.isa13,
        group_control=document.gs06,
        set_control=document.st02,
    )
