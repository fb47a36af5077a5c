"""Cash application as the API, the schedule and ops see it: workflow names, inputs,
results, and the signal orders receive when their invoices are paid."""

import hashlib

from pydantic import BaseModel

# Re-exported: the API maps these refusals of an ops decision to statuses.
from activities.cash_contracts import INVOICE_NOT_OPEN as INVOICE_NOT_OPEN
from activities.cash_contracts import UNAPPLIED_ALREADY_DECIDED as UNAPPLIED_ALREADY_DECIDED
from activities.cash_contracts import UNAPPLIED_NOT_FOUND as UNAPPLIED_NOT_FOUND
from canonical.cash import CashApplication, CashDecision
from workflows.contracts import RetryBudget

CASH_APPLICATION_WORKFLOW = "CashApplication"
CASH_DECISION_WORKFLOW = "CashDecision"
PAYMENT_APPLIED_SIGNAL = "payment_applied"


def cash_schedule_id(account: str) -> str:
    """The Temporal Schedule that runs cash application for one bank account."""
    return f"cash-application-{account}"


def cash_decision_workflow_id(unapplied_id: int) -> str:
    """One decision per unapplied item: a second request joins the first."""
    return f"cash-decision-{unapplied_id}"


def clearing_statement_id(run_id: str) -> str:
    """The statement number a run's clearing is posted under in the ERP: short
    (SAP's `BGMREF` is), stable for the run, different between runs."""
    return "OM" + hashlib.sha256(run_id.encode("utf-8")).hexdigest()[:14].upper()


class CashRunInput(BaseModel):
    """One run of cash application over one bank account.

    Attributes:
        account: The bank account id (mock-bank's `ACME` by default).
        erp_task_queue: Where ERP activities run; empty means the workflow's own.
    """

    account: str = "ACME"
    erp_task_queue: str = ""
    retry: RetryBudget = RetryBudget()


class UnappliedSummary(BaseModel):
    entry_id: str
    amount: str
    currency: str
    reason: str
    candidates: list[str] = []


class CashRunResult(BaseModel):
    """What a run did.

    Attributes:
        statements: Statements and notifications read.
        credits: New credits seen.
        applied: Applications the ERP took (cleared, or part payments posted).
        unapplied: Money kept for a person, with why.
        orders_signalled: Order workflows told about their invoices.
    """

    run_id: str
    statements: int = 0
    credits: int = 0
    applied: list[CashApplication] = []
    unapplied: list[UnappliedSummary] = []
    orders_signalled: list[str] = []


class CashDecisionInput(BaseModel):
    """A person applies unapplied cash item `unapplied_id` to `invoices`."""

    unapplied_id: int
    invoices: list[str]
    decided_by: str = "ops"
    erp_task_queue: str = ""
    retry: RetryBudget = RetryBudget()


def unapplied_summaries(decisions: list[CashDecision]) -> list[UnappliedSummary]:
    return [
        UnappliedSummary(
            entry_id=d.credit.entry_id,
            amount=str(d.unapplied_amount),
            currency=d.credit.currency,
            reason=d.reason,
            candidates=list(d.candidates),
        )
        for d in decisions
        if d.unapplied_amount > 0
    ]
