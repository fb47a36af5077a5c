"""`FakeBank` keeps the contract `MockBankAdapter` keeps over mock-bank.

The contract tests run twice: against the fake, and against the real adapter and a
real mock-bank, so a difference between them fails here rather than in a cash
application test that trusted the fake. What only the fake does (arranging,
recording, scripted failures) is tested after them.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from adapters.bank.fake import FakeBank
from adapters.bank.port import BankPort
from adapters.errors import NotFoundError, TransientError
from canonical.cash import BankCredit, BankStatement
from tests.adapters import bank_fixtures
from tests.adapters.bank_fixtures import (
    ACCOUNT,
    MONDAY,
    OPENING,
    PAYER_IBAN,
    adapter_for,
    reset_mock_bank,
)

# pytest finds fixtures among module attributes; this one lives in bank_fixtures.
mock_bank_url = bank_fixtures.mock_bank_url


@dataclass(frozen=True)
class Payment:
    """What a payer sends us."""

    amount: Decimal
    payer_name: str = "Customer Ltd"
    payer_iban: str = PAYER_IBAN
    lines: tuple[str, ...] = ("INV-2026-1001",)
    reference: str = ""


@dataclass
class Bank:
    """A bank under contract test, and how to make money arrive in `ACCOUNT` today
    and end the day."""

    port: BankPort
    pay: Callable[[Payment], Awaitable[None]]
    end_day: Callable[[], Awaitable[None]]


@pytest.fixture(params=["fake", "mock-bank"])
async def bank(request: pytest.FixtureRequest) -> AsyncIterator[Bank]:
    if request.param == "fake":
        fake = FakeBank([ACCOUNT], today=MONDAY, balances={ACCOUNT: OPENING})

        async def credit(payment: Payment) -> None:
            fake.add_credit(
                ACCOUNT,
                payment.amount,
                payer_name=payment.payer_name,
                payer_account=payment.payer_iban,
                remittance_lines=payment.lines,
                structured_reference=payment.reference,
            )

        async def end_day() -> None:
            fake.end_day()

        yield Bank(fake, credit, end_day)
        return
    url: str = request.getfixturevalue("mock_bank_url")
    async with reset_mock_bank(url) as real, adapter_for(url) as adapter:

        async def post(payment: Payment) -> None:
            await real.credit(
                amount=int(payment.amount * 100),
                debtor={"name": payment.payer_name, "iban": payment.payer_iban},
                note=list(payment.lines),
                **({"reference": payment.reference} if payment.reference else {}),
            )

        async def advance() -> None:
            await real.advance(days=1)

        yield Bank(adapter, post, advance)


def credits(read: list[BankStatement], kind: str) -> list[BankCredit]:
    return [c for s in read if s.kind == kind for c in s.credits]


# -- the contract --


async def test_a_credit_is_notified_at_once_and_on_its_days_statement(bank: Bank) -> None:
    await bank.pay(Payment(Decimal("1180.00"), lines=("INV-1001", "less 70.00"), reference="RF1"))

    before = await bank.port.statements(ACCOUNT)
    await bank.end_day()
    after = await bank.port.statements(ACCOUNT)

    assert [(s.kind, s.day) for s in before] == [("notification", MONDAY)]
    assert [(s.kind, s.day) for s in after] == [("statement", MONDAY), ("notification", MONDAY)]
    [notified] = credits(after, "notification")
    [on_statement] = credits(after, "statement")
    assert notified.entry_id == on_statement.entry_id
    assert notified.model_copy(update={"statement_id": on_statement.statement_id}) == on_statement
    assert (notified.account, notified.amount, notified.currency) == (
        ACCOUNT,
        Decimal("1180.00"),
        "EUR",
    )
    assert (notified.payer_name, notified.payer_account) == ("Customer Ltd", PAYER_IBAN)
    assert notified.remittance_lines == ["INV-1001", "less 70.00"]
    assert notified.structured_reference == "RF1"
    assert notified.booking_date == notified.value_date == MONDAY
    assert credits(before, "notification") == [notified]


async def test_balances_carry_over_and_quiet_days_have_statements(bank: Bank) -> None:
    await bank.pay(Payment(Decimal("100.00")))
    await bank.pay(Payment(Decimal("20.50")))
    await bank.end_day()
    await bank.end_day()

    monday, tuesday = [s for s in await bank.port.statements(ACCOUNT) if s.kind == "statement"]

    assert (monday.opening_balance, monday.closing_balance) == (
        OPENING,
        OPENING + Decimal("120.50"),
    )
    assert (tuesday.day, tuesday.credits) == (MONDAY + timedelta(days=1), [])
    assert tuesday.opening_balance == tuesday.closing_balance == monday.closing_balance
    assert monday.statement_id != tuesday.statement_id


async def test_since_reads_from_a_day_on(bank: Bank) -> None:
    await bank.pay(Payment(Decimal("1.00"), lines=("MONDAY",)))
    await bank.end_day()
    await bank.pay(Payment(Decimal("2.00"), lines=("TUESDAY",)))
    await bank.end_day()
    tuesday = MONDAY + timedelta(days=1)

    read = await bank.port.statements(ACCOUNT, since=tuesday)

    assert [(s.kind, s.day) for s in read] == [("statement", tuesday), ("notification", tuesday)]
    assert {c.remittance_lines[0] for s in read for c in s.credits} == {"TUESDAY"}
    assert len(await bank.port.statements(ACCOUNT, since=date(2030, 1, 1))) == 0


async def test_reading_twice_reads_the_same(bank: Bank) -> None:
    await bank.pay(Payment(Decimal("5.00")))
    await bank.end_day()

    assert await bank.port.statements(ACCOUNT) == await bank.port.statements(ACCOUNT)


async def test_entry_ids_tell_credits_apart(bank: Bank) -> None:
    for _ in range(2):
        await bank.pay(Payment(Decimal("5.00")))  # the same payment, twice
    await bank.end_day()

    read = await bank.port.statements(ACCOUNT)

    ids = [c.entry_id for c in credits(read, "statement")]
    assert len(set(ids)) == 2
    assert [c.entry_id for c in credits(read, "notification")] == ids


async def test_an_unknown_account_is_not_found(bank: Bank) -> None:
    with pytest.raises(NotFoundError):
        await bank.port.statements("NOPE")


# -- what only the fake does --


async def test_fake_records_what_it_was_asked_and_fails_on_demand() -> None:
    fake = FakeBank()
    fake.fail_next("statements", TransientError("down", system="bank"), times=2)

    for _ in range(2):
        with pytest.raises(TransientError):
            await fake.statements(ACCOUNT, since=MONDAY)
    assert await fake.statements(ACCOUNT) == []

    assert fake.asked == [(ACCOUNT, MONDAY), (ACCOUNT, MONDAY), (ACCOUNT, None)]
    with pytest.raises(ValueError, match="statement"):
        fake.fail_next("statement", TransientError("x"))


async def test_fake_after_effect_reads_and_still_raises() -> None:
    fake = FakeBank()
    fake.add_credit(ACCOUNT, "5.00")
    fake.fail_next("statements", TransientError("lost", system="bank"), after_effect=True)

    with pytest.raises(TransientError):
        await fake.statements(ACCOUNT)

    assert len(await fake.statements(ACCOUNT)) == 1
    assert len(fake.asked) == 2


async def test_fake_arranged_statements_come_back_oldest_first() -> None:
    fake = FakeBank([])
    later = BankStatement(statement_id="S2", account="GLOBEX", currency="EUR", day=MONDAY)
    earlier = later.model_copy(update={"statement_id": "S1", "day": MONDAY - timedelta(days=3)})
    credit = BankCredit(entry_id="E1", account="GLOBEX", amount=Decimal(1), currency="EUR")
    notice = BankStatement(
        statement_id="N1",
        kind="notification",
        account="GLOBEX",
        currency="EUR",
        day=MONDAY,
        credits=[credit],
    )
    empty_notice = notice.model_copy(update={"statement_id": "N0", "credits": []})
    for statement in (later, notice, empty_notice, earlier):
        fake.add_statement(statement)

    read = await fake.statements("GLOBEX")

    # A notification reporting no money arriving is left out, as by the real adapter.
    assert [s.statement_id for s in read] == ["S1", "S2", "N1"]
    assert fake.today == MONDAY and fake.balances["GLOBEX"] == 0


async def test_fake_credit_defaults_and_given_ids() -> None:
    fake = FakeBank(today=MONDAY)

    first = fake.add_credit(ACCOUNT, Decimal("10"), value_date=MONDAY - timedelta(days=2))
    named = fake.add_credit("NEW", "3.50", entry_id="BANK-REF-9", end_to_end_id="E2E-9")
    [acme, new] = fake.end_day()

    assert first.entry_id.startswith("FAKE-RCV-")
    assert first.statement_id.startswith("FAKE-C054-ACME-")
    assert (first.value_date, first.booking_date) == (MONDAY - timedelta(days=2), MONDAY)
    assert (named.entry_id, named.end_to_end_id, named.account) == ("BANK-REF-9", "E2E-9", "NEW")
    assert [c.entry_id for c in new.credits] == ["BANK-REF-9"]
    assert acme.closing_balance == Decimal("10")
    assert fake.today == MONDAY + timedelta(days=1)
