"""Cash matching: one test (at least) per way payers pay."""

from decimal import Decimal
from typing import Any

import pytest

from canonical.cash import BankCredit, CashDecision, MatchRule, Receivable
from canonical.cash_matching import NO_REASON_GIVEN, apply_credit, match_credits
from canonical.invoice_numbers import InvoiceNumberIndex

BECKER = "1000001"
IBAN = "DE89 3704 0044 0532 0130 00"


def credit(amount: str, entry_id: str = "E1", **fields: Any) -> BankCredit:
    return BankCredit(
        entry_id=entry_id,
        account="DE02120300000000202051",
        amount=Decimal(amount),
        currency=fields.pop("currency", "EUR"),
        **fields,
    )


def invoice(
    number: str,
    open_amount: str,
    order: str = "order-A",
    customer: str = BECKER,
    currency: str = "EUR",
) -> Receivable:
    return Receivable(
        billing_document=number,
        customer_id=customer,
        customer_name="Becker Berlin GmbH" if customer == BECKER else "Other AG",
        order_workflow_id=order,
        currency=currency,
        amount=Decimal(open_amount),
        open_amount=Decimal(open_amount),
    )


def cut(text: str, width: int) -> list[str]:
    """The note as a bank cuts it: every `width` characters, wherever that falls."""
    return [text[start : start + width] for start in range(0, len(text), width)]


def applied(decision: CashDecision) -> list[tuple[str, Decimal, Decimal]]:
    return [(a.billing_document, a.amount, a.open_after) for a in decision.applications]


def one(credit_: BankCredit, *receivables: Receivable, **kwargs: Any) -> CashDecision:
    [decision] = match_credits([credit_], receivables, **kwargs)
    return decision


def test_exact_payment_by_structured_reference() -> None:
    decision = one(
        credit("119.00", structured_reference="0090000012"),
        invoice("0090000012", "119.00"),
        invoice("0090000013", "119.00"),
    )

    assert decision.rule is MatchRule.REFERENCE
    assert applied(decision) == [("0090000012", Decimal("119.00"), Decimal("0.00"))]
    assert decision.applications[0].settles
    assert decision.applications[0].order_workflow_id == "order-A"
    assert decision.applications[0].customer_id == BECKER
    assert decision.unapplied_amount == 0
    assert decision.candidates == []


def test_rf_creditor_reference_check_digits_are_not_part_of_the_number() -> None:
    decision = one(
        credit("119.00", structured_reference="RF18 0090 0000 12"),
        invoice("0090000012", "119.00"),
    )

    assert decision.rule is MatchRule.REFERENCE
    assert applied(decision) == [("0090000012", Decimal("119.00"), Decimal("0.00"))]


def test_invoice_number_only_in_the_note() -> None:
    decision = one(
        credit("119.00", remittance_lines=["Rechnung 0090000012 vom 03.03.2025"]),
        invoice("0090000012", "119.00"),
    )

    assert decision.rule is MatchRule.REMITTANCE
    assert applied(decision) == [("0090000012", Decimal("119.00"), Decimal("0.00"))]


def test_one_credit_for_two_invoices_of_two_orders_in_the_order_written() -> None:
    decision = one(
        credit("350.50", remittance_lines=["RE 0090000013 + RE:0090000012"]),
        invoice("0090000012", "100.25", order="order-A"),
        invoice("0090000013", "250.25", order="order-B"),
    )

    assert decision.rule is MatchRule.REMITTANCE
    assert applied(decision) == [
        ("0090000013", Decimal("250.25"), Decimal("0.00")),
        ("0090000012", Decimal("100.25"), Decimal("0.00")),
    ]
    assert [a.order_workflow_id for a in decision.applications] == ["order-B", "order-A"]
    assert decision.unapplied_amount == 0


