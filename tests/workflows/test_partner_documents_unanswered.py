"""An EDI order's document that no 997 answers is sent again, then waits for ops.

A module of its own: it skips time, and the time-skipping server (one per module)
stops skipping for good after some of the updates the other partner tests send."""

from temporalio.testing import WorkflowEnvironment

from tests.workflows.support import decide, parked, running_stack, submission, until
from tests.workflows.test_partner_documents import PARTNER


async def test_a_document_with_no_997_is_sent_again_then_waits_for_ops(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with running_stack(time_skipping_env.client) as stack:
        _, handle = await stack.submit("EDI-3", submission(channel="edi"), partner=PARTNER)
        await stack.partner.until_sent(1)
        # Four sends, 15 minutes apart, none acknowledged.
        for sends in range(2, 5):
            await time_skipping_env.sleep(16 * 60)
            await stack.partner.until_sent(sends)
        await time_skipping_env.sleep(16 * 60)
        view = await parked(handle)
        assert view.attention[0].error_type == "NOT_ACKNOWLEDGED"
        assert len({d.document_key for d in stack.partner.sent}) == 4

        await decide(handle, "skip", note="partner confirmed by phone")
        view = await until(handle, lambda v: v.attention == [])
        await handle.cancel()
