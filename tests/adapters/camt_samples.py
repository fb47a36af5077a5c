"""camt.053 and camt.054 messages for the bank adapter's tests, built in the shape
mock-bank writes them (camt.*.001.08): a statement of ACME's for `DAY`, one received
transfer per `entry()` unless told otherwise."""

from xml.sax.saxutils import escape

IBAN = "NL41MOCK0000000001"
DAY = "2026-10-05"
PAYER_IBAN = "NL14MOCK0000000002"
RECEIVED = ("PMNT", "RCDT", "ESCT")


def code_xml(code: tuple[str, str, str]) -> str:
    domain, family, sub_family = code
    return (
        f"<BkTxCd><Domn><Cd>{domain}</Cd><Fmly><Cd>{family}</Cd>"
        f"<SubFmlyCd>{sub_family}</SubFmlyCd></Fmly></Domn></BkTxCd>"
    )


def tx(
    e2e: str = "E2E-1",
    *,
    amount: str = "",
    payer: str = "Customer Ltd",
    payer_iban: str = PAYER_IBAN,
    lines: tuple[str, ...] = (),
    reference: str = "",
    extra: str = "",
) -> str:
    """One `TxDtls`, with `extra` XML (e.g. `RtrInf`) at its end."""
    amt = f'<Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>' if amount else ""
    ustrd = "".join(f"<Ustrd>{escape(line)}</Ustrd>" for line in lines)
    strd = f"<Strd><CdtrRefInf><Ref>{reference}</Ref></CdtrRefInf></Strd>" if reference else ""
    account = f"<DbtrAcct><Id><IBAN>{payer_iban}</IBAN></Id></DbtrAcct>" if payer_iban else ""
    return (
        f"<TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>{amt}"
        f"<RltdPties><Dbtr><Pty><Nm>{escape(payer)}</Nm></Pty></Dbtr>{account}</RltdPties>"
        f"<RmtInf>{ustrd}{strd}</RmtInf>{extra}</TxDtls>"
    )


def entry(
    amount: str = "1180.00",
    *txs: str,
    indicator: str = "CRDT",
    code: tuple[str, str, str] = RECEIVED,
    bank_ref: str = "MB-RCV-1",
    entry_ref: str = "",
    status: str = "BOOK",
    booked: str = DAY,
) -> str:
    """One `Ntry`; one default transaction when none are given."""
    refs = f"<NtryRef>{entry_ref}</NtryRef>" if entry_ref else ""
    refs += f"<AcctSvcrRef>{bank_ref}</AcctSvcrRef>" if bank_ref else ""
    details = "".join(txs or (tx(),))
    return (
        f'<Ntry>{refs}<Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        f"<Sts><Cd>{status}</Cd></Sts><BookgDt><Dt>{booked}</Dt></BookgDt>"
        f"<ValDt><Dt>2026-10-03</Dt></ValDt>{code_xml(code)}"
        f"<NtryDtls>{details}</NtryDtls></Ntry>"
    )


def account_xml() -> str:
    return f"<Acct><Id><IBAN>{IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>"


def balance(code: str, amount: str, day: str = DAY) -> str:
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
        f"<Dt><Dt>{day}</Dt></Dt></Bal>"
    )


def camt053(
    *entries: str,
    version: str = "camt.053.001.08",
    day: str = DAY,
    statement_id: str = "MB-C053-ACME-1",
) -> bytes:
    """A statement of `day`, opening at 125000.00 and closing at 126180.00."""
    return (
        f"<?xml version='1.0' encoding='utf-8'?>"
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{version}"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{statement_id}</MsgId></GrpHdr><Stmt><Id>{statement_id}</Id>"
        f"<CreDtTm>{day}T23:59:59+00:00</CreDtTm><FrToDt>"
        f"<FrDtTm>{day}T00:00:00+00:00</FrDtTm><ToDtTm>{day}T23:59:59+00:00</ToDtTm>"
        f"</FrToDt>{account_xml()}{balance('OPBD', '125000.00', day)}"
        f"{balance('CLBD', '126180.00', day)}{''.join(entries)}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def camt054(*entries: str, notification_id: str = "MB-C054-ACME-1") -> bytes:
    """A notification of `entries`, sent the day after `DAY`."""
    return (
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">'
        f"<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>{notification_id}</MsgId></GrpHdr>"
        f"<Ntfctn><Id>{notification_id}</Id><CreDtTm>2026-10-06T09:00:00+00:00</CreDtTm>"
        f"{account_xml()}{''.join(entries)}</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"
    ).encode()
