"""The camt.053 / camt.054 parser, on messages written in the shape mock-bank writes
them (camt.*.001.08) and in an older version's (001.02)."""

from datetime import date
from decimal import Decimal

import pytest

from adapters.bank.camt import parse_camt053, parse_camt054
from adapters.errors import RejectionError
from tests.adapters.camt_samples import IBAN, PAYER_IBAN, camt053, camt054, entry, tx


def test_a_received_transfer_on_a_statement() -> None:
    xml = camt053(
        entry(
            "1180.00",
            tx("INV-E2E", lines=("INV-2026-1001 less 70.00",), reference="RF18INV1001"),
        )
    )

    [statement] = parse_camt053(xml, account="ACME")
    [credit] = statement.credits

    assert (statement.statement_id, statement.kind, statement.account) == (
        "MB-C053-ACME-1",
        "statement",
        "ACME",
    )
    assert (statement.currency, statement.day) == ("EUR", date(2026, 10, 5))
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("125000.00"),
        Decimal("126180.00"),
    )
    assert credit.entry_id == "MB-RCV-1"
    assert credit.statement_id == "MB-C053-ACME-1"
    assert credit.account == "ACME"
    assert credit.amount == Decimal("1180.00")
    assert credit.currency == "EUR"
    assert (credit.booking_date, credit.value_date) == (date(2026, 10, 5), date(2026, 10, 3))
    assert (credit.payer_name, credit.payer_account) == ("Customer Ltd", PAYER_IBAN)
    assert credit.end_to_end_id == "INV-E2E"
    assert credit.structured_reference == "RF18INV1001"
    assert credit.remittance_lines == ["INV-2026-1001 less 70.00"]


def test_without_an_account_id_the_iban_is_kept() -> None:
    [statement] = parse_camt053(camt053(entry()))

    assert statement.account == IBAN
    assert statement.credits[0].account == IBAN


def test_a_wrapped_note_keeps_its_lines_as_cut() -> None:
    note = "Payment for invoices INV-2026-1001 INV-2026-1002 less 70.00 damaged goods"
    cut = [note[i : i + 35] for i in range(0, len(note), 35)]
    assert cut[0].endswith(" ")  # the cut falls after a space: the line keeps it

    [statement] = parse_camt053(camt053(entry("1180.00", tx(lines=tuple(cut)))))
    [credit] = statement.credits

    assert credit.remittance_lines == cut
    assert "".join(credit.remittance_lines) == note


def test_an_older_version_and_its_shapes_read_the_same() -> None:
    old_tx = (
        "<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
        "<RltdPties><Dbtr><Nm>Old Payer</Nm></Dbtr>"
        "<DbtrAcct><Id><Othr><Id>0000123456</Id></Othr></Id></DbtrAcct></RltdPties>"
        "<RmtInf><Ustrd>INV-9</Ustrd></RmtInf></TxDtls>"
    )
    xml = camt053(entry("50.00", old_tx), version="camt.053.001.02").replace(
        b"<Sts><Cd>BOOK</Cd></Sts>", b"<Sts>BOOK</Sts>"
    )

    [statement] = parse_camt053(xml, account="ACME")
    [credit] = statement.credits

    assert (credit.payer_name, credit.payer_account) == ("Old Payer", "0000123456")
    assert credit.end_to_end_id == ""  # NOTPROVIDED is no id
    assert credit.remittance_lines == ["INV-9"]


def test_debits_returns_and_pending_entries_are_not_money_arriving() -> None:
    returned = "<RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf>"
    xml = camt053(
        entry("100.00", indicator="DBIT", code=("PMNT", "ICDT", "ESCT"), bank_ref="MB-PMT-1"),
        entry("100.00", tx(extra=returned), code=("PMNT", "ICDT", "RRTN"), bank_ref="MB-RTR-1"),
        entry("20.00", code=("PMNT", "RCDT", "RRTN"), bank_ref="R-2"),
        entry("30.00", tx(extra=returned), bank_ref="R-3"),
        entry("40.00", status="PDNG", bank_ref="P-1"),
        entry("9.00", code=("ACMT", "MDOP", "CHRG"), bank_ref="FEE-REFUND"),
        entry("75.00", code=("PMNT", "IDDT", "ESDD"), bank_ref="MB-DD-1"),
        entry("1180.00", bank_ref="MB-RCV-1"),
    )

    [statement] = parse_camt053(xml, account="ACME")

    # A collection's proceeds and a received transfer; the rest only in the balances.
    assert [c.entry_id for c in statement.credits] == ["MB-DD-1", "MB-RCV-1"]
    assert statement.closing_balance == Decimal("126180.00")


