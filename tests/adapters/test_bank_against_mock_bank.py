"""`MockBankAdapter` against a real mock-bank, in process: what the bank reports for
money arriving is what the adapter returns.

The bank's clock starts on Monday `MONDAY` at 09:00, before its 15:00 cutoff, so a
credit with no value date books that day; `advance` ends days and issues their
statements. Expected values come from the bank's own answers (the credit it
recorded, its statements listing), not from this file's idea of them.
"""

from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from adapters.bank.http import MockBankAdapter
from adapters.bank.settings import BankSettings
from adapters.errors import NotFoundError, RejectionError
from canonical.cash import BankCredit, BankStatement
from tests.adapters import bank_fixtures
from tests.adapters.bank_fixtures import (
    ACCOUNT,
    MONDAY,
    OPENING,
    PAYER_IBAN,
    MockBank,
    running_mock_bank,
)

# pytest finds fixtures among module attributes; these live in bank_fixtures.
mock_bank_url = bank_fixtures.mock_bank_url
mock_bank = bank_fixtures.mock_bank
bank_adapter = bank_fixtures.bank_adapter


def cents(minor_units: int) -> Decimal:
    return Decimal(minor_units) / 100


def by_kind(read: list[BankStatement], kind: str) -> list[BankStatement]:
    return [s for s in read if s.kind == kind]


def only_credit(read: list[BankStatement], kind: str) -> BankCredit:
    [credit] = [c for s in by_kind(read, kind) for c in s.credits]
    return credit


async def test_a_credit_is_read_as_the_bank_reports_it(
    mock_bank: MockBank, bank_adapter: MockBankAdapter
) -> None:
    sent = await mock_bank.credit(
        amount=118000,
        reference="RF18INV20261001",
        note="INV-2026-1001 less 70.00 damaged goods",
        debtor={"name": "Customer Ltd", "iban": PAYER_IBAN},
    )
    await mock_bank.advance(days=1)

    read = await bank_adapter.statements(ACCOUNT)

    [listed] = await mock_bank.get(f"/_mock/accounts/{ACCOUNT}/statements")
    assert [(s.kind, s.day) for s in read] == [
        ("statement", date.fromisoformat(listed["day"])),
        ("notification", MONDAY),
    ]
    statement = read[0]
    assert (statement.account, statement.currency) == (ACCOUNT, sent["currency"])
    assert statement.opening_balance == cents(listed["opening"]) == OPENING
    assert statement.closing_balance == cents(listed["closing"])
    credit = only_credit(read, "statement")
    assert credit.account == ACCOUNT
    assert credit.amount == cents(sent["amount"]) == Decimal("1180.00")
    assert credit.currency == "EUR"
    assert credit.booking_date == date.fromisoformat(sent["booking_date"]) == MONDAY
    assert credit.value_date == date.fromisoformat(sent["value_date"])
    assert (credit.payer_name, credit.payer_account) == ("Customer Ltd", sent["debtor_iban"])
    assert credit.structured_reference == sent["reference"]
    assert credit.remittance_lines == sent["note"] == ["INV-2026-1001 less 70.00 damaged goods"]
    assert credit.end_to_end_id == ""  # the bank wrote NOTPROVIDED
    assert credit.statement_id == statement.statement_id


async def test_the_notification_and_the_statement_give_one_credit_the_same_entry_id(
    mock_bank: MockBank, bank_adapter: MockBankAdapter
) -> None:
    await mock_bank.credit(amount=5000, note="INV-1", end_to_end_id="PAYER-E2E-1")
    await mock_bank.credit(amount=7000, note="INV-2")
    await mock_bank.advance(days=1)

    read = await bank_adapter.statements(ACCOUNT)

    [statement] = by_kind(read, "statement")
    notified = [c for n in by_kind(read, "notification") for c in n.credits]
    # mock-bank writes the same AcctSvcrRef (MB-RCV-<n>) on the camt.054 and the
    # camt.053 entry of one credit, so entry_id is what dedups the two reports.
    assert [c.entry_id for c in statement.credits] == [c.entry_id for c in notified]
    assert len({c.entry_id for c in notified}) == 2
    assert all(c.entry_id.startswith("MB-RCV-") for c in notified)
    for on_statement, in_notification in zip(statement.credits, notified, strict=True):
        assert in_notification.statement_id != on_statement.statement_id
        relabelled = in_notification.model_copy(update={"statement_id": on_statement.statement_id})
        assert relabelled == on_statement
    assert [c.end_to_end_id for c in notified] == ["PAYER-E2E-1", ""]


async def test_a_note_the_bank_recuts_at_35_keeps_its_lines(
    mock_bank: MockBank, bank_adapter: MockBankAdapter
) -> None:
    note = "Payment for invoices INV-2026-1001 INV-2026-1002 less 70.00 damaged goods"
    sent = await mock_bank.credit(amount=250000, note=note, wrap=35)
    await mock_bank.advance(days=1)

    read = await bank_adapter.statements(ACCOUNT)

    lines = sent["note"]
    assert lines[0].endswith(" ")  # the cut fell after a space, and the bank kept it
    for kind in ("statement", "notification"):
        credit = only_credit(read, kind)
        assert credit.remittance_lines == lines
        assert "".join(credit.remittance_lines) == note


