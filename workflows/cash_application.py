"""CashApplicationWorkflow: one run over one bank account.

Read what the bank reported since the last run, decide for each new credit which
invoices it pays (and claim it in the ledger, so no credit is applied twice), post
the clearings and part payments to the ERP, and tell each order. Started by a
Temporal Schedule every few minutes, or by hand through `POST /cash/run`.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.cash_contracts import (
        DECIDE_CASH,
        READ_BANK_CREDITS,
        DecideCashInput,
        DecideCashResult,
        ReadBankCreditsInput,
        ReadBankCreditsResult,
    )
    from workflows.cash_contracts import (
        CASH_APPLICATION_WORKFLOW,
        CashRunInput,
        CashRunResult,
        clearing_statement_id,
    )
    from workflows.cash_posting import post_and_notify, run_result
    from workflows.steps import Steps


@workflow.defn(name=CASH_APPLICATION_WORKFLOW)
class CashApplicationWorkflow:
    @workflow.run
    async def run(self, input: CashRunInput) -> CashRunResult:
        run_id = workflow.info().workflow_id + "/" + workflow.info().run_id
        steps = Steps(input.retry, input.erp_task_queue)
        read = await steps.run(
            READ_BANK_CREDITS, ReadBankCreditsInput(account=input.account), ReadBankCreditsResult
        )
        counts = {"statements": len(read.statements), "credits": len(read.credits)}
        if not read.statements:
            return CashRunResult(run_id=run_id, **counts)
        decided = await steps.run(
            DECIDE_CASH,
            DecideCashInput(
                run_id=run_id,
                account=input.account,
                statements=read.statements,
                credits=read.credits,
            ),
            DecideCashResult,
            erp=True,
            patient=True,
        )
        posting = await post_and_notify(
            steps, clearing_statement_id(run_id), input.account, decided.decisions
        )
        return run_result(run_id, decided.decisions, posting, **counts)
