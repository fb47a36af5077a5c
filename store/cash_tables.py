"""Tables of the cash ledger: bank entries read, what they were applied to, and the
money no invoice could be found for."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.clock import utc_now


def _money_column() -> Column[Decimal]:
    return Column(Numeric(18, 2), nullable=False)


class BankStatementRead(SQLModel, table=True):
    """A statement or notification that has been read (so later runs read from its
    day on, not from the beginning of time)."""

    __tablename__ = "bank_statement_read"
    __table_args__ = (UniqueConstraint("account", "statement_id", name="uq_statement_read"),)

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=35)
    statement_id: str = Field(max_length=70)
    kind: str = Field(max_length=20)
    day: date | None = None
    read_at: datetime = Field(default_factory=utc_now)


class BankEntry(SQLModel, table=True):
    """One credit, once. The unique entry id is what makes a statement read twice (or a
    credit seen first in a notification, then in the statement) harmless.

    Attributes:
        outcome: `applied`, `partly_applied` (some of it is unapplied cash) or
            `unapplied`.
    """

    __tablename__ = "bank_entry"
    __table_args__ = (UniqueConstraint("account", "entry_id", name="uq_bank_entry"),)

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=35)
    entry_id: str = Field(max_length=70)
    statement_id: str = Field(default="", max_length=70)
    amount: Decimal = Field(sa_column=_money_column())
    currency: str = Field(max_length=3)
    value_date: date | None = None
    payer_name: str = Field(default="", max_length=140)
    payer_account: str = Field(default="", max_length=70)
    reference: str = Field(default="", max_length=140)
    remittance: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    run_id: str = Field(default="", max_length=120)
    outcome: str = Field(default="unapplied", max_length=20)
    received_at: datetime = Field(default_factory=utc_now)


class CashApplicationRow(SQLModel, table=True):
    """Money from one bank entry (or an ops decision) applied to one invoice.

    Attributes:
        state: `decided` (recorded, not yet in the ERP), `posted` (the ERP cleared the
            invoice or holds the part payment) or `refused` (the ERP would not; the
            money went back to unapplied cash).
        erp_document: The ERP's clearing or payment document.
    """

    __tablename__ = "cash_application"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: str = Field(max_length=70, index=True)
    billing_document: str = Field(max_length=20, index=True)
    order_workflow_id: str = Field(default="", max_length=200)
    customer_id: str = Field(default="", max_length=20)
    amount: Decimal = Field(sa_column=_money_column())
    currency: str = Field(max_length=3)
    open_after: Decimal = Field(sa_column=_money_column())
    short_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    rule: str = Field(default="", max_length=20)
    state: str = Field(default="decided", max_length=20)
    erp_document: str = Field(default="", max_length=20)
    applied_at: datetime = Field(default_factory=utc_now)


class UnappliedCash(SQLModel, table=True):
    """Money that matched no invoice, or matched ambiguously, or was more than owed:
    kept until a person decides (`POST /cash/unapplied/{id}/apply`).

    Attributes:
        candidates: Invoice numbers it might be for, space separated.
        state: `open` or `applied`.
        applied_to: The invoices a person applied it to, space separated.
    """

    __tablename__ = "unapplied_cash"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: str = Field(max_length=70, index=True)
    account: str = Field(max_length=35)
    amount: Decimal = Field(sa_column=_money_column())
    currency: str = Field(max_length=3)
    value_date: date | None = None
    payer_name: str = Field(default="", max_length=140)
    payer_account: str = Field(default="", max_length=70)
    reference: str = Field(default="", max_length=140)
    remittance: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    candidates: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    state: str = Field(default="open", max_length=20)
    applied_to: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utc_now)
    decided_at: datetime | None = None