def test_short_payment_keeps_the_payers_reason_and_the_rest_open() -> None:
    note = ["0090000012 abzgl. 50,00 EUR", "Transportschaden"]

    decision = one(credit("450.00", remittance_lines=note), invoice("0090000012", "500.00"))

    assert applied(decision) == [("0090000012", Decimal("450.00"), Decimal("50.00"))]
    assert not decision.applications[0].settles
    assert decision.applications[0].short_reason == "0090000012 abzgl. 50,00 EUR Transportschaden"
    assert "short payment: 50.00 EUR of 500.00 left open (0090000012)" in decision.reason
    assert decision.unapplied_amount == 0


def test_short_payment_over_several_invoices_settles_in_order_until_money_runs_out() -> None:
    decision = one(
        credit("250.00", structured_reference="0090000012 0090000013 0090000014"),
        invoice("0090000012", "100.00"),
        invoice("0090000013", "200.00", order="order-B"),
        invoice("0090000014", "300.00", order="order-C"),
    )

    # The third invoice gets nothing, so it is not listed, but the reason names it.
    assert applied(decision) == [
        ("0090000012", Decimal("100.00"), Decimal("0.00")),
        ("0090000013", Decimal("150.00"), Decimal("50.00")),
    ]
    assert decision.applications[0].short_reason == ""
    assert decision.applications[1].short_reason == NO_REASON_GIVEN
    assert "350.00 EUR of 600.00 left open (0090000013, 0090000014)" in decision.reason


def test_no_invoice_named_payer_known_by_account_with_one_exact_invoice() -> None:
    decision = one(
        credit("80.00", payer_account="de89370400440532013000", remittance_lines=["Danke"]),
        invoice("0090000012", "119.00"),
        invoice("0090000013", "80.00", order="order-B"),
        invoice("0090000014", "80.00", customer="2000002"),
        payer_accounts={IBAN: BECKER},
    )

    assert decision.rule is MatchRule.PAYER_AMOUNT
    assert applied(decision) == [("0090000013", Decimal("80.00"), Decimal("0.00"))]


def test_no_invoice_named_payer_known_by_name() -> None:
    decision = one(
        credit("80.00", payer_name="BECKER  berlin GmbH."),
        invoice("0090000013", "80.00"),
    )

    assert decision.rule is MatchRule.PAYER_AMOUNT
    assert applied(decision) == [("0090000013", Decimal("80.00"), Decimal("0.00"))]


def test_payer_name_shared_by_two_customers_identifies_neither() -> None:
    namesake = invoice("0090000014", "80.00", customer="2000002").model_copy(
        update={"customer_name": "Becker Berlin GmbH"}
    )

    decision = one(
        credit("80.00", payer_name="Becker Berlin GmbH"), invoice("0090000013", "80.00"), namesake
    )

    assert decision.rule is None
    assert decision.applications == []
    assert "fits several customers (1000001, 2000002)" in decision.reason


def test_no_invoice_named_two_invoices_of_that_amount_is_ambiguous() -> None:
    decision = one(
        credit("80.00", payer_account=IBAN),
        invoice("0090000012", "80.00"),
        invoice("0090000013", "80.00", order="order-B"),
        invoice("0090000014", "99.00"),
        payer_accounts={IBAN: BECKER},
    )

    assert decision.rule is None
    assert decision.applications == []
    assert decision.unapplied_amount == Decimal("80.00")
    assert decision.candidates == ["0090000012", "0090000013"]
    assert "ambiguous" in decision.reason
    assert "names no invoice" in decision.reason


def test_no_invoice_named_payer_known_but_no_invoice_of_that_amount() -> None:
    decision = one(
        credit("75.00", payer_name="Becker Berlin GmbH"),
        invoice("0090000012", "80.00"),
        invoice("0090000013", "0.00"),
        invoice("0090000014", "99.00", customer="2000002"),
    )

    assert decision.rule is None
    assert decision.candidates == ["0090000012"]  # the payer's open invoices only
    assert f"customer {BECKER} has no open invoice of exactly 75.00 EUR" in decision.reason


