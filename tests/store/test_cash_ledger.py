"""The cash ledger claims each bank entry once and keeps unapplied cash, on each backend."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from canonical.cash import BankCredit, BankStatement, CashApplication, CashDecision, MatchRule
from store.cash_ledger import REREAD_DAYS, CashLedger


@pytest.fixture
def ledger(engine: Engine) -> CashLedger:
    return CashLedger(engine)


def credit(entry_id: str, amount: str = "1190.00") -> BankCredit:
    return BankCredit(
        entry_id=entry_id,
        statement_id="STMT-1",
        account="ACME",
        amount=Decimal(amount),
        currency="EUR",
        value_date=date(2026, 11, 23),
        payer_name="Becker Berlin",
        structured_reference="0090000001",
        remittance_lines=["INV 0090000001 less ", "10.00 damaged"],
    )


def applied(entry_id: str, billing: str, amount: str, open_after: str = "0") -> CashDecision:
    money = Decimal(amount)
    return CashDecision(
        credit=credit(entry_id, amount),
        rule=MatchRule.REFERENCE,
        applications=[
            CashApplication(
                entry_id=entry_id,
                billing_document=billing,
                order_workflow_id="order-A",
                customer_id="1000001",
                currency="EUR",
                amount=money,
                open_after=Decimal(open_after),
                short_reason="damaged" if open_after != "0" else "",
            )
        ],
    )


def unapplied(entry_id: str, amount: str = "50.00") -> CashDecision:
    return CashDecision(
        credit=credit(entry_id, amount),
        unapplied_amount=Decimal(amount),
        candidates=["0090000001", "0090000002"],
        reason="names no invoice",
    )


def test_an_entry_is_claimed_once(ledger: CashLedger) -> None:
    first = ledger.claim("run-1", [applied("E1", "0090000001", "1190.00")])
    again = ledger.claim("run-2", [applied("E1", "0090000001", "1190.00")])

    assert [d.credit.entry_id for d in first] == ["E1"]
    assert again == []
    assert ledger.applied_amounts(["0090000001"]) == {"0090000001": Decimal("1190.00")}
    assert ledger.unseen("ACME", [credit("E1"), credit("E2"), credit("E2")]) == [credit("E2")]


def test_concurrent_claims_of_one_entry_leave_one_winner(ledger: CashLedger) -> None:
    decision = applied("E-RACE", "0090000009", "10.00")
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda n: ledger.claim(f"run-{n}", [decision]), range(6)))

    assert sum(len(r) for r in results) == 1
    assert len(ledger.applications("E-RACE")) == 1


def test_part_payments_count_until_the_erp_refuses_them(ledger: CashLedger) -> None:
    decision = applied("E1", "0090000001", "1100.00", open_after="90.00")
    ledger.claim("run-1", [decision])
    assert ledger.applied_amounts(["0090000001"]) == {"0090000001": Decimal("1100.00")}

    item_id = ledger.refused(decision.applications[0], "ACME", "posting period closed")

    assert ledger.applied_amounts(["0090000001"]) == {}
    item = ledger.unapplied_item(item_id)
    assert item is not None
    assert (item.amount, item.state, item.candidates) == (Decimal("1100.00"), "open", "0090000001")
    assert "posting period closed" in item.reason
    assert item.payer_name == "Becker Berlin"


def test_unapplied_cash_waits_for_one_decision(ledger: CashLedger) -> None:
    ledger.claim("run-1", [unapplied("E9", "50.00")])
    (item,) = ledger.unapplied()
    assert item.id is not None
    assert (item.amount, item.candidates, item.reason) == (
        Decimal("50.00"),
        "0090000001 0090000002",
        "names no invoice",
    )
    assert item.remittance == "INV 0090000001 less 10.00 damaged"

    decision = applied(f"E9/ops-{item.id}", "0090000002", "50.00")
    assert ledger.decide(item.id, decision) is True
    assert ledger.decide(item.id, decision) is False

    assert ledger.unapplied() == []
    (done,) = ledger.unapplied(state="applied")
    assert done.applied_to == "0090000002"
    assert ledger.applied_amounts(["0090000002"]) == {"0090000002": Decimal("50.00")}


def test_posting_is_recorded_against_the_application(ledger: CashLedger) -> None:
    ledger.claim("run-1", [applied("E1", "0090000001", "1190.00")])
    ledger.posted("E1", "0090000001", "0100000042")

    (row,) = ledger.applications("E1")
    assert (row.state, row.erp_document, row.rule) == ("posted", "0100000042", "reference")


def test_statements_are_read_again_from_a_week_before_the_last(ledger: CashLedger) -> None:
    assert ledger.read_since("ACME") is None
    statements = [
        BankStatement(statement_id=f"S{d}", account="ACME", currency="EUR", day=date(2026, 11, d))
        for d in (20, 23)
    ]
    ledger.mark_read("ACME", statements)
    ledger.mark_read("ACME", statements)  # a statement read twice is noted once

    assert ledger.read_since("ACME") == date(2026, 11, 23 - REREAD_DAYS)
    assert ledger.read_since("GLOBEX") is None
