"""Cash: money arriving at the bank, what is owed to us, and how one settles the other.

A `BankCredit` is one credit entry of a bank statement (camt.053) or credit
notification (camt.054), whatever the payer wrote. A `Receivable` is an open customer
invoice (an ERP billing document with its accounting document). Cash application
turns credits into `CashApplication`s against receivables, or keeps them as unapplied
cash for a person to decide.
"""

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from canonical.money import CurrencyCode

# Widths banks re-cut remittance text at (SEPA's Ustrd is 140; 35 and 70 are the
# widths of older formats that reformatting banks still apply).
_BANK_CUT_WIDTHS = frozenset({35, 70, 140})


class BankCredit(BaseModel):
    """One credit to our account, as the bank reported it.

    Attributes:
        entry_id: The bank's own reference for the entry (camt `AcctSvcrRef`, else
            `NtryRef`, else the end-to-end id): the same in the credit notification
            and in the day's statement, so it is what makes reading twice harmless.
        statement_id: The statement (camt.053 `Stmt/Id`) or notification
            (camt.054 `Ntfctn/Id`) it was read from.
        amount: Positive, in `currency`.
        payer_account: The payer's IBAN (or other account id), "" when not given.
        structured_reference: `RmtInf/Strd/CdtrRefInf/Ref`, "" when not given.
        remittance_lines: `RmtInf/Ustrd`, line by line as the bank cut them (a bank
            may cut an invoice number in two across lines).
    """

    model_config = ConfigDict(frozen=True)

    entry_id: str
    statement_id: str = ""
    account: str
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=2)
    currency: CurrencyCode
    booking_date: date | None = None
    value_date: date | None = None
    payer_name: str = ""
    payer_account: str = ""
    end_to_end_id: str = ""
    structured_reference: str = ""
    remittance_lines: list[str] = []

    @property
    def remittance_text(self) -> str:
        """The note as one line of prose, for people (not for matching).

        Lines a bank re-cut at a fixed width (every line but the last exactly 35, 70
        or 140 characters) are joined as they were cut, so a word or number the cut
        fell inside reads whole again; the payer's own lines are joined with a space.
        """
        lines = self.remittance_lines
        recut = len(lines) > 1 and len(lines[0]) in _BANK_CUT_WIDTHS
        recut = recut and all(len(line) == len(lines[0]) for line in lines[:-1])
        return " ".join(("" if recut else " ").join(lines).split())


class BankStatement(BaseModel):
    """A statement (camt.053) or credit notification (camt.054) for one account.

    Attributes:
        kind: `statement` or `notification`.
        credits: Its credit entries that are money arriving (received transfers and
            collections); debits and returned payments are left out.
    """

    model_config = ConfigDict(frozen=True)

    statement_id: str
    kind: str = "statement"
    account: str
    currency: CurrencyCode
    day: date | None = None
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    credits: list[BankCredit] = []


class Receivable(BaseModel):
    """An open customer invoice, as the ERP holds it.

    Attributes:
        billing_document: The invoice number the customer was sent and quotes.
        accounting_document: The journal entry that posted it.
        order_workflow_id: The order workflow that billed it ("" for an invoice not
            made by Ordermesh).
        amount: The gross amount billed (net plus tax).
        open_amount: What is still owed: `amount` less part payments already applied.
        due_on: Net due date, from the payment terms.
    """

    model_config = ConfigDict(frozen=True)

    billing_document: str
    accounting_document: str = ""
    customer_id: str
    customer_name: str = ""
    sales_order: str = ""
    order_workflow_id: str = ""
    currency: CurrencyCode
    amount: Decimal
    open_amount: Decimal
    due_on: date | None = None


class MatchRule(StrEnum):
    """Why a credit was applied to the invoices it was applied to."""

    REFERENCE = "reference"  # invoice number in the structured reference
    REMITTANCE = "remittance"  # invoice number in the remittance text
    PAYER_AMOUNT = "payer_amount"  # the payer's only invoice for exactly this amount
    OPS = "ops"  # a person decided


class CashApplication(BaseModel):
    """Part of a credit applied to one invoice.

    Attributes:
        amount: Applied to this invoice.
        open_after: What the invoice still owes afterwards (0: settled in full).
        short_reason: For a short payment, the reason the payer gave (their note).
        invoice_amount: The invoice's whole amount as the ERP holds it, when known:
            money that settles an invoice never part-paid is exactly this, and the ERP
            can clear it with a bank statement.
    """

    model_config = ConfigDict(frozen=True)

    entry_id: str
    billing_document: str
    order_workflow_id: str = ""
    customer_id: str = ""
    currency: CurrencyCode
    amount: Decimal
    open_after: Decimal
    short_reason: str = ""
    invoice_amount: Decimal | None = None

    @property
    def settles(self) -> bool:
        return self.open_after == 0

    @property
    def clears_whole_invoice(self) -> bool:
        """It settles an invoice that was not part-paid before: its whole amount is this."""
        return self.settles and self.invoice_amount == self.amount


class CashDecision(BaseModel):
    """What became of one credit.

    Attributes:
        applications: Empty when nothing was applied.
        unapplied_amount: Money not applied (all of it when nothing matched; the
            excess of an overpayment), kept as unapplied cash.
        candidates: Invoices it might have been for, when the match was ambiguous.
        reason: Why it was (not) applied, in words.
    """

    model_config = ConfigDict(frozen=True)

    credit: BankCredit
    rule: MatchRule | None = None
    applications: list[CashApplication] = []
    unapplied_amount: Decimal = Decimal(0)
    candidates: list[str] = []
    reason: str = ""