def test_entry_id_falls_back_to_the_entry_ref_then_the_end_to_end_id() -> None:
    xml = camt053(
        entry("1.00", tx("E2E-A"), bank_ref="", entry_ref="NTRY-7"),
        entry("2.00", tx("E2E-B"), bank_ref=""),
    )

    [statement] = parse_camt053(xml)

    assert [c.entry_id for c in statement.credits] == ["NTRY-7", "E2E-B"]


def test_a_credit_with_nothing_to_tell_it_by_is_unreadable() -> None:
    with pytest.raises(RejectionError) as caught:
        parse_camt053(camt053(entry("1.00", tx("NOTPROVIDED"), bank_ref="")))

    assert caught.value.code == "BANK_UNREADABLE"


def test_a_batched_entry_is_one_credit_per_transaction() -> None:
    xml = camt053(
        entry(
            "300.00",
            tx("E1", amount="100.00", payer="A"),
            tx("E2", amount="200.00", payer="B"),
            bank_ref="BATCH-1",
        )
    )

    [statement] = parse_camt053(xml)

    assert [(c.entry_id, c.amount, c.payer_name) for c in statement.credits] == [
        ("BATCH-1/1", Decimal("100.00"), "A"),
        ("BATCH-1/2", Decimal("200.00"), "B"),
    ]


def test_a_notification() -> None:
    [notification] = parse_camt054(camt054(entry("50.00", bank_ref="MB-RCV-2")), account="ACME")

    assert (notification.kind, notification.statement_id) == ("notification", "MB-C054-ACME-1")
    assert notification.day == date(2026, 10, 5)  # the booking day, not when it was sent
    assert (notification.opening_balance, notification.closing_balance) == (None, None)
    assert [(c.entry_id, c.statement_id) for c in notification.credits] == [
        ("MB-RCV-2", "MB-C054-ACME-1")
    ]


def test_a_debit_notification_has_no_credits() -> None:
    debit = entry("100.00", indicator="DBIT", code=("PMNT", "ICDT", "ESCT"))

    [notification] = parse_camt054(camt054(debit))

    assert notification.credits == []


@pytest.mark.parametrize(
    "xml",
    [
        b"not xml at all",
        b"<Document><BkToCstmrStmt><Stmt>",
        b"",
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aa">]><Document>&a;</Document>',
    ],
)
def test_what_is_not_xml_is_unreadable(xml: bytes) -> None:
    with pytest.raises(RejectionError) as caught:
        parse_camt053(xml)

    assert (caught.value.code, caught.value.system) == ("BANK_UNREADABLE", "bank")


def test_the_wrong_message_is_unreadable() -> None:
    pain = (
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">'
        b"<CstmrCdtTrfInitn><GrpHdr><MsgId>X</MsgId></GrpHdr></CstmrCdtTrfInitn></Document>"
    )
    for parse, xml in [
        (parse_camt053, pain),
        (parse_camt053, camt054(entry())),
        (parse_camt054, camt053(entry())),
    ]:
        with pytest.raises(RejectionError) as caught:
            parse(xml)
        assert caught.value.code == "BANK_UNREADABLE"
        assert "expected a camt.05" in caught.value.message


def test_an_amount_the_model_cannot_hold_is_unreadable() -> None:
    for amount in ("0.00", "12.345", "lots"):
        with pytest.raises(RejectionError) as caught:
            parse_camt053(camt053(entry(amount)))
        assert caught.value.code == "BANK_UNREADABLE"


def test_a_statement_without_a_report_is_unreadable() -> None:
    xml = b"<Document><BkToCstmrStmt><GrpHdr><MsgId>X</MsgId></GrpHdr></BkToCstmrStmt></Document>"

    with pytest.raises(RejectionError, match="without any Stmt"):
        parse_camt053(xml)
