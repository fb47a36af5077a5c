"""An EDI order answers its partner: an 855 once planned, an 856 and an 810 per
shipment, each sent until the partner's 997 accepts it; a rejection waits for ops."""

from decimal import Decimal
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from canonical.statuses import OrderStatus
from canonical.view import OrderView
from canonical.x12.answers import PartnerOrder
from canonical.x12.po850_models import BuyerLine
from tests.workflows.support import (
    Stack,
    decide,
    parked,
    pay_invoices,
    running_stack,
    ship_through,
    submission,
    until,
)
from workflows.edi_contracts import (
    PARTNER_ACK_SIGNAL,
    PartnerAck,
    partner_documents_workflow_id,
)

PARTNER = PartnerOrder(
    partner_id="MOCKEDI",
    po_number="4500009001",
    lines={
        10: BuyerLine(po1_index=1, line_id="1", quantity=Decimal(5), uom="EA"),
        20: BuyerLine(po1_index=2, line_id="2", quantity=Decimal(2), uom="PC"),
    },
)


async def _ack(stack: Stack, order_id: str, index: int, accepted: bool = True) -> None:
    """The partner's 997 for the `index`-th document sent, as the API passes it on."""
    child: WorkflowHandle[Any, Any] = stack.client.get_workflow_handle(
        partner_documents_workflow_id(order_id)
    )
    detail = "" if accepted else "BIG at segment 2: element 4: Invalid code value"
    await child.signal(
        PARTNER_ACK_SIGNAL,
        PartnerAck(
            document_key=stack.partner.sent[index].document_key,
            accepted=accepted,
            detail=detail,
        ),
    )


async def test_an_edi_order_answers_in_order_and_completes_once_all_is_acknowledged(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        _, handle = await stack.submit("EDI-1", submission(channel="edi"), partner=PARTNER)
        assert await stack.partner.until_sent(1) == ["855"]
        acknowledgment = stack.partner.sent[0]
        assert acknowledgment.partner == PARTNER
        assert acknowledgment.view.status is OrderStatus.ALLOCATED
        await _ack(stack, "EDI-1", 0)

        await ship_through(handle, "EDI-1-S1")
        # One at a time: the 810 waits until the partner has accepted the 856.
        assert await stack.partner.until_sent(2) == ["855", "856"]
        notice = stack.partner.sent[1]
        assert notice.shipment_id == "EDI-1-S1"
        assert notice.view.shipments[0].tracking_number != ""
        await _ack(stack, "EDI-1", 1)
        assert await stack.partner.until_sent(3) == ["855", "856", "810"]
        invoice = stack.partner.sent[2]
        assert invoice.billing_document in stack.erp.billing_documents
        await _ack(stack, "EDI-1", 2)

        await until(handle, lambda v: v.status is OrderStatus.INVOICED)
        await pay_invoices(handle)
        result = OrderView.model_validate(await handle.result())
        assert result.status is OrderStatus.COMPLETED
        child: WorkflowHandle[Any, Any] = stack.client.get_workflow_handle(
            partner_documents_workflow_id("EDI-1")
        )
        assert await child.result() == 3
        assert stack.partner.kinds() == ["855", "856", "810"]  # nothing sent twice


async def test_a_rejected_document_parks_the_order_and_retry_sends_it_again(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        _, handle = await stack.submit("EDI-2", submission(channel="edi"), partner=PARTNER)
        await stack.partner.until_sent(1)
        await _ack(stack, "EDI-2", 0, accepted=False)
        view = await parked(handle)
        [problem] = view.attention
        assert (problem.step, problem.error_type) == ("send_855", "PARTNER_REJECTED")
        assert problem.workflow_id == partner_documents_workflow_id("EDI-2")
        assert "Invalid code value" in problem.message

        await decide(handle, "retry", note="partner fixed its code list")
        assert await stack.partner.until_sent(2) == ["855", "855"]
        first, second = stack.partner.sent
        assert first.document_key != second.document_key  # new control numbers
        await _ack(stack, "EDI-2", 1)
        view = await until(handle, lambda v: v.attention == [])
        assert view.status is OrderStatus.RELEASED  # the order went on meanwhile
        await handle.cancel()


async def test_a_rejected_edi_order_tells_the_partner(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        verdict, _ = await stack.submit(
            "EDI-4", submission(channel="edi", customer_id="9999999"), partner=PARTNER
        )
        assert verdict.status is OrderStatus.REJECTED
        assert await stack.partner.until_sent(1) == ["855"]
        assert stack.partner.sent[0].view.status is OrderStatus.REJECTED
        await _ack(stack, "EDI-4", 0)
        child: WorkflowHandle[Any, Any] = stack.client.get_workflow_handle(
            partner_documents_workflow_id("EDI-4")
        )
        assert await child.result() == 1