def test_no_invoice_named_and_payer_unknown() -> None:
    decision = one(
        credit("80.00", payer_name="Someone Else", remittance_lines=["Miete Maerz"]),
        invoice("0090000012", "80.00"),
    )

    assert decision.rule is None
    assert decision.applications == []
    assert decision.unapplied_amount == Decimal("80.00")
    assert decision.candidates == []
    assert decision.reason.startswith("names no invoice")
    assert "Someone Else" in decision.reason


@pytest.mark.parametrize("width", [35, 70])
def test_reference_recut_by_the_bank_inside_the_number(width: int) -> None:
    # Padding puts the cut four digits into the invoice number.
    text = "Zahlung ".ljust(width - 4, "x") + "0090000012 vom 03.03.2025 Kd 1000001"
    lines = cut(text, width)
    assert lines[0].endswith("0090") and lines[1].startswith("000012")

    decision = one(credit("119.00", remittance_lines=lines), invoice("0090000012", "119.00"))

    assert decision.rule is MatchRule.REMITTANCE
    assert applied(decision) == [("0090000012", Decimal("119.00"), Decimal("0.00"))]


def test_number_ending_a_line_before_digits_on_the_next() -> None:
    # Glued, the run would be 009000001203; only the spaced reading finds the number.
    lines = ["Rechnung 0090000012", "03.03.2025"]

    decision = one(credit("119.00", remittance_lines=lines), invoice("0090000012", "119.00"))

    assert applied(decision) == [("0090000012", Decimal("119.00"), Decimal("0.00"))]


def test_fragment_of_a_cut_number_does_not_pay_another_invoice() -> None:
    # Spaced, "009000001" reads as 0009000001 without zeros; it is a piece of 0090000012.
    lines = ["RE 009000001", "2 Danke"]

    decision = one(
        credit("238.00", remittance_lines=lines),
        invoice("0090000012", "119.00"),
        invoice("0009000001", "119.00"),
    )

    assert applied(decision) == [("0090000012", Decimal("119.00"), Decimal("0.00"))]
    assert decision.unapplied_amount == Decimal("119.00")  # overpaid, not the other one


def test_leading_zeros_dropped_by_the_payer() -> None:
    decision = one(
        credit("119.00", remittance_lines=["Rg. 90000012"]), invoice("0090000012", "119.00")
    )

    assert decision.rule is MatchRule.REMITTANCE
    assert applied(decision) == [("0090000012", Decimal("119.00"), Decimal("0.00"))]


@pytest.mark.parametrize(
    "note",
    [
        "INV 00900000123",  # the number followed by another digit
        "INV 10090000012",  # ...or preceded by one
        "Rg. 900000121",  # zero-stripped, but still only part of the run
        "Rg. 12",  # too few significant digits to stand for 0000000012
    ],
)
def test_number_inside_a_longer_digit_run_is_not_a_match(note: str) -> None:
    decision = one(
        credit("119.00", remittance_lines=[note]),
        invoice("0090000012", "119.00"),
        invoice("0000000012", "119.00"),
    )

    assert decision.rule is None
    assert decision.applications == []
    assert decision.reason.startswith("names no invoice")


@pytest.mark.parametrize("note", ["INV0090000012", "RE:0090000012/2025", "#0090000012."])
def test_letters_and_punctuation_around_the_number_are_fine(note: str) -> None:
    decision = one(credit("119.00", remittance_lines=[note]), invoice("0090000012", "119.00"))

    assert applied(decision) == [("0090000012", Decimal("119.00"), Decimal("0.00"))]


def test_run_of_numbers_glued_together_names_each() -> None:
    index = InvoiceNumberIndex(["0090000012", "0090000013", "0090000014"])

    assert index.in_lines(["RE 00900000130090000012"]) == ["0090000013", "0090000012"]
    assert index.identify_run("009000001300900000") == ()  # a number and a fragment


