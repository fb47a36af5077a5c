"""Bank statements as FINSTA01 IDocs over `httpx.MockTransport`: what is written (read
back with mock-sap's own statement reader), how SAP's answer is read, and how a repeat
is answered from what SAP already cleared."""

from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from mocksap import statement as mock_sap_statement

from adapters.erp.port import ClearedItem, ClearingLine, ClearingRequest, RefusedLine
from adapters.erp.sap import SapErpAdapter
from adapters.erp.sap_finsta import StatementLine, note_lines, statement_reference, statement_xml
from adapters.errors import RejectionError, TransientError
from tests.adapters.conftest import Gateway, results

IDOC = r"^/sap/bc/idoc$"


def statement(*lines: ClearingLine, statement_id: str = "ST-0042") -> ClearingRequest:
    return ClearingRequest(
        statement_id=statement_id,
        posting_date=date(2026, 12, 1),
        bank_account="DE89370400440532013000",
        currency="EUR",
        lines=list(lines)
        or [
            ClearingLine(
                line_id="e-1",
                amount=Decimal("59.50"),
                billing_documents=["90000007"],
                payer_name="Becker Berlin",
                note="Invoice 90000007, thank you",
            ),
            ClearingLine(
                line_id="e-2",
                amount=Decimal("59.50"),
                billing_documents=["0090000008", "0090000009"],
                payer_name="Becker Berlin",
                note="also 0090000001",
            ),
        ],
    )


def as_sent(request: ClearingRequest) -> list[StatementLine]:
    return [
        StatementLine(
            f"{n:06d}",
            line,
            {number.zfill(10): number for number in line.billing_documents},
        )
        for n, line in enumerate(request.lines, start=1)
    ]


def receipt(status: str = "53", **applied: list[dict[str, str]]) -> httpx.Response:
    body: dict[str, Any] = {"DOCNUM": "0000000000000017", "STATUS": status}
    body["STATUS_TEXT"] = {"53": "Application document posted"}.get(status, "Not posted")
    if applied:
        body["APPLIED"] = [{"STATEMENT": "ST-0042", "CLEARED": [], "UNPROCESSED": [], **applied}]
    return httpx.Response(201, json=body)


def nothing_cleared_yet(gateway: Gateway) -> None:
    gateway.on(
        "GET",
        r"/A_BillingDocument$",
        results(
            {"BillingDocument": "0090000007", "AccountingDocument": "0100000007"},
            {"BillingDocument": "0090000008", "AccountingDocument": "0100000008"},
        ),
    )
    gateway.on(
        "GET",
        r"/A_OperationalAcctgDocItemCube$",
        results(
            {"AccountingDocument": "0100000007", "ClearingAccountingDocument": ""},
            {"AccountingDocument": "0100000008", "ClearingAccountingDocument": ""},
        ),
    )


# -- the IDoc ------------------------------------------------------------------------------


def test_the_statement_reads_as_money_arriving_for_the_invoices_it_names() -> None:
    request = statement()
    xml = statement_xml(request, "ST-0042", as_sent(request), client="100")

    read = mock_sap_statement.parse(xml)

    assert (read["statement"], read["date"]) == ("ST-0042", "2026-12-01")
    assert read["account"] == {
        "bank": "",
        "number": "DE89370400440532013000",
        "country": "",
        "currency": "EUR",
    }
    one, several = read["lines"]
    assert (one["line"], one["side"], one["kind"], one["amount"], one["currency"]) == (
        "000001",
        "credit",
        "receipt",
        Decimal("59.50"),
        "EUR",
    )
    # one invoice: the structured reference, which SAP believes over the note
    assert one["reference"] == "0090000007"
    assert one["note_lines"] == ["Payer: Becker Berlin", "Invoice 90000007, thank you"]
    # several: no structured reference (SAP reads only the first), the invoices in the
    # note, and nothing of the payer's own that SAP could take for another invoice
    assert several["reference"] == ""
    assert several["note_lines"] == ["0090000008, 0090000009,"]
    assert "0090000001" not in several["note_to_payee"]


def test_a_long_list_of_invoices_is_wrapped_without_cutting_a_number() -> None:
    numbers = [f"00900000{n:02d}" for n in range(12)]
    line = ClearingLine(line_id="x", amount=Decimal(1), billing_documents=numbers)
    note = note_lines(StatementLine("000001", line, {n: n for n in numbers}))
    assert all(len(text) <= 70 for text in note) and len(note) == 3
    assert "".join(note).replace(" ", "").split(",")[:-1] == numbers


