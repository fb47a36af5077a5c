"""The cash ledger: which bank entries have been handled, what they paid, and the
money still waiting for a person.

The ERP is the book of record for what customers owe; this ledger is Ordermesh's
record of the money side, and the reason reading a statement twice clears nothing
twice: a bank entry is claimed once (unique per account and entry id), in the same
transaction as what was decided about it.
"""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from canonical.cash import BankCredit, BankStatement, CashApplication, CashDecision
from store.cash_tables import BankEntry, BankStatementRead, CashApplicationRow, UnappliedCash
from store.clock import utc_now

# Statements are read again from a few days before the last one read: a late
# notification or a re-issued statement then still gets looked at (entries already
# handled are skipped by id).
REREAD_DAYS = 7

COUNTED_STATES = ("decided", "posted")


class CashLedger:
    """Claims bank entries and keeps what became of them.

    Args:
        engine: The store's engine (SQLite or PostgreSQL).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine

    # -- reading the bank ------------------------------------------------------------

    def read_since(self, account: str) -> date | None:
        """The day to read statements from: a week before the last one read."""
        with Session(self._engine) as session:
            last = session.exec(
                select(func.max(BankStatementRead.day)).where(BankStatementRead.account == account)
            ).one()
        return None if last is None else last - timedelta(days=REREAD_DAYS)

    def unseen(self, account: str, credits: Iterable[BankCredit]) -> list[BankCredit]:
        """The credits not handled yet, each once (a credit in both a notification and
        the day's statement is the same entry)."""
        fresh: dict[str, BankCredit] = {}
        for credit in credits:
            fresh.setdefault(credit.entry_id, credit)
        if not fresh:
            return []
        with Session(self._engine) as session:
            known = set(
                session.exec(
                    select(BankEntry.entry_id).where(
                        BankEntry.account == account, col(BankEntry.entry_id).in_(list(fresh))
                    )
                ).all()
            )
        return [credit for entry_id, credit in fresh.items() if entry_id not in known]

    def mark_read(self, account: str, statements: Sequence[BankStatement]) -> None:
        with Session(self._engine) as session:
            for statement in statements:
                with session.begin_nested() as nested:
                    session.add(
                        BankStatementRead(
                            account=account,
                            statement_id=statement.statement_id,
                            kind=statement.kind,
                            day=statement.day,
                        )
                    )
                    try:
                        session.flush()
                    except IntegrityError:
                        nested.rollback()
            session.commit()

    # -- deciding --------------------------------------------------------------------

    def claim(self, run_id: str, decisions: Sequence[CashDecision]) -> list[CashDecision]:
        """Record each decision whose bank entry nobody has handled yet; returns those
        (a concurrent run, or an earlier attempt, may have claimed the others)."""
        claimed: list[CashDecision] = []
        with Session(self._engine) as session:
            for decision in decisions:
                credit = decision.credit
                with session.begin_nested() as nested:
                    session.add(_entry(run_id, decision))
                    try:
                        session.flush()
                    except IntegrityError:
                        nested.rollback()
                        continue
                    _add_outcome(session, decision, credit.account)
                claimed.append(decision)
            session.commit()
        return claimed

    def applied_amounts(self, billing_documents: Iterable[str]) -> dict[str, Decimal]:
        """Per invoice, what has been applied to it and not refused by the ERP."""
        numbers = sorted(set(billing_documents))
        if not numbers:
            return {}
        with Session(self._engine) as session:
            rows = session.exec(
                select(CashApplicationRow.billing_document, func.sum(CashApplicationRow.amount))
                .where(
                    col(CashApplicationRow.billing_document).in_(numbers),
                    col(CashApplicationRow.state).in_(COUNTED_STATES),
                )
                .group_by(CashApplicationRow.billing_document)
            ).all()
        return {number: Decimal(total) for number, total in rows}

    def posted(self, entry_id: str, billing_document: str, erp_document: str) -> None:
        """The ERP took the application (cleared the invoice, or holds the part payment)."""
        with Session(self._engine) as session:
            for row in _applications(session, entry_id, billing_document):
                row.state = "posted"
                row.erp_document = erp_document
                session.add(row)
            session.commit()

    def refused(self, application: CashApplication, account: str, reason: str) -> int:
        """The ERP would not take the application: the money goes to unapplied cash.
        Returns the unapplied item's id."""
        with Session(self._engine) as session:
            entry = session.exec(
                select(BankEntry).where(
                    BankEntry.account == account, BankEntry.entry_id == application.entry_id
                )
            ).first()
            for row in _applications(session, application.entry_id, application.billing_document):
                row.state = "refused"
                session.add(row)
            item = UnappliedCash(
                entry_id=application.entry_id,
                account=account,
                amount=application.amount,
                currency=application.currency,
                value_date=entry.value_date if entry else None,
                payer_name=entry.payer_name if entry else "",
                payer_account=entry.payer_account if entry else "",
                reference=entry.reference if entry else "",
                remittance=entry.remittance if entry else "",
                reason=f"the ERP refused it for {application.billing_document}: {reason}",
                candidates=application.billing_document,
            )
            session.add(item)
            if entry is not None and entry.outcome == "applied":
                entry.outcome = "partly_applied"
                session.add(entry)
            session.commit()
            assert item.id is not None
            return item.id

    def credit_memo(self, application: CashApplication, erp_document: str) -> bool:
        """A credit memo applied to an open invoice (it lowers what is owed, as a payment
        would); once per memo and invoice. False when recorded before."""
        with Session(self._engine) as session:
            if _applications(session, application.entry_id, application.billing_document):
                return False
            row = _application_row(application, "credit_memo")
            row.state, row.erp_document = "posted", erp_document
            session.add(row)
            session.commit()
        return True

    # -- unapplied cash --------------------------------------------------------------

    def unapplied(self, state: str | None = "open") -> list[UnappliedCash]:
        with Session(self._engine) as session:
            query = select(UnappliedCash).order_by(col(UnappliedCash.id))
            if state is not None:
                query = query.where(UnappliedCash.state == state)
            return list(session.exec(query).all())

    def unapplied_item(self, item_id: int) -> UnappliedCash | None:
        with Session(self._engine) as session:
            return session.get(UnappliedCash, item_id)

    def decide(self, item_id: int, decision: CashDecision) -> bool:
        """Apply an unapplied item as a person decided. False when it is no longer
        open (decided already): the first decision stands."""
        with Session(self._engine) as session:
            item = session.get(UnappliedCash, item_id)
            if item is None or item.state != "open":
                return False
            item.state = "applied"
            item.applied_to = " ".join(a.billing_document for a in decision.applications)
            item.decided_at = utc_now()
            session.add(item)
            _add_outcome(session, decision, item.account)
            session.commit()
        return True

    def applications(self, entry_id: str) -> list[CashApplicationRow]:
        with Session(self._engine) as session:
            return list(
                session.exec(
                    select(CashApplicationRow)
                    .where(CashApplicationRow.entry_id == entry_id)
                    .order_by(col(CashApplicationRow.id))
                ).all()
            )


def _entry(run_id: str, decision: CashDecision) -> BankEntry:
    credit = decision.credit
    if not decision.applications:
        outcome = "unapplied"
    elif decision.unapplied_amount > 0:
        outcome = "partly_applied"
    else:
        outcome = "applied"
    return BankEntry(
        account=credit.account,
        entry_id=credit.entry_id,
        statement_id=credit.statement_id,
        amount=credit.amount,
        currency=credit.currency,
        run_id=run_id,
        outcome=outcome,
        **_as_paid(credit),
    )


def _as_paid(credit: BankCredit) -> dict[str, Any]:
    """What the payer sent with the money, cut to the columns' widths."""
    return {
        "value_date": credit.value_date,
        "payer_name": credit.payer_name[:140],
        "payer_account": credit.payer_account[:70],
        "reference": credit.structured_reference[:140],
        "remittance": credit.remittance_text,
    }


def _add_outcome(session: Session, decision: CashDecision, account: str) -> None:
    """The applications of a decision, and what is left of the money as unapplied cash."""
    for application in decision.applications:
        session.add(_application_row(application, decision.rule.value if decision.rule else ""))
    if decision.unapplied_amount > 0:
        credit = decision.credit
        session.add(
            UnappliedCash(
                entry_id=credit.entry_id,
                account=account,
                amount=decision.unapplied_amount,
                currency=credit.currency,
                reason=decision.reason,
                candidates=" ".join(decision.candidates),
                **_as_paid(credit),
            )
        )


def _application_row(application: CashApplication, rule: str) -> CashApplicationRow:
    return CashApplicationRow(
        entry_id=application.entry_id,
        billing_document=application.billing_document,
        order_workflow_id=application.order_workflow_id,
        customer_id=application.customer_id,
        amount=application.amount,
        currency=application.currency,
        open_after=application.open_after,
        short_reason=application.short_reason,
        rule=rule,
    )


def _applications(
    session: Session, entry_id: str, billing_document: str
) -> list[CashApplicationRow]:
    return list(
        session.exec(
            select(CashApplicationRow).where(
                CashApplicationRow.entry_id == entry_id,
                CashApplicationRow.billing_document == billing_document,
                CashApplicationRow.state != "refused",
            )
        ).all()
    )