def test_two_credits_for_the_same_invoice_in_one_batch() -> None:
    first, second = match_credits(
        [
            credit("119.00", entry_id="E1", structured_reference="0090000012"),
            credit("119.00", entry_id="E2", remittance_lines=["0090000012"]),
        ],
        [invoice("0090000012", "119.00")],
    )

    assert applied(first) == [("0090000012", Decimal("119.00"), Decimal("0.00"))]
    assert second.rule is None
    assert second.applications == []
    assert second.unapplied_amount == Decimal("119.00")
    assert second.candidates == ["0090000012"]
    assert "0090000012 already settled by credit E1" in second.reason


def test_a_later_credit_sees_what_an_earlier_one_left_open() -> None:
    first, second, third = match_credits(
        [
            credit("450.00", entry_id="E1", remittance_lines=["0090000012 minus Skonto"]),
            credit("50.00", entry_id="E2", remittance_lines=["Rest 0090000012"]),
            credit("500.00", entry_id="E3", payer_account=IBAN),
        ],
        [invoice("0090000012", "500.00")],
        {IBAN: BECKER},
    )

    assert applied(first) == [("0090000012", Decimal("450.00"), Decimal("50.00"))]
    assert applied(second) == [("0090000012", Decimal("50.00"), Decimal("0.00"))]
    # Nothing of the customer's is open any more, so the amount cannot match.
    assert third.rule is None
    assert third.candidates == []


def test_invoice_not_open_before_the_batch() -> None:
    decision = one(
        credit("119.00", structured_reference="0090000012"), invoice("0090000012", "0.00")
    )

    assert decision.rule is None
    assert decision.unapplied_amount == Decimal("119.00")
    assert "0090000012 is not open" in decision.reason


def test_overpayment_keeps_the_excess_unapplied() -> None:
    decision = one(
        credit("139.00", structured_reference="0090000012"), invoice("0090000012", "119.00")
    )

    assert decision.rule is MatchRule.REFERENCE
    assert applied(decision) == [("0090000012", Decimal("119.00"), Decimal("0.00"))]
    assert decision.unapplied_amount == Decimal("20.00")
    assert "overpayment of 20.00 EUR" in decision.reason


def test_currency_mismatch_is_not_applied() -> None:
    decision = one(
        credit("119.00", structured_reference="0090000012"),
        invoice("0090000012", "119.00", currency="USD"),
    )

    assert decision.rule is None
    assert decision.applications == []
    assert decision.unapplied_amount == Decimal("119.00")
    assert decision.candidates == ["0090000012"]
    assert "0090000012 is in USD, not EUR" in decision.reason


def test_currency_mismatch_on_one_of_two_invoices_applies_the_other() -> None:
    decision = one(
        credit("219.00", remittance_lines=["0090000012 0090000013"]),
        invoice("0090000012", "119.00", currency="USD"),
        invoice("0090000013", "100.00"),
    )

    assert applied(decision) == [("0090000013", Decimal("100.00"), Decimal("0.00"))]
    assert decision.unapplied_amount == Decimal("119.00")
    assert "0090000012 is in USD" in decision.reason


def test_apply_credit_for_an_ops_decision_over_two_invoices() -> None:
    decision = apply_credit(
        credit("300.00", remittance_lines=["Sammelzahlung"]),
        [invoice("0090000020", "120.00", order="order-B"), invoice("0090000012", "200.00")],
        MatchRule.OPS,
    )

    assert decision.rule is MatchRule.OPS
    assert applied(decision) == [
        ("0090000020", Decimal("120.00"), Decimal("0.00")),
        ("0090000012", Decimal("180.00"), Decimal("20.00")),
    ]
    assert decision.applications[1].short_reason == "Sammelzahlung"
    assert all(a.entry_id == "E1" for a in decision.applications)
    assert decision.unapplied_amount == 0
