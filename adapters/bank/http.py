"""`BankPort` over HTTP, against mock-bank's control plane (`mockbank`, 0.9).

mock-bank has no customer API for reading statements: a client either collects its
mailbox (which takes the messages) or reads the control plane, which takes nothing.
This adapter does the latter, so reading is non-destructive:

- `GET /_mock/accounts/{account}/statements`: the camt.053s issued for the account
  (number, day, message_id). A row whose `message_id` is null has no message to
  fetch (the bank could not write it, or retention pruned it) and is skipped.
- `GET /_mock/mailbox/{id}`: one message's XML, whether or not it was collected.
- `GET /_mock/messages?type=camt.054`: every notification the bank released,
  collected or not, oldest first, each with its `account` and XML `body`.

Error mapping: an unknown account (404) is `NotFoundError`; timeouts, connection
failures and transient statuses are `TransientError`; other error answers (a 401
under `--auth` with wrong credentials) are `RejectionError` with code
`BANK_REJECTED`; a listing or message that cannot be read is `BANK_UNREADABLE`.
"""

from datetime import date
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from adapters.bank.camt import SYSTEM, UNREADABLE, parse_camt053, parse_camt054
from adapters.bank.settings import BankSettings
from adapters.errors import RejectionError
from adapters.http_client import HttpAdapter
from adapters.http_errors import raise_for_status, send
from canonical.cash import BankStatement

DEFAULT_CODE = "BANK_REJECTED"
Row = TypeVar("Row", bound=BaseModel)
NOTIFICATION_TYPE = "camt.054"


class _StatementRow(BaseModel):
    number: int
    day: date
    message_id: int | None = None


class _MessageRow(BaseModel):
    id: int
    account: str | None = None
    body: str | None = None


_STATEMENT_ROWS = TypeAdapter(list[_StatementRow])
_MESSAGE_ROWS = TypeAdapter(list[_MessageRow])


class MockBankAdapter(HttpAdapter):
    """The bank over HTTP (mock-bank).

    Args:
        client: An `httpx.AsyncClient` whose `base_url` is the bank (e.g.
            `http://127.0.0.1:8090`); the caller owns it, or use `from_base_url` /
            `from_settings` and `aclose`.
    """

    @classmethod
    def from_settings(
        cls,
        settings: BankSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Self:
        """An adapter with its own client: base URL, basic auth and timeout from
        settings (read from the environment when none are given). Close it with
        `aclose`.

        Args:
            settings: Where the bank is; `BankSettings()` (the environment) when None.
            transport: An httpx transport to use instead of the network (tests).
        """
        settings = settings or BankSettings()
        auth = None
        if settings.username:
            password = settings.password.get_secret_value() if settings.password else ""
            auth = httpx.BasicAuth(settings.username, password)
        client = httpx.AsyncClient(
            base_url=settings.base_url,
            auth=auth,
            timeout=httpx.Timeout(settings.timeout_seconds),
            transport=transport,
        )
        return cls(client)

    async def statements(self, account: str, since: date | None = None) -> list[BankStatement]:
        """The account's camt.053 statements on or after `since`, oldest first, then
        its camt.054 notifications that report money arriving, oldest first.

        Every statement and credit carries `account` (our id), not the IBAN.

        Raises:
            NotFoundError: The bank holds no such account.
            TransientError: The bank did not answer, or answered 5xx.
            RejectionError: `BANK_UNREADABLE` for a message that is not a readable
                camt.053/camt.054 (a NACHA-format account's BAI2 statement, say).
        """
        # The statements listing books what has come due before it answers; the
        # messages listing does not, so it is read second and sees the same bank.
        rows = await self._rows(
            f"/_mock/accounts/{quote(account, safe='')}/statements", _STATEMENT_ROWS
        )
        issued = sorted(
            (row.day, row.number, row.message_id)
            for row in rows
            if row.message_id is not None and (since is None or row.day >= since)
        )
        statements: list[BankStatement] = []
        for _, _, message_id in issued:
            statements.extend(parse_camt053(await self._message(message_id), account))
        notifications: list[BankStatement] = []
        messages = await self._rows(
            "/_mock/messages", _MESSAGE_ROWS, params={"type": NOTIFICATION_TYPE}
        )
        for message in messages:
            if message.account != account:
                continue
            xml = message.body.encode() if message.body else await self._message(message.id)
            notifications.extend(
                notification
                for notification in parse_camt054(xml, account)
                if notification.credits
                and (since is None or notification.day is None or notification.day >= since)
            )
        return statements + notifications

    async def _get(self, url: str, **kwargs: Any) -> httpx.Response:
        response = await send(self._client, "GET", url, system=SYSTEM, **kwargs)
        raise_for_status(response, system=SYSTEM, default_code=DEFAULT_CODE)
        return response

    async def _rows(self, url: str, rows: TypeAdapter[list[Row]], **kwargs: Any) -> list[Row]:
        response = await self._get(url, **kwargs)
        try:
            return rows.validate_json(response.content)
        except ValidationError as exc:
            raise RejectionError(
                f"bank: GET {url} answered what is not its listing: {exc.errors()[0]['msg']}",
                code=UNREADABLE,
                system=SYSTEM,
            ) from exc

    async def _message(self, message_id: int) -> bytes:
        return (await self._get(f"/_mock/mailbox/{message_id}")).content
