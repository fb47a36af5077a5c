"""The half of cash application that both a scheduled run and an ops decision share:
post the decisions to the ERP, then tell each order what its invoices received."""

import asyncio
from dataclasses import dataclass, field

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.cash_contracts import (
        POST_CASH_TO_ERP,
        PostCashInput,
        PostCashResult,
        PostedApplication,
    )
    from canonical.cash import CashApplication, CashDecision
    from canonical.invoices import Payment
    from canonical.money import Money
    from workflows.cash_contracts import (
        PAYMENT_APPLIED_SIGNAL,
        CashRunResult,
        UnappliedSummary,
        unapplied_summaries,
    )
    from workflows.steps import Steps


@dataclass
class Posting:
    """What the ERP took, what it refused (now unapplied cash), and which orders heard."""

    applied: list[CashApplication] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    orders_signalled: list[str] = field(default_factory=list)


def run_result(
    run_id: str, decisions: list[CashDecision], posting: Posting, **counts: int
) -> CashRunResult:
    """What a run (or a decision) did: `counts` are `statements` and `credits`."""
    refused = [
        UnappliedSummary(entry_id="", amount="", currency="", reason=reason)
        for reason in posting.refused
    ]
    return CashRunResult(
        run_id=run_id,
        applied=posting.applied,
        unapplied=unapplied_summaries(decisions) + refused,
        orders_signalled=posting.orders_signalled,
        **counts,
    )


async def post_and_notify(
    steps: Steps, statement_id: str, account: str, decisions: list[CashDecision]
) -> Posting:
    posting = Posting()
    if not any(d.applications for d in decisions):
        return posting
    result = await steps.run(
        POST_CASH_TO_ERP,
        PostCashInput(
            statement_id=statement_id,
            account=account,
            posting_date=workflow.now().date(),
            decisions=[d for d in decisions if d.applications],
        ),
        PostCashResult,
        erp=True,
        patient=True,  # the money is claimed in the ledger: it must reach the ERP
    )
    posting.applied = [p.application for p in result.posted]
    posting.refused = [f"{r.application.billing_document}: {r.reason}" for r in result.refused]
    # All at once: one by one, a run of a hundred payments spent most of its time here.
    told = [p for p in result.posted if p.application.order_workflow_id]
    heard = await asyncio.gather(*(_tell(p.application.order_workflow_id, p) for p in told))
    for posted, ok in zip(told, heard, strict=True):
        order = posted.application.order_workflow_id
        if ok and order not in posting.orders_signalled:
            posting.orders_signalled.append(order)
    return posting


async def _tell(order_workflow_id: str, posted: PostedApplication) -> bool:
    application = posted.application
    payment = Payment(
        payment_id=application.entry_id,
        billing_document=application.billing_document,
        amount=Money(amount=application.amount, currency=application.currency),
        value_date=posted.value_date,
        open_after=application.open_after,
        rule=posted.rule,
        short_reason=application.short_reason,
        payer_name=posted.payer_name,
        clearing_document=posted.erp_document if application.settles else "",
    )
    try:
        await workflow.get_external_workflow_handle(order_workflow_id).signal(
            PAYMENT_APPLIED_SIGNAL, payment
        )
    except Exception as err:  # an order that is gone must not stop the run
        workflow.logger.warning("could not tell %s of a payment: %s", order_workflow_id, err)
        return False
    return True
