"""Cash application end to end: a customer's payment arrives at mock-bank, the bank's
day ends, a run applies it, mock-sap shows the receivable cleared, and the order is
PAID and COMPLETED."""

import uuid
from decimal import Decimal
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.test_order_to_cash_e2e import (
    demo_order,
    submit,
    wait_for_status,
    wait_until_fulfilled,
)

pytestmark = pytest.mark.e2e

# Enough calendar days for a credit sent today to book and be on a closed day's
# statement, whatever weekday today is (Friday's credit books Monday, stated Tuesday).
BANK_DAYS = 4


async def fulfilled_order(e2e: RunningStack) -> dict[str, Any]:
    po = f"PO-CASH-{uuid.uuid4().hex[:6]}"
    response = await submit(e2e, demo_order(po), key=po)
    assert response.status_code == 201, response.text
    return await wait_until_fulfilled(e2e, response.json()["order_id"])


async def send_credit(e2e: RunningStack, amount: Decimal, **credit: Any) -> None:
    body = {
        "account": "ACME",
        "amount": int(amount * 100),
        "debtor": {"name": "Becker Berlin", "iban": "NL14MOCK0000000002"},
        **credit,
    }
    response = await e2e.bank.post("/_mock/credits", json=body)
    assert response.status_code in (200, 201), response.text
    advanced = await e2e.bank.post("/_mock/advance", params={"days": BANK_DAYS})
    assert advanced.status_code == 200, advanced.text


async def receivable_items(e2e: RunningStack, accounting_document: str) -> list[dict[str, Any]]:
    response = await e2e.sap.get(
        "/API_OPLACCTGDOCITEMCUBE_SRV/A_OperationalAcctgDocItemCube",
        params={
            "$filter": f"AccountingDocument eq '{accounting_document}'"
            " and AccountingDocumentItemType eq 'D'"
        },
    )
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["d"]["results"]
    return items


async def test_a_payment_quoting_the_invoice_completes_the_order(e2e: RunningStack) -> None:
    view = await fulfilled_order(e2e)
    (invoice,) = view["invoices"]
    gross = Decimal(invoice["gross"]["amount"])
    assert gross > Decimal(invoice["net"]["amount"])  # billed with tax
    (open_item,) = await receivable_items(e2e, invoice["accounting_document"])
    assert open_item["ClearingAccountingDocument"] == ""

    await send_credit(e2e, gross, reference=invoice["billing_document"], note="Thank you")
    run = await e2e.ops.post("/cash/run")

    assert run.status_code == 200, run.text
    applied = [a["billing_document"] for a in run.json()["applied"]]
    assert applied == [invoice["billing_document"]]
    done = await wait_for_status(e2e, view["order_id"], {"COMPLETED"})
    kinds = [entry["kind"] for entry in done["timeline"]]
    assert kinds[-3:] == ["PAYMENT_RECEIVED", "PAID", "COMPLETED"]
    (cleared,) = await receivable_items(e2e, invoice["accounting_document"])
    assert cleared["ClearingAccountingDocument"] != ""

    # The bank's statements read again clear nothing twice.
    again = await e2e.ops.post("/cash/run")
    assert again.status_code == 200 and again.json()["applied"] == []


async def test_a_reference_the_bank_recut_and_an_unapplied_payment(e2e: RunningStack) -> None:
    first, second = await fulfilled_order(e2e), await fulfilled_order(e2e)
    (one,), (two,) = first["invoices"], second["invoices"]
    # The payer names the first invoice only in a note the bank re-cuts at 35
    # characters; the second payment names nothing at all.
    note = f"Payment for our order, your invoice no {one['billing_document']} thanks"
    await send_credit(e2e, Decimal(one["gross"]["amount"]), note=note, wrap=35)
    await send_credit(
        e2e,
        Decimal(two["gross"]["amount"]),
        note="PAYMENT",
        debtor={"name": "Unknown Payer Ltd", "iban": "NL57MOCK0000000004"},
    )

    run = await e2e.ops.post("/cash/run")

    assert run.status_code == 200, run.text
    assert [a["billing_document"] for a in run.json()["applied"]] == [one["billing_document"]]
    await wait_for_status(e2e, first["order_id"], {"COMPLETED"})
    unapplied = (await e2e.ops.get("/cash/unapplied")).json()
    (item,) = [u for u in unapplied if u["payer_name"] == "Unknown Payer Ltd"]
    decided = await e2e.ops.post(
        f"/cash/unapplied/{item['id']}/apply", json={"invoices": [two["billing_document"]]}
    )
    assert decided.status_code == 200, decided.text
    await wait_for_status(e2e, second["order_id"], {"COMPLETED"})
    (cleared,) = await receivable_items(e2e, two["accounting_document"])
    assert cleared["ClearingAccountingDocument"] != ""
