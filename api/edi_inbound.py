"""Interchanges from EDI partners: read, judge, acknowledge, act.

Each interchange of a file is its own case. Refused whole, with the reason, when its
envelope is broken, when its sender is no partner of ours, or when the partner sent
that control number before (a replay: nothing of it is read again). Otherwise it is
archived and each functional group answered with a 997: an 850 that maps (its items
through the partner's cross-references and unit conversions) starts one order, whose
id comes from the partner and the PO number, so the same PO twice is one order; an
850 that does not map is rejected in the 997, at the PO1 at fault, and starts
nothing. A 997 from the partner about our documents goes to the order whose document
it answers.
"""

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from fastapi.concurrency import run_in_threadpool
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from adapters.edi.port import Delivery, PartnerEndpoint
from adapters.errors import AdapterError
from api.order_gateway import OrderGateway
from canonical.partners import Direction, DocumentStatus, PartnerKind, TradingPartner
from canonical.quantities import UnitOfMeasure
from canonical.x12.ack997 import Ack997, build_997, read_997
from canonical.x12.addressing import envelope_for
from canonical.x12.answers import PartnerOrder
from canonical.x12.envelope import read_x12
from canonical.x12.outbound import write_997
from canonical.x12.po850 import read_850, to_submission
from canonical.x12.problems import ProblemCode, ProblemLevel, X12Problem
from canonical.x12.structure import FunctionalGroup, Interchange, TransactionSet
from store.partner_documents import PartnerDocuments
from store.partners import PartnerRegistry
from workflows.edi_contracts import (
    PARTNER_ACK_SIGNAL,
    PartnerAck,
    order_of_document,
    partner_documents_workflow_id,
)

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass
class InterchangeOutcome:
    """What became of one interchange: `accepted`, `duplicate` or `refused`."""

    control_number: str
    status: str
    partner_id: str = ""
    reason: str = ""
    orders: list[str] = field(default_factory=list)
    refused_sets: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    acknowledgment: str = ""


def edi_order_id(partner_id: str, po_number: str) -> str:
    """One order per partner and PO (`EDI-MOCKEDI-4500009001`); a PO number that is
    not plain, or too long, is hashed."""
    plain = f"EDI-{partner_id}-{po_number}"
    if len(plain) <= 64 and not _SAFE.search(plain):
        return plain
    digest = hashlib.sha256(f"{partner_id}\x00{po_number}".encode()).hexdigest()[:20]
    return f"EDI-{_SAFE.sub('', partner_id)[:20]}-{digest.upper()}"


