"""`MockBankAdapter` over `httpx.MockTransport`: what it asks mock-bank's control
plane, how it puts statements and notifications together, and its error mapping."""

import base64
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from adapters.bank.http import MockBankAdapter
from adapters.bank.port import BankPort
from adapters.bank.settings import BankSettings
from adapters.errors import NotFoundError, RejectionError, TransientError
from tests.adapters.camt_samples import camt053, camt054, entry

BASE = "http://bank.test"
STATEMENTS = "/_mock/accounts/ACME/statements"
MESSAGES = "/_mock/messages"
Answer = httpx.Response | Exception


def statement_row(number: int, day: str, message_id: int | None) -> dict[str, Any]:
    return {"number": number, "day": day, "entries": 1, "message_id": message_id}


def message_row(message_id: int, account: str, body: bytes | None) -> dict[str, Any]:
    return {
        "id": message_id,
        "type": "camt.054.001.08",
        "account": account,
        "body": body.decode() if body is not None else None,
        "takenAt": None,
    }


def xml(body: bytes) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"content-type": "application/xml"})


class Bank:
    """A scripted mock-bank: answers by exact path, records every request."""

    def __init__(self, routes: dict[str, Answer] | None = None) -> None:
        self.routes: dict[str, Answer] = {
            STATEMENTS: httpx.Response(200, json=[]),
            MESSAGES: httpx.Response(200, json=[]),
            **(routes or {}),
        }
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.routes.get(request.url.path)
        if answer is None:
            return httpx.Response(404, json={"error": f"no {request.url.path}"})
        if isinstance(answer, Exception):
            raise answer
        return answer

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def adapter(bank: Callable[[httpx.Request], httpx.Response]) -> MockBankAdapter:
    client = httpx.AsyncClient(transport=httpx.MockTransport(bank), base_url=BASE)
    return MockBankAdapter(client)


DEBIT = entry("100.00", indicator="DBIT", code=("PMNT", "ICDT", "ESCT"), bank_ref="MB-PMT-1")


def two_days() -> Bank:
    """Statements for Mon and Tue (and a Wed the bank could not write), a credit
    notification per day (one fetched from the mailbox), another account's, a debit's."""
    return Bank(
        {
            STATEMENTS: httpx.Response(
                200,
                json=[
                    statement_row(2, "2026-10-06", 7),
                    statement_row(1, "2026-10-05", 3),
                    statement_row(3, "2026-10-07", None),
                ],
            ),
            "/_mock/mailbox/3": xml(camt053(entry(bank_ref="MB-RCV-1"))),
            "/_mock/mailbox/7": xml(
                camt053(entry(bank_ref="MB-RCV-2", booked="2026-10-06"), day="2026-10-06")
            ),
            MESSAGES: httpx.Response(
                200,
                json=[
                    message_row(1, "ACME", camt054(entry(bank_ref="MB-RCV-1"))),
                    message_row(2, "GLOBEX", camt054(entry(bank_ref="OTHER"))),
                    message_row(4, "ACME", camt054(DEBIT, notification_id="MB-C054-ACME-2")),
                    message_row(5, "ACME", None),
                ],
            ),
            "/_mock/mailbox/5": xml(
                camt054(
                    entry(bank_ref="MB-RCV-2", booked="2026-10-06"),
                    notification_id="MB-C054-ACME-3",
                )
            ),
        }
    )


async def test_it_is_a_bank_port() -> None:
    port: BankPort = adapter(Bank())
    assert isinstance(port, MockBankAdapter)


async def test_statements_oldest_first_then_credit_notifications() -> None:
    bank = two_days()

    read = await adapter(bank).statements("ACME")

    assert [(s.kind, s.statement_id, s.day) for s in read] == [
        ("statement", "MB-C053-ACME-1", date(2026, 10, 5)),
        ("statement", "MB-C053-ACME-1", date(2026, 10, 6)),
        ("notification", "MB-C054-ACME-1", date(2026, 10, 5)),
        ("notification", "MB-C054-ACME-3", date(2026, 10, 6)),
    ]
    assert [[c.entry_id for c in s.credits] for s in read] == [
        ["MB-RCV-1"],
        ["MB-RCV-2"],
        ["MB-RCV-1"],
        ["MB-RCV-2"],
    ]
    assert {s.account for s in read} == {"ACME"}
    assert {c.account for s in read for c in s.credits} == {"ACME"}
    # The listing first (it releases what came due), a body fetched only when the
    # messages listing has none, and nothing for the day without a message.
    assert bank.paths() == [
        STATEMENTS,
        "/_mock/mailbox/3",
        "/_mock/mailbox/7",
        MESSAGES,
        "/_mock/mailbox/5",
    ]
    assert bank.requests[3].url.params["type"] == "camt.054"
    assert {r.method for r in bank.requests} == {"GET"}


