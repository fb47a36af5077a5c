"""Reading ISO 20022 bank-to-customer cash reports into `BankStatement`s.

`parse_camt053` reads a statement (`BkToCstmrStmt`), `parse_camt054` a debit/credit
notification (`BkToCstmrDbtCdtNtfctn`), whatever the message version: elements are
matched by local name, so `camt.053.001.02` and `.001.08` read alike. Pure: bytes
in, models out.

Only money arriving becomes a `BankCredit`: a `CRDT` entry, booked, not a reversal,
under bank transaction code `PMNT/RCDT/*` (a received credit transfer) or
`PMNT/IDDT/*` (the proceeds of our direct debit), and neither a return (sub-family
`RRTN`/`RPCR`, or `RtrInf` on the transaction). Debits, returns and everything else
stay off `credits`; the statement's balances still show them.

Which account: the `account` argument when given (the adapter passes our id of the
account it asked for), else the account's IBAN (or `Othr/Id`) as the bank wrote it.

Anything that is not XML, not the message asked for, or a credit the canonical model
cannot hold is a `RejectionError(code="BANK_UNREADABLE", system="bank")`.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from adapters.errors import RejectionError
from canonical.cash import BankCredit, BankStatement

SYSTEM = "bank"
UNREADABLE = "BANK_UNREADABLE"
NOT_PROVIDED = "NOTPROVIDED"

# Families of domain PMNT under which a credit is somebody paying us.
MONEY_ARRIVING_FAMILIES = frozenset({"RCDT", "IDDT"})
# Sub-families that bring our own money back rather than a payer's.
RETURN_SUBFAMILIES = frozenset({"RRTN", "RPCR"})


@dataclass(frozen=True)
class _Message:
    element: str  # under Document
    report: str  # one statement or notification inside it
    kind: str
    name: str


_CAMT053 = _Message("BkToCstmrStmt", "Stmt", "statement", "camt.053")
_CAMT054 = _Message("BkToCstmrDbtCdtNtfctn", "Ntfctn", "notification", "camt.054")


def parse_camt053(xml: bytes, account: str | None = None) -> list[BankStatement]:
    """The statements (`Stmt`) of a camt.053, in document order.

    Args:
        xml: The message as the bank sent it.
        account: Our id of the account, written as every `account`; the IBAN (or
            other id) the message names when None.

    Raises:
        RejectionError: `BANK_UNREADABLE`: not XML, not a camt.053, or unreadable.
    """
    return _parse(xml, _CAMT053, account)


def parse_camt054(xml: bytes, account: str | None = None) -> list[BankStatement]:
    """The notifications (`Ntfctn`) of a camt.054, in document order, each with
    `kind="notification"`; one reporting only debits or returns has no credits.

    Args:
        xml: The message as the bank sent it.
        account: As for `parse_camt053`.

    Raises:
        RejectionError: `BANK_UNREADABLE`: not XML, not a camt.054, or unreadable.
    """
    return _parse(xml, _CAMT054, account)


def _unreadable(message: str) -> RejectionError:
    return RejectionError(f"bank: {message}", code=UNREADABLE, system=SYSTEM)


def _load(xml: bytes) -> ET.Element:
    # No camt message has a DTD, and refusing one keeps entity expansion out of a
    # parser reading what came over the wire.
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise _unreadable("a message with a DTD is not a camt message")
    try:
        root = ET.fromstring(xml)  # noqa: S314 - no DTD (refused above), so nothing to expand
    except ET.ParseError as exc:
        raise _unreadable(f"not XML: {exc}") from exc
    # Namespaces carry the message version; dropping them reads every version alike.
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
    return root


def _parse(xml: bytes, message: _Message, account: str | None) -> list[BankStatement]:
    root = _load(xml)
    body = root[0] if root.tag == "Document" and len(root) else root
    if body.tag != message.element:
        raise _unreadable(f"expected a {message.name} ({message.element}), got {body.tag}")
    reports = body.findall(message.report)
    if not reports:
        raise _unreadable(f"a {message.name} without any {message.report}")
    try:
        return [_report(report, message.kind, account) for report in reports]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise _unreadable(f"{message.name}: {where}: {first['msg']}") from exc


# -- reading elements --


def _text(element: ET.Element | None, path: str) -> str:
    """The stripped text at `path`, "" when absent."""
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise _unreadable(f"{text!r} is not a date") from exc


def _date(element: ET.Element, path: str) -> date | None:
    """A `DateAndDateTimeChoice` (`Dt` or `DtTm`) as the date it names."""
    text = _text(element, f"{path}/Dt") or _text(element, f"{path}/DtTm")
    return _day(text) if text else None


def _amount(element: ET.Element | None) -> tuple[Decimal, str]:
    """An `Amt` element: its value and its `Ccy`."""
    if element is None:
        raise _unreadable("an entry without an amount")
    try:
        return Decimal((element.text or "").strip()), element.get("Ccy", "")
    except InvalidOperation as exc:
        raise _unreadable(f"{element.text!r} is not an amount") from exc


def _first(element: ET.Element, *paths: str) -> ET.Element | None:
    """The element at the first of `paths` present."""
    return next((found for p in paths if (found := element.find(p)) is not None), None)


def _balance(report: ET.Element, codes: tuple[str, ...]) -> Decimal | None:
    """The balance of the first type in `codes` the report has, signed."""
    for code in codes:
        for balance in report.iterfind("Bal"):
            if _text(balance, "Tp/CdOrPrtry/Cd") == code:
                amount, _ = _amount(balance.find("Amt"))
                return -amount if _text(balance, "CdtDbtInd") == "DBIT" else amount
    return None


def _report_day(report: ET.Element) -> date | None:
    """The day reported on: the period's start, else a balance's or the first
    entry's date, else when the report was made (a notification has no period)."""
    text = (
        _text(report, "FrToDt/FrDtTm")
        or _text(report, "Bal/Dt/Dt")
        or _text(report, "Bal/Dt/DtTm")
        or _text(report, "Ntry/BookgDt/Dt")
        or _text(report, "Ntry/BookgDt/DtTm")
        or _text(report, "CreDtTm")
    )
    return _day(text) if text else None