class EdiReceiver:
    """Takes what partners send.

    Args:
        registry: Partners and their cross-references.
        documents: Replay claims, control numbers, the archive.
        orders: Starts the orders.
        client: Tells orders of their partner's 997s.
        endpoint: Delivers our 997s to partners that have an endpoint.
    """

    def __init__(
        self,
        registry: PartnerRegistry,
        documents: PartnerDocuments,
        orders: OrderGateway,
        client: Client,
        endpoint: PartnerEndpoint,
    ) -> None:
        self._registry, self._documents = registry, documents
        self._orders, self._client = orders, client
        self._endpoint = endpoint

    async def receive(self, data: bytes, as2_from: str | None = None) -> list[InterchangeOutcome]:
        read = read_x12(data)
        outcomes = [
            InterchangeOutcome(control_number="", status="refused", reason=p.message)
            for p in read.problems
            if not read.interchanges
        ]
        for interchange in read.interchanges:
            outcomes.append(await self._one(interchange, data, as2_from))
        return outcomes

    async def _one(
        self, interchange: Interchange, data: bytes, as2_from: str | None
    ) -> InterchangeOutcome:
        outcome = InterchangeOutcome(control_number=interchange.control_number, status="refused")
        if interchange.problems:
            first = interchange.problems[0]
            outcome.reason = f"{first.segment_id or 'ISA'}: {first.message}"
            return outcome
        partner = await run_in_threadpool(
            self._registry.partner_by_interchange,
            interchange.sender_qualifier,
            interchange.sender_id,
        )
        sender = f"{interchange.sender_qualifier}/{interchange.sender_id.strip()}"
        if partner is None or partner.kind is not PartnerKind.EDI:
            outcome.reason = f"{sender} is not a trading partner of ours"
            return outcome
        outcome.partner_id = partner.partner_id
        if as2_from is not None and as2_from.strip() != partner.interchange_id:
            outcome.reason = f"AS2-From {as2_from!r} is not {sender}"
            return outcome
        fresh = await run_in_threadpool(
            self._documents.claim_interchange, partner.partner_id, interchange.control_number
        )
        if not fresh:
            outcome.status = "duplicate"
            outcome.reason = f"interchange {interchange.control_number} was received before"
            return outcome
        try:
            return await self._accepted(partner, interchange, data, outcome)
        except BaseException:
            # Not handled (Temporal or the store unreachable): the claim goes, so the
            # partner's resend is read rather than refused as a replay.
            await run_in_threadpool(
                self._documents.release_interchange, partner.partner_id, interchange.control_number
            )
            raise

    async def _accepted(
        self,
        partner: TradingPartner,
        interchange: Interchange,
        data: bytes,
        outcome: InterchangeOutcome,
    ) -> InterchangeOutcome:
        await run_in_threadpool(
            self._documents.archive,
            Direction.INBOUND,
            partner.partner_id,
            ",".join(sorted({ts.set_id for g in interchange.groups for ts in g.sets})),
            isa13=interchange.control_number,
            body=data.decode("utf-8", "replace"),
            status=DocumentStatus.RECEIVED,
        )
        outcome.status = "accepted"
        answers = []
        for group in interchange.groups:
            if group.functional_id == "FA":
                outcome.acknowledged += await self._acknowledgments(partner, group)
                continue
            extra = await self._orders_in(partner, group, outcome)
            answers.append(build_997(group, extra_problems=extra))
        if answers:
            outcome.acknowledgment = await self._send_997(partner, answers)
        return outcome

    async def _orders_in(
        self, partner: TradingPartner, group: FunctionalGroup, outcome: InterchangeOutcome
    ) -> dict[int, list[X12Problem]]:
        """Start an order per mapped 850; what cannot be one is returned for the 997,
        by the set's index in the group."""
        extra: dict[int, list[X12Problem]] = {}
        for index, ts in enumerate(group.sets):
            if not ts.accepted:
                outcome.refused_sets.append(f"{ts.set_id} {ts.control_number}: syntax")
                continue
            if ts.set_id != "850":
                extra[index] = [_problem(ts, f"we take 850 purchase orders, not {ts.set_id}")]
                outcome.refused_sets.append(f"{ts.set_id} {ts.control_number}: not an 850")
                continue
            problem = await self._start(partner, ts, outcome)
            if problem is not None:
                extra[index] = [problem]
                outcome.refused_sets.append(f"850 {ts.control_number}: {problem.message}")
        return extra

    async def _start(
        self, partner: TradingPartner, ts: TransactionSet, outcome: InterchangeOutcome
    ) -> X12Problem | None:
        po = read_850(ts)
        pid = partner.partner_id

        def resolve_item(ids: Sequence[tuple[str, str]]) -> str | None:
            return self._registry.sku_for(pid, list(ids))

        def to_base_unit(
            sku: str, uom: str, quantity: Decimal
        ) -> tuple[Decimal, UnitOfMeasure] | None:
            converted = self._registry.to_base_unit(pid, sku, uom, quantity)
            return None if converted is None else (converted[0], UnitOfMeasure(converted[1]))

        mapped = await run_in_threadpool(
            lambda: to_submission(
                po,
                customer_id=partner.customer_id,
                resolve_item=resolve_item,
                to_base_unit=to_base_unit,
            )
        )
        if mapped.submission is None:
            first = mapped.problems[0]
            message = "; ".join(p.message for p in mapped.problems)
            return _problem(ts, message, position=first.position)
        order_id = edi_order_id(pid, po.po_number)
        await self._orders.start(
            order_id,
            mapped.submission,
            PartnerOrder(
                partner_id=pid, po_number=po.po_number, po_date=po.po_date, lines=mapped.line_map
            ),
        )
        outcome.orders.append(order_id)
        return None

    async def _send_997(self, partner: TradingPartner, acks: list[Ack997]) -> str:
        numbers = await run_in_threadpool(self._documents.next_control_numbers, partner.partner_id)
        body = write_997(envelope_for(partner, numbers, datetime.now(UTC)), acks)
        archive_id = await run_in_threadpool(
            self._documents.archive,
            Direction.OUTBOUND,
            partner.partner_id,
            "997",
            isa13=numbers.isa13,
            gs06=numbers.gs06,
            st02=numbers.st02,
            body=body,
            status=DocumentStatus.FAILED,
        )
        if partner.endpoint_url:
            try:
                await self._endpoint.deliver(
                    Delivery.to(partner, numbers.isa13, f"997 {numbers.isa13}", body)
                )
            except AdapterError:
                # Kept as FAILED in the archive; the partner also has it in our answer.
                return body
            await run_in_threadpool(self._documents.set_status, archive_id, DocumentStatus.SENT)
        return body

    async def _acknowledgments(self, partner: TradingPartner, group: FunctionalGroup) -> list[str]:
        """The partner's 997s: each document they name is told to its order."""
        told = []
        for ts in group.sets:
            ack = read_997(ts)
            ours = await run_in_threadpool(
                functools.partial(
                    self._documents.outbound_by_control, partner.partner_id, gs06=ack.group_control
                )
            )
            for document in ours:
                if not document.reference:
                    continue
                accepted = ack.set_accepted(document.st02)
                detail = "" if accepted else _rejection(ack, document.st02)
                status = DocumentStatus.ACKNOWLEDGED if accepted else DocumentStatus.REJECTED
                await run_in_threadpool(self._documents.set_status, document.id, status)
                await self._tell(document.reference, accepted, detail)
                told.append(f"{document.document_type} {document.st02}")
        return told

    async def _tell(self, key: str, accepted: bool, detail: str) -> None:
        workflow_id = partner_documents_workflow_id(order_of_document(key))
        handle = self._client.get_workflow_handle(workflow_id)
        try:
            await handle.signal(
                PARTNER_ACK_SIGNAL, PartnerAck(document_key=key, accepted=accepted, detail=detail)
            )
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:  # the order's exchange is over
                raise


def _problem(ts: TransactionSet, message: str, position: int | None = None) -> X12Problem:
    return X12Problem(
        code=ProblemCode.SEGMENT_ERROR,
        level=ProblemLevel.SET,
        message=message,
        segment_id="PO1" if position else "ST",
        set_position=position or 1,
        segment_code="8",
    )


def _rejection(ack: Ack997, control: str) -> str:
    found = ack.for_set(control)
    if found is None:
        return f"group rejected ({ack.status})"
    notes = [f"{s.segment_id} at {s.position}" for s in found.segments]
    return f"set {control} rejected: {', '.join(notes) or ', '.join(found.codes) or found.status}"
