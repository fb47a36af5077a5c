"""Clearing what customers paid: a bank statement posted to SAP as a FINSTA01 IDoc.

`statement_xml` writes the IDoc: `E1IDKU1` with the statement number (`BGMREF`), its
date (`E1EDK03`, `IDDAT` 026, which SAP posts the clearing on) and the account
(`E1IDB02`, with its currency); one `E1IDPF1` per line, numbered 000001, 000002, ...
(`LINLINEIT`), marked as money arriving (`LINACTION` RCV) with its positive amount and
currency (`E1IDPU5`). A line that settles one billing document names it as the
structured reference (`E1EDP02`), which SAP believes over the note; a line settling
several names them in the note to payee (`E1IDT01`), because SAP reads only the first
`E1EDP02` and matches several invoices on a line from the note.

`read_applied` reads SAP's answer: status 53 with `APPLIED` (`CLEARED` rows become
`ClearedItem`s, `UNPROCESSED` rows `RefusedLine`s); 51, 56 or 68 (not posted) is a
`RejectionError` with the status text.

Posting the same statement again clears nothing twice (`SapStatements`): before
posting, the invoices whose receivable a customer payment referencing this statement
already cleared are looked up (`SapOpenItems.settled_by`); their lines are answered as
cleared from SAP's books and not sent again, and only the other lines are posted.
"""

import hashlib
import logging
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from adapters.erp.port import (
    ClearedItem,
    ClearingLine,
    ClearingRequest,
    ClearingResult,
    RefusedLine,
)
from adapters.erp.sap_checks import check_clearing, invalid
from adapters.erp.sap_http import SapODataSession
from adapters.erp.sap_open_items import SapOpenItems
from adapters.erp.sap_settings import SapSettings
from adapters.erp.sap_values import (
    JOURNAL_ENTRY_SRV,
    SYSTEM,
    JsonObject,
    abap_date,
    decimal_text,
    document_number,
    parse_amount,
)
from adapters.errors import RejectionError, TransientError

logger = logging.getLogger(__name__)

REFERENCE_LENGTH = 16
"""The clearing's `ReferenceDocument` (XBLNR), which SAP fills from `BGMREF`, holds 16."""
MONEY_ARRIVING = "RCV"
"""`LINACTION` of money arriving (mock-sap's convention: SAP pins no values for it)."""
INVOICE_REFERENCE = "009"
"""`E1EDP02` `QUALF` of the invoice a line pays (as mock-sap's own REMADV writes it)."""
LINE_AMOUNT = "001"
"""`E1IDPU5` `MOAQUAL` of a line's amount: not one of the balance qualifiers."""
STATEMENT_DATE = "026"
NOTE_LINES, NOTE_WIDTH = 14, 70
"""`E1IDT01` holds TXT01..TXT14 of 70 characters."""
POSTED = "53"
NOT_POSTED = {"51", "56", "68"}


def statement_reference(statement_id: str) -> str:
    """The `BGMREF` of a statement: its number when it fits the clearing's 16-character
    reference (which is how a repeat finds the clearing), else 16 hex digits of the
    number's SHA-256."""
    number = statement_id.strip()
    if len(number) <= REFERENCE_LENGTH:
        return number
    return hashlib.sha256(number.encode("utf-8")).hexdigest()[:REFERENCE_LENGTH]


@dataclass(frozen=True)
class StatementLine:
    """A request line as it goes into one IDoc.

    Attributes:
        number: Its `LINLINEIT` (000001, ...) in this IDoc.
        documents: SAP's (ALPHA) form of each billing document -> the caller's.
    """

    number: str
    line: ClearingLine
    documents: Mapping[str, str]


def note_lines(line: StatementLine) -> list[str]:
    """The note to payee: the billing documents when there are several (comma after
    each, so no number runs into the next once SAP strips spaces from the note);
    else the payer and their note, for people. Payer and note are left off a line of
    several documents because SAP searches its note for invoice numbers, and a number
    the payer wrote could settle an invoice nobody decided on."""
    if len(line.documents) > 1:
        lines = textwrap.wrap(", ".join(line.documents) + ",", NOTE_WIDTH)
        if len(lines) > NOTE_LINES:
            raise invalid(f"line {line.line.line_id} names more invoices than a note holds")
        return lines
    words = [f"Payer: {line.line.payer_name.strip()}"] if line.line.payer_name.strip() else []
    words += textwrap.wrap(line.line.note, NOTE_WIDTH)
    return words[:NOTE_LINES]


