"""An EDI order's conversation with its partner, from the order's side.

The order starts its PartnerDocumentsWorkflow child once judged and tells it each
milestone in order (an 855 once planned, or at once for a rejection; an 856 and an
810 for each shipment documented); the child sends and gets each acknowledged. Its
parked documents show on the order as NEEDS_ATTENTION, like a shipment's steps.
"""

import asyncio
from collections.abc import Callable

from temporalio import workflow
from temporalio.workflow import ChildWorkflowHandle, ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from canonical.view import OrderView
    from canonical.x12.answers import PartnerOrder
    from workflows.edi_contracts import (
        PARTNER_DOCUMENTS_WORKFLOW,
        PARTNER_MILESTONE_SIGNAL,
        PartnerDocumentsInput,
        PartnerMilestone,
        PartnerReport,
        partner_documents_workflow_id,
    )
    from workflows.order_attention import OrderAttention


class PartnerConversation:
    """The order's link to its partner-documents child; inert for non-EDI orders.

    Args:
        order_id: The order.
        partner: The purchase order as the partner sent it; None for other channels.
        attention: Where the child's parked documents show.
        view: The order's view as it is now.
    """

    def __init__(
        self,
        order_id: str,
        partner: PartnerOrder | None,
        attention: OrderAttention,
        view: Callable[[], OrderView],
    ) -> None:
        self._order_id, self._partner = order_id, partner
        self._attention, self._view = attention, view
        self._outbox: list[PartnerMilestone] = []
        self._acknowledged = False
        self._forwarder: asyncio.Task[None] | None = None
        self._child: ChildWorkflowHandle[object, int] | None = None

    async def start(self) -> None:
        """Start the child (it outlives an order that ends before it has spoken)."""
        if self._partner is None:
            return
        self._child = await workflow.start_child_workflow(
            PARTNER_DOCUMENTS_WORKFLOW,
            PartnerDocumentsInput(order_id=self._order_id, partner=self._partner),
            id=partner_documents_workflow_id(self._order_id),
            result_type=int,
            parent_close_policy=ParentClosePolicy.ABANDON,
        )
        self._forwarder = asyncio.ensure_future(self._forward())

    def acknowledge(self) -> None:
        """The verdict, or the first plan, is known: the 855 can go (once)."""
        if self._partner is not None and not self._acknowledged:
            self._acknowledged = True
            self._outbox.append(PartnerMilestone(kind="acknowledge", view=self._view()))

    def documented(self, shipment_id: str, billing_document: str) -> None:
        """A shipment left and was billed: its 856, then its 810."""
        if self._partner is None:
            return
        view = self._view()
        self._outbox.append(PartnerMilestone(kind="ship", view=view, shipment_id=shipment_id))
        self._outbox.append(
            PartnerMilestone(kind="invoice", view=view, billing_document=billing_document)
        )

    def report(self, report: PartnerReport) -> None:
        if report.kind == "parked":
            self._attention.note_parked(report.problem)
        else:
            self._attention.note_resumed(report.problem, report.detail)

    async def close(self, *, wait: bool) -> None:
        """Nothing more will be said; with `wait`, until the partner acknowledged all."""
        if self._child is None or self._forwarder is None:
            return
        self._outbox.append(PartnerMilestone(kind="close"))
        await self._forwarder
        if wait:
            await self._child

    async def _forward(self) -> None:
        assert self._child is not None
        while True:
            await workflow.wait_condition(lambda: bool(self._outbox))
            milestone = self._outbox.pop(0)
            await self._child.signal(PARTNER_MILESTONE_SIGNAL, milestone)
            if milestone.kind == "close":
                return
