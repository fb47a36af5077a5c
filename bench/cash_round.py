"""The bench's cash round: every invoice paid at mock-bank, then one cash run.

For each invoice the customer's credit arrives at mock-bank (`POST /_mock/credits`,
the billing document as reference, the gross amount in cents), a few concurrently;
then the bank's clock moves on once (`POST /_mock/advance`) so the credits book and
the day's camt.053 statement exists; then one `POST /cash/run` on the API is timed:
it reads the statement, matches the credits to the invoices, clears them in SAP and
signals the orders.
"""

import asyncio
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import httpx

ACCOUNT = "ACME"
DEBTOR = {"name": "Bench Payer", "iban": "NL14MOCK0000000002"}
# Enough calendar days for a credit sent today to book and be on a closed day's
# statement, whatever weekday today is (as in tests/e2e/test_cash_e2e.py).
BANK_DAYS = 4
CREDIT_CONCURRENCY = 10
CASH_RUN_TIMEOUT_SECONDS = 300.0


@dataclass(frozen=True)
class InvoiceDue:
    """An invoice of a fulfilled order: what the customer quotes and pays."""

    billing_document: str
    gross: Decimal


@dataclass(frozen=True)
class CashRoundResult:
    """What the round sent and what the cash run reported.

    Attributes:
        credits_sent: Credits mock-bank accepted.
        credits: New credits the run saw on the bank's statements.
        applied: Applications the run made (invoices cleared or part-paid).
        run_seconds: The time `POST /cash/run` took.
    """

    credits_sent: int
    credits: int
    applied: int
    run_seconds: float


def cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


async def send_credit(bank: httpx.AsyncClient, gate: asyncio.Semaphore, due: InvoiceDue) -> None:
    body = {
        "account": ACCOUNT,
        "amount": cents(due.gross),
        "reference": due.billing_document,
        "debtor": DEBTOR,
    }
    async with gate:
        response = await bank.post("/_mock/credits", json=body)
    if response.status_code not in (200, 201):
        raise RuntimeError(f"credit refused: {response.status_code} {response.text}")


async def cash_round(
    api: httpx.AsyncClient, bank: httpx.AsyncClient, invoices: list[InvoiceDue]
) -> CashRoundResult:
    """Pay every invoice at the bank, close the bank's day, and time one cash run."""
    gate = asyncio.Semaphore(CREDIT_CONCURRENCY)
    await asyncio.gather(*(send_credit(bank, gate, due) for due in invoices))
    advanced = await bank.post("/_mock/advance", params={"days": BANK_DAYS})
    if advanced.status_code != 200:
        raise RuntimeError(f"bank advance refused: {advanced.status_code} {advanced.text}")
    started = time.monotonic()
    response = await api.post("/cash/run", timeout=CASH_RUN_TIMEOUT_SECONDS)
    run_seconds = time.monotonic() - started
    if response.status_code != 200:
        raise RuntimeError(f"cash run failed: {response.status_code} {response.text}")
    run = response.json()
    return CashRoundResult(
        credits_sent=len(invoices),
        credits=int(run["credits"]),
        applied=len(run["applied"]),
        run_seconds=run_seconds,
    )