# -- the report and its credits --


def _report(report: ET.Element, kind: str, account: str | None) -> BankStatement:
    owner = account or _text(report, "Acct/Id/IBAN") or _text(report, "Acct/Id/Othr/Id")
    if not owner:
        raise _unreadable("a report that names no account")
    statement_id = _text(report, "Id")
    entries = report.findall("Ntry")
    currency = (
        _text(report, "Acct/Ccy")
        or next((amt.get("Ccy", "") for amt in report.iterfind("Bal/Amt")), "")
        or next((amt.get("Ccy", "") for amt in report.iterfind("Ntry/Amt")), "")
    )
    return BankStatement(
        statement_id=statement_id,
        kind=kind,
        account=owner,
        currency=currency,
        day=_report_day(report),
        opening_balance=_balance(report, ("OPBD", "PRCD")),
        closing_balance=_balance(report, ("CLBD",)),
        credits=[credit for entry in entries for credit in _credits(entry, statement_id, owner)],
    )


def _family(element: ET.Element) -> tuple[str, str, str]:
    """(domain, family, sub-family) of the `BkTxCd` directly under `element`."""
    code = element.find("BkTxCd/Domn")
    if code is None:
        return "", "", ""
    return _text(code, "Cd"), _text(code, "Fmly/Cd"), _text(code, "Fmly/SubFmlyCd")


def _is_money_arriving(code: tuple[str, str, str]) -> bool:
    domain, family, sub_family = code
    return (
        domain == "PMNT"
        and family in MONEY_ARRIVING_FAMILIES
        and sub_family not in RETURN_SUBFAMILIES
    )


def _is_returned(tx: ET.Element) -> bool:
    """A transaction bringing our own money back, whatever its entry says."""
    return tx.find("RtrInf") is not None or (
        tx.find("BkTxCd") is not None and not _is_money_arriving(_family(tx))
    )


def _credits(entry: ET.Element, statement_id: str, account: str) -> list[BankCredit]:
    """One credit per entry that is money arriving; one per transaction when the
    entry batches several (entry id suffixed `/<n>`, amount the transaction's)."""
    status = _text(entry, "Sts/Cd") or _text(entry, "Sts")
    if (
        _text(entry, "CdtDbtInd") != "CRDT"
        or (status and status != "BOOK")
        or _text(entry, "RvslInd").lower() == "true"
        or not _is_money_arriving(_family(entry))
    ):
        return []
    transactions: list[ET.Element | None] = [*entry.iterfind("NtryDtls/TxDtls")] or [None]
    several = len(transactions) > 1
    bank_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    entry_amount = _amount(entry.find("Amt"))
    credits = []
    for n, tx in enumerate(transactions, start=1):
        if tx is not None and _is_returned(tx):
            continue
        end_to_end_id = _text(tx, "Refs/EndToEndId")
        end_to_end_id = "" if end_to_end_id == NOT_PROVIDED else end_to_end_id
        entry_id = bank_ref or end_to_end_id
        if not entry_id:
            raise _unreadable(f"{statement_id}: a credit with no reference to tell it by")
        amount, currency = entry_amount
        if several and tx is not None:
            entry_id = f"{entry_id}/{n}"
            amount, currency = _amount(_first(tx, "Amt", "AmtDtls/TxAmt/Amt"))
        credits.append(
            BankCredit(
                entry_id=entry_id,
                statement_id=statement_id,
                account=account,
                amount=amount,
                currency=currency or entry_amount[1],
                booking_date=_date(entry, "BookgDt"),
                value_date=_date(entry, "ValDt"),
                payer_name=_text(tx, "RltdPties/Dbtr/Pty/Nm") or _text(tx, "RltdPties/Dbtr/Nm"),
                payer_account=_text(tx, "RltdPties/DbtrAcct/Id/IBAN")
                or _text(tx, "RltdPties/DbtrAcct/Id/Othr/Id"),
                end_to_end_id=end_to_end_id,
                structured_reference=_text(tx, "RmtInf/Strd/CdtrRefInf/Ref"),
                remittance_lines=_remittance_lines(tx),
            )
        )
    return credits


def _remittance_lines(tx: ET.Element | None) -> list[str]:
    # Exactly as written, unstripped: a bank that re-cuts the note may end a line
    # in a space, and only the lines as cut join back into the payer's text.
    return [] if tx is None else [line.text or "" for line in tx.iterfind("RmtInf/Ustrd")]
