"""An order's invoices: due dates from the terms, payments applied once, PAID when all
are settled, and reminders as they fall overdue."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from canonical.invoices import CREDIT_MEMO_RULE, Invoice, InvoiceState, Payment
from canonical.money import Money, round_money
from canonical.payment_terms import due_date, net_days
from canonical.statuses import OrderStatus
from tests.unit.builders import submission
from workflows.order_payments import OrderPayments
from workflows.order_state import OrderState

BILLED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def invoice(number: str, gross: str, terms: str = "NT30") -> Invoice:
    return Invoice(
        billing_document=number,
        sales_order="5000001",
        net=Money(amount=round_money(Decimal(gross) / Decimal("1.19"))),
        gross=Money(amount=Decimal(gross)),
        payment_terms=terms,
        lines=[],
    )


def payment(number: str, amount: str, open_after: str = "0", entry: str = "E1") -> Payment:
    return Payment(
        payment_id=entry,
        billing_document=number,
        amount=Money(amount=Decimal(amount)),
        open_after=Decimal(open_after),
        short_reason="less 10.00 damaged goods" if open_after != "0" else "",
    )


def billed(*invoices: Invoice) -> tuple[OrderState, OrderPayments]:
    state = OrderState("ORD-1", submission(), BILLED)
    payments = OrderPayments(state)
    for each in invoices:
        state.add_invoice(BILLED, payments.stamp(BILLED, each))
    return state, payments


def kinds(state: OrderState) -> list[str]:
    return [e.kind for e in state.view.timeline]


@pytest.mark.parametrize(("terms", "days"), [("NT30", 30), ("nt45", 45), ("0001", 0)])
def test_terms_read_as_net_days(terms: str, days: int) -> None:
    assert net_days(terms) == days
    assert due_date(date(2026, 11, 2), terms) == date(2026, 11, 2) + timedelta(days=days)


@pytest.mark.parametrize("terms", ["", "0002", "NET30", "NT"])
def test_unreadable_terms_are_refused(terms: str) -> None:
    with pytest.raises(ValueError, match="payment terms"):
        net_days(terms)


def test_an_invoice_is_due_after_its_terms() -> None:
    state, _ = billed(invoice("0090000001", "1190.00", "NT45"))

    (stamped,) = state.view.invoices
    assert stamped.billed_on == date(2026, 11, 2)
    assert stamped.due_on == date(2026, 12, 17)


def test_paid_in_full_makes_the_order_paid_once() -> None:
    state, payments = billed(invoice("0090000001", "1190.00"))

    assert payments.apply(BILLED, payment("0090000001", "1190.00")) is True
    assert payments.apply(BILLED, payment("0090000001", "1190.00")) is False

    assert payments.all_paid()
    assert state.status is OrderStatus.PAID
    assert state.view.invoices[0].state is InvoiceState.PAID
    assert len(state.view.payments) == 1
    assert kinds(state)[-2:] == ["PAYMENT_RECEIVED", "PAID"]


def test_a_short_payment_leaves_the_rest_open_with_the_reason() -> None:
    state, payments = billed(invoice("0090000001", "1190.00"))

    payments.apply(BILLED, payment("0090000001", "1180.00", open_after="10.00"))

    (partly,) = state.view.invoices
    assert (partly.state, partly.paid, partly.open_amount) == (
        InvoiceState.PARTLY_PAID,
        Decimal("1180.00"),
        Decimal("10.00"),
    )
    assert partly.short_reason == "less 10.00 damaged goods"
    assert not payments.all_paid()
    assert state.status is not OrderStatus.PAID
    assert "damaged goods" in state.view.timeline[-1].detail

    payments.apply(BILLED, payment("0090000001", "10.00", entry="E2"))
    assert payments.all_paid()
    assert state.view.invoices[0].short_reason == ""


def test_a_payment_for_another_orders_invoice_changes_nothing() -> None:
    state, payments = billed(invoice("0090000001", "1190.00"))

    assert payments.apply(BILLED, payment("0090000099", "1190.00")) is False
    assert state.view.payments == []


def test_one_invoice_of_two_paid_is_not_paid() -> None:
    _, payments = billed(invoice("0090000001", "100.00"), invoice("0090000002", "200.00"))
    payments.apply(BILLED, payment("0090000001", "100.00"))

    assert not payments.all_paid()
    assert payments.open_amount() == Decimal("200.00")


def test_overdue_the_day_after_the_due_date_then_dunned_every_two_weeks() -> None:
    state, payments = billed(invoice("0090000001", "1190.00"))
    first = datetime(2026, 12, 3, tzinfo=UTC)  # due 2026-12-02

    assert payments.next_reminder() == first
    payments.remind(first - timedelta(seconds=1))
    assert "PAYMENT_OVERDUE" not in kinds(state)

    payments.remind(first)
    assert kinds(state)[-2:] == ["PAYMENT_OVERDUE", "DUNNING_NOTICE"]
    assert "0090000001 was due 2026-12-02" in state.view.timeline[-2].detail
    assert payments.next_reminder() == first + timedelta(days=14)

    payments.remind(first + timedelta(days=14))
    payments.remind(first + timedelta(days=28))
    assert kinds(state).count("PAYMENT_OVERDUE") == 1
    assert [e.detail.split()[1] for e in state.view.timeline if e.kind == "DUNNING_NOTICE"] == [
        "1",
        "2",
        "3",
    ]
    assert payments.next_reminder() is None


def test_a_paid_invoice_needs_no_reminder() -> None:
    _, payments = billed(invoice("0090000001", "1190.00"))
    payments.apply(BILLED, payment("0090000001", "1190.00"))

    assert payments.next_reminder() is None


def test_a_credit_memo_lowers_what_is_owed_and_says_so() -> None:
    state, payments = billed(invoice("0090000001", "1190.00"))
    credit = Payment(
        payment_id="credit-memo-0090000002",
        billing_document="0090000001",
        amount=Money(amount=Decimal("190.00")),
        open_after=Decimal("1000.00"),
        rule=CREDIT_MEMO_RULE,
        short_reason="credit memo 0090000002 for return RMA-1",
    )

    assert payments.apply(BILLED, credit)

    (owed,) = state.view.invoices
    assert owed.open_amount == Decimal("1000.00")
    last = state.view.timeline[-1]
    assert last.kind == "CREDIT_APPLIED"
    assert "RMA-1" in last.detail and "1000.00 still open" in last.detail
    payments.apply(BILLED, payment("0090000001", "1000.00", entry="E9"))
    assert state.status is OrderStatus.PAID
