"""What Ordermesh asks of its bank: what arrived in an account.

The bank reports money arriving twice: a credit notification (camt.054) as the
credit books, and the end-of-day statement (camt.053) once the day is over. Both
carry the same `BankCredit.entry_id` for one credit, so the caller reads both,
keeps what it has not seen, and is safe to read again.
"""

from datetime import date
from typing import Protocol

from canonical.cash import BankStatement


class BankPort(Protocol):
    """The bank, read only. An unknown account is a `NotFoundError`; a message the
    bank sent that cannot be read is a `RejectionError` with code `BANK_UNREADABLE`."""

    async def statements(self, account: str, since: date | None = None) -> list[BankStatement]:
        """Every statement of `account` whose day is on or after `since` (all when
        None), oldest first, then its credit notifications on or after `since`,
        oldest first (`kind="notification"`; only those reporting money arriving).

        Reading takes nothing: the same call again returns the same, plus whatever
        arrived since. A credit is reported in its notification and again on its
        day's statement, so the caller dedups by `BankCredit.entry_id`.

        Args:
            account: Our id of the account at the bank (e.g. `ACME`); it is the
                `account` of every statement and credit returned.
            since: The first day wanted, by the statement's (or notification's) day.
        """
        ...