def statement_xml(
    request: ClearingRequest, reference: str, lines: list[StatementLine], client: str
) -> bytes:
    """The FINSTA01 IDoc (XML) of `lines` of the statement; see the module."""

    def segment(parent: ET.Element, name: str, **fields: str) -> ET.Element:
        element = ET.SubElement(parent, name, SEGMENT="1")
        for field_name, value in fields.items():
            ET.SubElement(element, field_name).text = value
        return element

    root = ET.Element("FINSTA01")
    idoc = ET.SubElement(root, "IDOC", BEGIN="1")
    control = {"TABNAM": "EDI_DC40", "MANDT": client, "DIRECT": "2", "IDOCTYP": "FINSTA01"}
    segment(idoc, "EDI_DC40", **control, MESTYP="FINSTA", SNDPRT="LS", SNDPRN="ORDERMESH")
    header = segment(idoc, "E1IDKU1", BGMREF=reference)
    segment(header, "E1EDK03", IDDAT=STATEMENT_DATE, DATUM=abap_date(request.posting_date))
    segment(header, "E1IDB02", FIIKONTO=request.bank_account, FIIKWAER=request.currency)
    for line in lines:
        entry = segment(header, "E1IDPF1", LINLINEIT=line.number, LINACTION=MONEY_ARRIVING)
        if len(line.documents) == 1:
            segment(entry, "E1EDP02", QUALF=INVOICE_REFERENCE, BELNR=next(iter(line.documents)))
        note = note_lines(line)
        if note:
            segment(entry, "E1IDT01", **{f"TXT{n:02d}": t for n, t in enumerate(note, start=1)})
        segment(
            entry,
            "E1IDPU5",
            MOAQUAL=LINE_AMOUNT,
            MOABETR=decimal_text(line.line.amount),
            CUXWAERZ=request.currency,
        )
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def read_applied(receipt: JsonObject, lines: Mapping[str, StatementLine]) -> ClearingResult:
    """What SAP did with the statement's `lines` (by `LINLINEIT`); see the module."""
    status = str(receipt.get("STATUS", ""))
    status_text = str(receipt.get("STATUS_TEXT", "")) or f"IDoc status {status}"
    if status in NOT_POSTED:
        raise RejectionError(
            f"SAP did not post the statement (IDoc {receipt.get('DOCNUM', '?')}, status "
            f"{status}): {status_text}",
            code="ERP_REJECTED",
            system=SYSTEM,
        )
    applied = receipt.get("APPLIED")
    outcome = applied[0] if isinstance(applied, list) and applied else None
    if status != POSTED or not isinstance(outcome, dict):
        # Not known to have posted: a retry finds whatever it did clear, and sends the rest
        raise TransientError(
            f"SAP answered the statement with IDoc status {status!r} ({status_text}) and "
            "no account of what it cleared",
            system=SYSTEM,
        )
    cleared: list[ClearedItem] = []
    refused: list[RefusedLine] = []
    for row in outcome.get("CLEARED") or []:
        line = lines.get(str(row.get("LINE", "")))
        if line is not None:
            number = document_number(str(row.get("REFERENCE", "")))
            cleared.append(
                ClearedItem(
                    line_id=line.line.line_id,
                    billing_document=line.documents.get(number, number),
                    clearing_document=str(row.get("CLEARINGDOCUMENT", "")),
                    amount=parse_amount(row.get("AMOUNT")),
                )
            )
    for row in outcome.get("UNPROCESSED") or []:
        line = lines.get(str(row.get("LINE", "")))
        if line is not None:
            reason = str(row.get("REASON") or "SAP gave no reason")
            refused.append(RefusedLine(line_id=line.line.line_id, reason=reason))
    answered = {c.line_id for c in cleared} | {r.line_id for r in refused}
    refused += [
        RefusedLine(line_id=line.line.line_id, reason="SAP's answer does not mention this line")
        for line in lines.values()
        if line.line.line_id not in answered
    ]
    return ClearingResult(cleared=cleared, refused=refused)


class SapStatements:
    """`clear_receivables` for `adapters.erp.sap.SapErpAdapter`.

    Args:
        odata: The adapter's session (the IDoc).
        settings: The SAP client, for the control record.
        open_items: Finds what an earlier posting of the statement cleared.
    """

    def __init__(
        self, odata: SapODataSession, settings: SapSettings, open_items: SapOpenItems
    ) -> None:
        self._odata = odata
        self._settings = settings
        self._open_items = open_items

    async def clear_receivables(self, request: ClearingRequest) -> ClearingResult:
        """Post the statement's lines that it has not cleared yet; answer for all of them.

        A line one of whose invoices a customer payment with this statement's reference
        already cleared is answered from SAP's books (`ClearedItem`s with the clearing
        document and the invoice's amount) and not sent; every other line goes into a
        new FINSTA01 with the same `BGMREF` (so a refused line is tried again). When
        every line was cleared before, nothing is sent. Results keep the request's
        line order and the caller's spelling of billing documents.
        """
        documents = check_clearing(request)
        reference = statement_reference(request.statement_id)
        spelled = [
            {number: given for number, given in zip(numbers, line.billing_documents, strict=True)}
            for numbers, line in zip(documents, request.lines, strict=True)
        ]
        settled = await self._open_items.settled_by(
            (number for numbers in documents for number in numbers), reference
        )
        earlier: list[ClearedItem] = []
        to_send: list[StatementLine] = []
        for line, names in zip(request.lines, spelled, strict=True):
            done = [number for number in names if number in settled]
            if done:
                earlier += [
                    ClearedItem(
                        line_id=line.line_id,
                        billing_document=names[number],
                        clearing_document=settled[number].clearing_document,
                        amount=settled[number].amount,
                    )
                    for number in done
                ]
            else:
                to_send.append(StatementLine(f"{len(to_send) + 1:06d}", line, names))
        if earlier:
            logger.info(
                "statement %s already cleared %d invoice(s); sending %d line(s)",
                request.statement_id,
                len(earlier),
                len(to_send),
            )
        posted = ClearingResult()
        if to_send:
            receipt = await self._odata.post_idoc(
                statement_xml(request, reference, to_send, self._settings.client),
                token_service=JOURNAL_ENTRY_SRV,
            )
            posted = read_applied(receipt, {line.number: line for line in to_send})
        order = {line.line_id: position for position, line in enumerate(request.lines)}
        return ClearingResult(
            cleared=sorted(earlier + posted.cleared, key=lambda c: order[c.line_id]),
            refused=sorted(posted.refused, key=lambda r: order[r.line_id]),
        )
