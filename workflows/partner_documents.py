"""PartnerDocumentsWorkflow: an EDI order's answers to its partner, a child of the
order.

The order tells it each milestone (planned, shipped, billed); it sends the document
that says so, the 855, an 856 per shipment, an 810 per billing document, one at a
time and in that order (a partner judges an 810 against the 856 before it), and waits
for the partner's 997 for each. No 997 in time: sent again, with new control numbers
(a partner refuses a replayed interchange). A 997 that rejects the document, or one
that never comes after a few sends, parks the document and the order shows
NEEDS_ATTENTION until ops retry (send again) or skip (settled with the partner by
other means). Every document is archived by the activity that sends it.
"""

import functools
from datetime import timedelta
from typing import Literal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from canonical.view import ParkedStep
    from workflows.contracts import DECIDE_SIGNAL, OpsDecision, RetryBudget
    from workflows.edi_contracts import (
        PARTNER_ACK_SIGNAL,
        PARTNER_DOCUMENTS_WORKFLOW,
        PARTNER_MILESTONE_SIGNAL,
        PARTNER_REPORT_SIGNAL,
        SEND_PARTNER_DOCUMENT,
        PartnerAck,
        PartnerDocumentsInput,
        PartnerMilestone,
        PartnerReport,
        SendPartnerDocumentInput,
        SendPartnerDocumentResult,
        document_key,
    )
    from workflows.order_attention import describe
    from workflows.parking import Parking
    from workflows.steps import Steps

_DOCUMENT_FOR: dict[str, Literal["855", "856", "810"]] = {
    "acknowledge": "855",
    "ship": "856",
    "invoice": "810",
}


@workflow.defn(name=PARTNER_DOCUMENTS_WORKFLOW)
class PartnerDocumentsWorkflow:
    @workflow.init
    def __init__(self, input: PartnerDocumentsInput) -> None:
        self._input = input
        self._queue: list[PartnerMilestone] = []
        self._closed = False
        self._acks: dict[str, PartnerAck] = {}
        self._sent = 0
        self._parking = Parking(
            self._parked, self._resumed, workflow_id=workflow.info().workflow_id
        )
        # Delivery failures park too (the partner's endpoint down for good).
        self._steps = Steps(RetryBudget(), "", self._parking)

    @workflow.run
    async def run(self, input: PartnerDocumentsInput) -> int:
        """Returns how many documents the partner acknowledged."""
        done = 0
        while True:
            await workflow.wait_condition(lambda: bool(self._queue) or self._closed)
            if not self._queue:
                break
            milestone = self._queue.pop(0)
            if await self._exchange(milestone):
                done += 1
        await workflow.wait_condition(workflow.all_handlers_finished)
        return done

    @workflow.signal(name=PARTNER_MILESTONE_SIGNAL)
    def milestone(self, milestone: PartnerMilestone) -> None:
        """What the partner must be told next, from the order."""
        if milestone.kind == "close":
            self._closed = True
        else:
            self._queue.append(milestone)

    @workflow.signal(name=PARTNER_ACK_SIGNAL)
    def partner_ack(self, ack: PartnerAck) -> None:
        """The partner's 997 for one of our documents, as the API received it."""
        self._acks.setdefault(ack.document_key, ack)

    @workflow.signal(name=DECIDE_SIGNAL)
    def decide(self, decision: OpsDecision) -> None:
        """Retry or skip the document that waits, as the order passes it on."""
        if decision.action != "cancel" and self._parking.refusal(decision) is None:
            self._parking.decide(decision)

    async def _exchange(self, milestone: PartnerMilestone) -> bool:
        """Send one document until the partner accepts it; False when ops skipped it."""
        kind = _DOCUMENT_FOR[milestone.kind]
        step = f"send_{kind}"
        sends, retries = 0, 0
        while True:
            # One key per send, so each send is its own interchange (a partner
            # refuses a replayed control number) and a 997 finds the send it answers.
            self._sent += 1
            key = document_key(self._input.order_id, self._sent)
            assert milestone.view is not None
            await self._steps.run(
                SEND_PARTNER_DOCUMENT,
                SendPartnerDocumentInput(
                    document_key=key,
                    order_id=self._input.order_id,
                    partner=self._input.partner,
                    kind=kind,
                    view=milestone.view,
                    shipment_id=milestone.shipment_id,
                    billing_document=milestone.billing_document,
                ),
                SendPartnerDocumentResult,
            )
            sends += 1
            try:
                await workflow.wait_condition(
                    functools.partial(dict.__contains__, self._acks, key),
                    timeout=timedelta(seconds=self._input.ack_timeout_seconds),
                )
            except TimeoutError:
                if sends < self._input.max_sends:
                    continue  # sent again, under new control numbers
                message = f"no 997 from {self._input.partner.partner_id} after {sends} sends"
                error_type = "NOT_ACKNOWLEDGED"
            else:
                ack = self._acks[key]
                if ack.accepted:
                    return True
                message, error_type = ack.detail or "rejected", "PARTNER_REJECTED"
            decision = await self._parking.hold(
                step, error_type, message, retries=retries, skippable=True
            )
            if decision.action == "skip":
                return False
            retries, sends = retries + 1, 0

    async def _parked(self, problem: ParkedStep) -> None:
        await self._report(PartnerReport(kind="parked", problem=problem))

    async def _resumed(self, problem: ParkedStep, decision: OpsDecision) -> None:
        await self._report(
            PartnerReport(kind="resumed", problem=problem, detail=describe(problem, decision))
        )

    async def _report(self, report: PartnerReport) -> None:
        parent = workflow.info().parent
        if parent is not None:
            await workflow.get_external_workflow_handle(parent.workflow_id).signal(
                PARTNER_REPORT_SIGNAL, report
            )
