"""CashDecisionWorkflow: a person applies unapplied cash to the invoices they name.

One workflow per unapplied item (`cash-decision-<id>`), so a repeated request joins
the first instead of applying the money twice.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.cash_contracts import (
        DECIDE_UNAPPLIED_CASH,
        DecideCashResult,
        DecideUnappliedCashInput,
    )
    from workflows.cash_contracts import (
        CASH_DECISION_WORKFLOW,
        CashDecisionInput,
        CashRunResult,
        clearing_statement_id,
    )
    from workflows.cash_posting import post_and_notify, run_result
    from workflows.steps import Steps


@workflow.defn(name=CASH_DECISION_WORKFLOW)
class CashDecisionWorkflow:
    @workflow.run
    async def run(self, input: CashDecisionInput) -> CashRunResult:
        run_id = workflow.info().workflow_id + "/" + workflow.info().run_id
        steps = Steps(input.retry, input.erp_task_queue)
        decided = await steps.run(
            DECIDE_UNAPPLIED_CASH,
            DecideUnappliedCashInput(
                unapplied_id=input.unapplied_id,
                invoices=input.invoices,
                decided_by=input.decided_by,
            ),
            DecideCashResult,
            erp=True,
        )
        account = decided.decisions[0].credit.account if decided.decisions else ""
        posting = await post_and_notify(
            steps, clearing_statement_id(run_id), account, decided.decisions
        )
        return run_result(run_id, decided.decisions, posting, credits=len(decided.decisions))
