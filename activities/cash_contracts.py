"""Names, inputs and results of the cash-application activities."""

from datetime import date

from pydantic import BaseModel

from canonical.cash import BankCredit, BankStatement, CashApplication, CashDecision

READ_BANK_CREDITS = "read_bank_credits"
DECIDE_CASH = "decide_cash"
DECIDE_UNAPPLIED_CASH = "decide_unapplied_cash"
POST_CASH_TO_ERP = "post_cash_to_erp"

# ApplicationError types an ops decision can be refused with.
UNAPPLIED_NOT_FOUND = "UNAPPLIED_NOT_FOUND"
UNAPPLIED_ALREADY_DECIDED = "UNAPPLIED_ALREADY_DECIDED"
INVOICE_NOT_OPEN = "INVOICE_NOT_OPEN"


class ReadBankCreditsInput(BaseModel):
    account: str


class ReadBankCreditsResult(BaseModel):
    """What the bank reported since the last read, and which credits are new.

    Attributes:
        statements: Statements and notifications read (their credits left out).
        credits: Credits no earlier run has handled, each once.
    """

    statements: list[BankStatement] = []
    credits: list[BankCredit] = []


class DecideCashInput(BaseModel):
    run_id: str
    account: str
    statements: list[BankStatement] = []
    credits: list[BankCredit]


class DecideCashResult(BaseModel):
    """The decisions this run made and claimed (a credit another run claimed first is
    not among them)."""

    decisions: list[CashDecision] = []


class DecideUnappliedCashInput(BaseModel):
    """A person's decision: apply unapplied item `unapplied_id` to `invoices`."""

    unapplied_id: int
    invoices: list[str]
    decided_by: str = "ops"


class PostCashInput(BaseModel):
    """Post what was decided to the ERP.

    Attributes:
        statement_id: Names the clearing in the ERP (the bank statement number it
            posts under), unique per run.
    """

    statement_id: str
    account: str
    posting_date: date
    decisions: list[CashDecision]


class PostedApplication(BaseModel):
    application: CashApplication
    erp_document: str = ""
    value_date: date | None = None
    payer_name: str = ""
    rule: str = ""


class RefusedApplication(BaseModel):
    application: CashApplication
    reason: str
    unapplied_id: int


class PostCashResult(BaseModel):
    posted: list[PostedApplication] = []
    refused: list[RefusedApplication] = []