async def test_since_leaves_out_earlier_days_without_fetching_them() -> None:
    bank = two_days()

    read = await adapter(bank).statements("ACME", since=date(2026, 10, 6))

    assert [(s.kind, s.day) for s in read] == [
        ("statement", date(2026, 10, 6)),
        ("notification", date(2026, 10, 6)),
    ]
    assert "/_mock/mailbox/3" not in bank.paths()


async def test_reading_twice_reads_the_same() -> None:
    port = adapter(two_days())

    assert await port.statements("ACME") == await port.statements("ACME")


async def test_the_account_id_is_escaped_in_the_path() -> None:
    bank = Bank({"/_mock/accounts/AC ME/1/statements": httpx.Response(200, json=[])})

    await adapter(bank).statements("AC ME/1")

    assert bank.requests[0].url.raw_path == b"/_mock/accounts/AC%20ME%2F1/statements"


async def test_an_unknown_account_is_not_found() -> None:
    bank = Bank({STATEMENTS: httpx.Response(404, json={"error": "no account 'NOPE'"})})

    with pytest.raises(NotFoundError) as caught:
        await adapter(bank).statements("ACME")

    assert caught.value.system == "bank"
    assert bank.paths() == [STATEMENTS]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
@pytest.mark.parametrize("path", [STATEMENTS, "/_mock/mailbox/3", MESSAGES])
async def test_transient_statuses_anywhere(status: int, path: str) -> None:
    bank = two_days()
    bank.routes[path] = httpx.Response(status, text="busy")

    with pytest.raises(TransientError) as caught:
        await adapter(bank).statements("ACME")

    assert str(status) in caught.value.message
    assert caught.value.system == "bank"


@pytest.mark.parametrize(
    "error", [httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), httpx.ReadError("reset")]
)
async def test_timeouts_and_transport_errors_are_transient(error: httpx.HTTPError) -> None:
    with pytest.raises(TransientError):
        await adapter(Bank({MESSAGES: error})).statements("ACME")


async def test_wrong_credentials_are_a_rejection() -> None:
    bank = Bank({STATEMENTS: httpx.Response(401, json={"error": "started with --auth"})})

    with pytest.raises(RejectionError) as caught:
        await adapter(bank).statements("ACME")

    assert caught.value.code == "BANK_REJECTED"
    assert not isinstance(caught.value, NotFoundError)


@pytest.mark.parametrize(
    "listing",
    [
        httpx.Response(200, text="<html>not the bank</html>"),
        httpx.Response(200, json={"results": []}),
        httpx.Response(200, json=[{"number": 1, "day": "yesterday", "message_id": 3}]),
    ],
)
async def test_a_listing_that_is_not_one_is_unreadable(listing: httpx.Response) -> None:
    with pytest.raises(RejectionError) as caught:
        await adapter(Bank({STATEMENTS: listing})).statements("ACME")

    assert caught.value.code == "BANK_UNREADABLE"


async def test_a_statement_that_is_not_a_camt053_is_unreadable() -> None:
    # What a NACHA-format account's statement is: BAI2, plain text.
    bank = two_days()
    bank.routes["/_mock/mailbox/3"] = httpx.Response(200, text="01,999999992,ACME,261006,0900")

    with pytest.raises(RejectionError) as caught:
        await adapter(bank).statements("ACME")

    assert caught.value.code == "BANK_UNREADABLE"


async def test_a_notification_with_only_a_return_is_left_out() -> None:
    returned = entry("100.00", code=("PMNT", "ICDT", "RRTN"), bank_ref="MB-RTR-1")
    bank = Bank({MESSAGES: httpx.Response(200, json=[message_row(9, "ACME", camt054(returned))])})

    assert await adapter(bank).statements("ACME") == []


async def test_from_settings_sends_basic_auth() -> None:
    bank = Bank()
    port = MockBankAdapter.from_settings(
        BankSettings(base_url=BASE, username="tester", password=SecretStr("s3cret")),
        transport=httpx.MockTransport(bank),
    )

    await port.statements("ACME")
    await port.aclose()

    expected = "Basic " + base64.b64encode(b"tester:s3cret").decode()
    assert {r.headers["authorization"] for r in bank.requests} == {expected}


async def test_settings_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORDERMESH_BANK_BASE_URL", raising=False)
    assert BankSettings().base_url == "http://127.0.0.1:8090"
    monkeypatch.setenv("ORDERMESH_BANK_ACCOUNT", "GLOBEX")
    monkeypatch.setenv("ORDERMESH_BANK_TIMEOUT_SECONDS", "2.5")

    settings = BankSettings()

    assert (settings.account, settings.timeout_seconds) == ("GLOBEX", 2.5)
    assert (settings.username, settings.password) == (None, None)


async def test_without_credentials_no_authorization_header() -> None:
    bank = Bank()
    port = MockBankAdapter.from_settings(
        BankSettings(base_url=BASE), transport=httpx.MockTransport(bank)
    )

    await port.statements("ACME")
    await port.aclose()

    assert all("authorization" not in r.headers for r in bank.requests)