def test_statement_reference_is_the_number_unless_it_is_longer_than_sap_holds() -> None:
    assert statement_reference(" ST-0042 ") == "ST-0042"
    long_id = "2026-12-01-DE89370400440532013000"
    assert len(statement_reference(long_id)) == 16
    assert statement_reference(long_id) == statement_reference(long_id)
    assert statement_reference(long_id) != statement_reference(long_id + "1")


# -- posting and SAP's answer --------------------------------------------------------------


async def test_cleared_and_refused_lines_are_read_from_sap_s_answer(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    nothing_cleared_yet(gateway)
    gateway.on(
        "POST",
        IDOC,
        receipt(
            CLEARED=[
                {
                    "LINE": "000001",
                    "REFERENCE": "0090000007",
                    "ACCOUNTINGDOCUMENT": "0100000007",
                    "CLEARINGDOCUMENT": "0100000011",
                    "AMOUNT": "59.500",
                }
            ],
            UNPROCESSED=[{"LINE": "000002", "REASON": "1.00 EUR short of all of them"}],
        ),
    )

    result = await adapter.clear_receivables(statement())

    assert result.cleared == [
        # in the caller's spelling of the billing document
        ClearedItem(
            line_id="e-1",
            billing_document="90000007",
            clearing_document="0100000011",
            amount=Decimal("59.50"),
        )
    ]
    assert result.refused == [RefusedLine(line_id="e-2", reason="1.00 EUR short of all of them")]
    [post] = gateway.sent("POST")
    assert (post.url.path, post.url.params["sap-client"]) == ("/sap/bc/idoc", "100")
    assert post.headers["Content-Type"] == "application/xml"
    assert post.headers["Accept"] == "application/json"
    assert post.headers["X-CSRF-Token"] == "tok-1"
    assert mock_sap_statement.parse(post.content)["statement"] == "ST-0042"
    lookup = gateway.sent("GET", "/A_BillingDocument")[0]
    assert lookup.url.params["$filter"] == (
        "(BillingDocument eq '0090000007' or BillingDocument eq '0090000008' "
        "or BillingDocument eq '0090000009')"
    )


async def test_a_line_sap_does_not_mention_is_refused_as_such(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    nothing_cleared_yet(gateway)
    gateway.on("POST", IDOC, receipt(CLEARED=[], UNPROCESSED=[]))

    result = await adapter.clear_receivables(statement())

    assert [(r.line_id, r.reason) for r in result.refused] == [
        ("e-1", "SAP's answer does not mention this line"),
        ("e-2", "SAP's answer does not mention this line"),
    ]


@pytest.mark.parametrize("status", ["51", "56", "68"])
async def test_a_statement_sap_did_not_post_is_a_rejection(
    gateway: Gateway, adapter: SapErpAdapter, status: str
) -> None:
    nothing_cleared_yet(gateway)
    gateway.on("POST", IDOC, receipt(status))

    with pytest.raises(RejectionError, match=rf"status {status}\): Not posted") as caught:
        await adapter.clear_receivables(statement())
    assert caught.value.code == "ERP_REJECTED"


async def test_posted_without_saying_what_it_cleared_is_transient(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    nothing_cleared_yet(gateway)
    gateway.on("POST", IDOC, receipt("53"))

    with pytest.raises(TransientError, match="no account of what it cleared"):
        await adapter.clear_receivables(statement())


# -- the same statement again --------------------------------------------------------------


def cleared_before(gateway: Gateway, reference: str) -> None:
    """0090000007 and 0090000008 cleared by 0100000011, a DZ entry with `reference`."""
    gateway.on(
        "GET",
        r"/A_BillingDocument$",
        results(
            {"BillingDocument": "0090000007", "AccountingDocument": "0100000007"},
            {"BillingDocument": "0090000008", "AccountingDocument": "0100000008"},
        ),
    )
    gateway.on(
        "GET",
        r"/A_OperationalAcctgDocItemCube$",
        results(
            {
                "AccountingDocument": "0100000007",
                "ClearingAccountingDocument": "0100000011",
                "AmountInTransactionCurrency": "59.500",
            },
            {
                "AccountingDocument": "0100000008",
                "ClearingAccountingDocument": "0100000011",
                "AmountInTransactionCurrency": "23.800",
            },
        ),
    )
    gateway.on(
        "GET",
        r"/A_JournalEntry$",
        results(
            {
                "AccountingDocument": "0100000011",
                "AccountingDocumentType": "DZ",
                "ReferenceDocument": reference,
            }
        ),
    )


async def test_lines_this_statement_already_cleared_are_answered_without_posting(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    cleared_before(gateway, "ST-0042")
    lines = [
        ClearingLine(line_id="e-1", amount=Decimal("59.50"), billing_documents=["90000007"]),
        ClearingLine(line_id="e-2", amount=Decimal("23.80"), billing_documents=["0090000008"]),
    ]

    result = await adapter.clear_receivables(statement(*lines))

    assert result.cleared == [
        ClearedItem(
            line_id="e-1",
            billing_document="90000007",
            clearing_document="0100000011",
            amount=Decimal("59.50"),
        ),
        ClearedItem(
            line_id="e-2",
            billing_document="0090000008",
            clearing_document="0100000011",
            amount=Decimal("23.80"),
        ),
    ]
    assert result.refused == []
    assert gateway.sent("POST") == []
    cube, journal = gateway.sent("GET")[1:]
    assert cube.url.params["$filter"] == (
        "(AccountingDocument eq '0100000007' or AccountingDocument eq '0100000008') "
        "and AccountingDocumentItemType eq 'D' and CompanyCode eq '1710'"
    )
    assert journal.url.params["$filter"] == (
        "(AccountingDocument eq '0100000011') and CompanyCode eq '1710'"
    )


async def test_only_the_lines_not_yet_cleared_are_sent_again(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    cleared_before(gateway, "ST-0042")
    gateway.on(
        "POST",
        IDOC,
        receipt(UNPROCESSED=[{"LINE": "000001", "REASON": "no open receivable quotes it"}]),
    )
    lines = [
        ClearingLine(line_id="e-1", amount=Decimal("59.50"), billing_documents=["0090000007"]),
        ClearingLine(line_id="e-2", amount=Decimal("40.00"), billing_documents=["0090000009"]),
    ]

    result = await adapter.clear_receivables(statement(*lines))

    assert [(c.line_id, c.billing_document) for c in result.cleared] == [("e-1", "0090000007")]
    assert result.refused == [RefusedLine(line_id="e-2", reason="no open receivable quotes it")]
    [post] = gateway.sent("POST")
    [sent] = mock_sap_statement.parse(post.content)["lines"]
    assert (sent["line"], sent["reference"], sent["amount"]) == (
        "000001",
        "0090000009",
        Decimal("40.00"),
    )


async def test_what_another_statement_cleared_is_not_claimed(
    gateway: Gateway, adapter: SapErpAdapter
) -> None:
    cleared_before(gateway, "ST-0041")
    gateway.on(
        "POST", IDOC, receipt(UNPROCESSED=[{"LINE": "000001", "REASON": "no open receivable"}])
    )
    line = ClearingLine(line_id="e-1", amount=Decimal("59.50"), billing_documents=["0090000007"])

    result = await adapter.clear_receivables(statement(line))

    assert result.cleared == []
    assert [r.line_id for r in result.refused] == ["e-1"]


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [ClearingLine(line_id="a", amount=Decimal(0), billing_documents=["1"])],
        [ClearingLine(line_id="a", amount=Decimal(1), billing_documents=[])],
        [
            ClearingLine(line_id="a", amount=Decimal(1), billing_documents=["90000007"]),
            ClearingLine(line_id="b", amount=Decimal(1), billing_documents=["0090000007"]),
        ],
        [
            ClearingLine(line_id="a", amount=Decimal(1), billing_documents=["1"]),
            ClearingLine(line_id="a", amount=Decimal(1), billing_documents=["2"]),
        ],
    ],
)
async def test_a_malformed_statement_is_refused_before_anything_is_sent(
    gateway: Gateway, adapter: SapErpAdapter, lines: list[ClearingLine]
) -> None:
    request = statement().model_copy(update={"lines": lines})
    with pytest.raises(RejectionError) as caught:
        await adapter.clear_receivables(request)
    assert caught.value.code == "ERP_INVALID_REQUEST"
    assert gateway.requests == []