async def test_reading_takes_nothing(mock_bank: MockBank, bank_adapter: MockBankAdapter) -> None:
    await mock_bank.credit(amount=5000, note="INV-1")
    await mock_bank.advance(days=2)

    first = await bank_adapter.statements(ACCOUNT)
    again = await bank_adapter.statements(ACCOUNT)

    assert first == again
    assert [s.kind for s in first] == ["statement", "statement", "notification"]
    waiting = await mock_bank.get("/_mock/mailbox", leave="")
    assert {m["type"] for m in waiting if m["account"] == ACCOUNT} == {
        "camt.053.001.08",
        "camt.054.001.08",
    }


async def test_a_weekend_value_date_books_on_monday_and_since_reads_from_a_day(
    mock_bank: MockBank, bank_adapter: MockBankAdapter
) -> None:
    saturday = MONDAY + timedelta(days=5)
    sent = await mock_bank.credit(amount=9900, note="INV-7", value_date=saturday.isoformat())
    await mock_bank.advance(days=8)

    booked = date.fromisoformat(sent["booking_date"])
    everything = await bank_adapter.statements(ACCOUNT)
    from_booking = await bank_adapter.statements(ACCOUNT, since=booked)

    assert booked == MONDAY + timedelta(days=7)
    listed = await mock_bank.get(f"/_mock/accounts/{ACCOUNT}/statements")
    assert [s.day for s in by_kind(everything, "statement")] == [
        date.fromisoformat(row["day"]) for row in listed
    ]
    assert [(s.kind, s.day) for s in from_booking] == [
        ("statement", booked),
        ("notification", booked),
    ]
    credit = only_credit(from_booking, "statement")
    assert (credit.booking_date, credit.value_date) == (booked, saturday)
    assert only_credit(everything, "notification") == only_credit(from_booking, "notification")


PAIN_001 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn>
<GrpHdr><MsgId>OM-TEST-1</MsgId><CreDtTm>2026-10-05T08:00:00</CreDtTm><NbOfTxs>1</NbOfTxs>
<CtrlSum>100.00</CtrlSum><InitgPty><Nm>ACME Corporation</Nm></InitgPty></GrpHdr>
<PmtInf><PmtInfId>B1</PmtInfId><PmtMtd>TRF</PmtMtd><NbOfTxs>1</NbOfTxs><CtrlSum>100.00</CtrlSum>
<ReqdExctnDt><Dt>2026-10-05</Dt></ReqdExctnDt><Dbtr><Nm>ACME Corporation</Nm></Dbtr>
<DbtrAcct><Id><IBAN>NL41MOCK0000000001</IBAN></Id></DbtrAcct>
<DbtrAgt><FinInstnId><BICFI>MOCKNL2A</BICFI></FinInstnId></DbtrAgt>
<CdtTrfTxInf><PmtId><EndToEndId>PAY-1</EndToEndId></PmtId>
<Amt><InstdAmt Ccy="EUR">100.00</InstdAmt></Amt><Cdtr><Nm>Supplier</Nm></Cdtr>
<CdtrAcct><Id><IBAN>NL30MOCK0000000005</IBAN></Id></CdtrAcct></CdtTrfTxInf></PmtInf>
</CstmrCdtTrfInitn></Document>"""


async def test_our_payment_and_its_return_are_not_money_arriving(
    mock_bank: MockBank, bank_adapter: MockBankAdapter
) -> None:
    patched = await mock_bank.http.patch(
        f"/_mock/accounts/{ACCOUNT}", json={"behaviour": "return-later", "parameters": {"days": 1}}
    )
    patched.raise_for_status()
    paid = await mock_bank.http.post("/payments", content=PAIN_001.encode())
    assert paid.json()["status"] == "ACCP"
    await mock_bank.advance(days=3)

    read = await bank_adapter.statements(ACCOUNT)

    listed = await mock_bank.get(f"/_mock/accounts/{ACCOUNT}/statements")
    assert [row["entries"] for row in listed] == [1, 1, 0]  # the debit, the return, none
    assert [s.kind for s in read] == ["statement"] * 3  # the camt.054s report no credit
    assert all(s.credits == [] for s in read)
    assert [s.closing_balance for s in read] == [cents(row["closing"]) for row in listed]


async def test_an_unknown_account_is_not_found(bank_adapter: MockBankAdapter) -> None:
    with pytest.raises(NotFoundError):
        await bank_adapter.statements("NOPE")


async def test_a_bank_started_with_auth() -> None:
    with running_mock_bank(auth="tester:s3cret") as url:
        good = MockBankAdapter.from_settings(
            BankSettings(base_url=url, username="tester", password=SecretStr("s3cret"))
        )
        anonymous = MockBankAdapter.from_base_url(url, timeout=5)
        try:
            async with httpx.AsyncClient(base_url=url, auth=("tester", "s3cret")) as http:
                await MockBank(url, http).credit(amount=100, note="INV-1")
            read = await good.statements(ACCOUNT)
            with pytest.raises(RejectionError) as caught:
                await anonymous.statements(ACCOUNT)
        finally:
            await good.aclose()
            await anonymous.aclose()

    assert [s.kind for s in read] == ["notification"]  # the day has not ended
    assert caught.value.code == "BANK_REJECTED"
    assert "401" in caught.value.message
