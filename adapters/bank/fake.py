"""An in-memory bank for unit, activity and workflow tests.

It keeps the contract of mock-bank as seen through `MockBankAdapter`: a credit is
notified as it books and is on its day's statement once the day is closed, every
closed day has a statement for every account (empty days too), balances carry
over, reading takes nothing, and an unknown account is `NotFoundError`. It records
what it was asked and fails on demand. There are no weekends, holidays or cutoff:
a credit books on the fake's `today`, and `end_day` closes it.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from adapters.errors import NotFoundError
from adapters.scripted_failures import FailureScript
from canonical.cash import BankCredit, BankStatement

SYSTEM = "bank"
NOTIFICATION = "notification"
STATEMENT = "statement"

_METHODS = frozenset({"statements"})


def _oldest_first(reports: Iterable[BankStatement]) -> list[BankStatement]:
    return sorted(reports, key=lambda report: report.day or date.min)


class FakeBank:
    """`BankPort` in memory, cosmicpython style: arranged, recording, scriptable.

    Args:
        accounts: The accounts the bank holds; `add_credit` and `add_statement`
            add theirs.
        today: The bank's first business day.
        balances: account -> opening balance of the first day (0 when not given).
        currency: The currency of every account.

    Attributes:
        today: The day credits book on; `end_day` moves it on.
        balances: account -> balance now, credits booked today included.
        asked: Every `statements` call as `(account, since)`, failed ones included.
    """

    def __init__(
        self,
        accounts: Iterable[str] = ("ACME",),
        *,
        today: date = date(2026, 10, 5),
        balances: Mapping[str, Decimal] | None = None,
        currency: str = "EUR",
    ) -> None:
        self.today = today
        self.currency = currency
        self.balances: dict[str, Decimal] = defaultdict(Decimal)
        self.balances.update(balances or {})
        self.asked: list[tuple[str, date | None]] = []
        self._accounts: set[str] = set(accounts) | set(self.balances)
        self._statements: defaultdict[str, list[BankStatement]] = defaultdict(list)
        self._notifications: defaultdict[str, list[BankStatement]] = defaultdict(list)
        self._booked_today: defaultdict[str, list[BankCredit]] = defaultdict(list)
        self._numbers = count(1)
        self._script = FailureScript("FakeBank", _METHODS)

    # -- arranging --

    def add_credit(
        self,
        account: str,
        amount: Decimal | str,
        *,
        payer_name: str = "",
        payer_account: str = "",
        remittance_lines: Sequence[str] = (),
        structured_reference: str = "",
        end_to_end_id: str = "",
        value_date: date | None = None,
        entry_id: str = "",
    ) -> BankCredit:
        """Money arriving: it books today, is notified at once, and is on today's
        statement once `end_day` closes it. Returns the credit as notified.

        Args:
            account: Ours; held from now on if it was not.
            amount: Positive, in the fake's currency.
            remittance_lines: The note as the bank cut it.
            value_date: The payer's value date; today when None.
            entry_id: The bank's reference; `FAKE-RCV-<n>` when empty.
        """
        self._accounts.add(account)
        number = next(self._numbers)
        credit = BankCredit(
            entry_id=entry_id or f"FAKE-RCV-{number}",
            account=account,
            amount=Decimal(amount),
            currency=self.currency,
            booking_date=self.today,
            value_date=value_date or self.today,
            payer_name=payer_name,
            payer_account=payer_account,
            end_to_end_id=end_to_end_id,
            structured_reference=structured_reference,
            remittance_lines=list(remittance_lines),
        )
        self._booked_today[account].append(credit)
        self.balances[account] += credit.amount
        notification_id = f"FAKE-C054-{account}-{number}"
        self._notifications[account].append(
            self._report(notification_id, NOTIFICATION, account, [credit])
        )
        return credit.model_copy(update={"statement_id": notification_id})

    def add_statement(self, statement: BankStatement) -> None:
        """Arrange a ready-made statement or notification (by its `kind`), as the
        bank had sent it; balances and `today` are left alone."""
        self._accounts.add(statement.account)
        reports = self._notifications if statement.kind == NOTIFICATION else self._statements
        reports[statement.account].append(statement)

    def end_day(self) -> list[BankStatement]:
        """Close `today`: a statement for every account, with the credits booked
        today (none on a quiet day), then move `today` to the next day. Returns them."""
        issued = []
        for account in sorted(self._accounts):
            credits = self._booked_today.pop(account, [])
            closing = self.balances[account]
            statement = self._report(
                f"FAKE-C053-{account}-{next(self._numbers)}",
                STATEMENT,
                account,
                credits,
                opening=closing - sum((c.amount for c in credits), Decimal(0)),
                closing=closing,
            )
            self._statements[account].append(statement)
            issued.append(statement)
        self.today += timedelta(days=1)
        return issued

    def _report(
        self,
        statement_id: str,
        kind: str,
        account: str,
        credits: list[BankCredit],
        *,
        opening: Decimal | None = None,
        closing: Decimal | None = None,
    ) -> BankStatement:
        return BankStatement(
            statement_id=statement_id,
            kind=kind,
            account=account,
            currency=self.currency,
            day=self.today,
            opening_balance=opening,
            closing_balance=closing,
            credits=[c.model_copy(update={"statement_id": statement_id}) for c in credits],
        )

    # -- scripting --

    def fail_next(
        self, method: str, exc: Exception, times: int = 1, *, after_effect: bool = False
    ) -> None:
        """Make the next `times` calls of `method` (`"statements"`) raise `exc`;
        with `after_effect` the statements are read first (a lost response)."""
        self._script.add(method, exc, times, after_effect=after_effect)

    # -- the port --

    async def statements(self, account: str, since: date | None = None) -> list[BankStatement]:
        """As `BankPort.statements`."""
        self.asked.append((account, since))
        failure = self._script.before("statements")
        if account not in self._accounts:
            raise NotFoundError(f"bank: no account {account!r}", system=SYSTEM)
        # As through the real adapter: notifications only when they report money arriving.
        notifications = [n for n in self._notifications[account] if n.credits]
        wanted = [
            report
            for reports in (self._statements[account], notifications)
            for report in _oldest_first(reports)
            if since is None or report.day is None or report.day >= since
        ]
        if failure is not None:
            raise failure.exc
        return wanted
