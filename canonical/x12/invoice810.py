"""The 810 invoice we send, and reading one back.

BIG carries the invoice date and number and the PO date and number; ITD the terms;
each IT1 echoes the buyer's line id, quantity, unit, unit price and product ids.
TDS01 is the total in two implied decimals (285.66 is `28566`): reading it as a
plain number is the invoice a hundred times too large that every integration meets
once. TXI carries tax as a plain decimal amount.

The total is the lines (each rounded half up to cents) plus the summary taxes. On
reading, TDS is checked against that when the invoice has no SAC allowances or
charges, whose tax or freight meaning varies by partner: a mismatch is a finding.
"""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from canonical.money import round_money
from canonical.x12.body import Body, Element
from canonical.x12.parties import Party, party_segments, read_parties
from canonical.x12.reading import Loops, date_at, decimal_at, descriptions, finding, product_ids
from canonical.x12.reading import reference as read_reference
from canonical.x12.structure import Segment, TransactionSet
from canonical.x12.values import (
    Finding,
    ProductId,
    Reference,
    format_date,
    format_decimal,
    format_implied,
    parse_decimal,
    parse_implied,
    parse_int,
)


class InvoiceLine(BaseModel):
    """An IT1: IT101 line id, IT102 quantity, IT103 unit, IT104 price, IT105 basis."""

    model_config = ConfigDict(frozen=True)

    line_id: str
    quantity: Decimal
    uom: str
    unit_price: Decimal
    price_basis: str = ""
    product_ids: list[ProductId] = []
    description: str = ""

    @property
    def amount(self) -> Decimal:
        return round_money(self.quantity * self.unit_price)


class Terms(BaseModel):
    """ITD: 01 type, 02 basis date (`3` invoice date), 03 discount %, 05 discount
    days, 07 net days, 12 description."""

    model_config = ConfigDict(frozen=True)

    type_code: str = "01"
    basis_code: str = "3"
    discount_percent: Decimal | None = None
    discount_days: int | None = None
    net_days: int | None = None
    description: str = ""


class Tax(BaseModel):
    """TXI: 01 tax type (`ST` state, `LS` local, `TX` all), 02 amount, 03 percent."""

    model_config = ConfigDict(frozen=True)

    type_code: str = "ST"
    amount: Decimal
    percent: Decimal | None = None


class Invoice810(BaseModel):
    """An 810 for one invoice."""

    model_config = ConfigDict(frozen=True)

    invoice_number: str
    invoice_date: date | None
    po_number: str
    po_date: date | None = None
    currency: str | None = None
    references: list[Reference] = []
    parties: list[Party] = []
    terms: Terms | None = None
    shipped_date: date | None = None
    lines: list[InvoiceLine] = []
    taxes: list[Tax] = []
    findings: list[Finding] = []

    @property
    def total(self) -> Decimal:
        lines = sum((line.amount for line in self.lines), Decimal(0))
        return lines + sum((tax.amount for tax in self.taxes), Decimal(0))


def invoice810_segments(invoice: Invoice810) -> Body:
    """The 810 body: BIG, CUR, REF, N1 loops, ITD, DTM, IT1/PID, TDS, TXI, CTT."""
    if invoice.invoice_date is None:
        raise ValueError("BIG01: an 810 needs its invoice date")
    po_date = format_date(invoice.po_date) if invoice.po_date else ""
    big = ["BIG", format_date(invoice.invoice_date), invoice.invoice_number, po_date]
    body: Body = [[*big, invoice.po_number]]
    if invoice.currency:
        body.append(["CUR", "SE", invoice.currency])
    body.extend(["REF", r.qualifier, r.value, r.description] for r in invoice.references)
    for party in invoice.parties:
        body.extend(party_segments(party))
    if invoice.terms:
        body.append(_itd(invoice.terms))
    if invoice.shipped_date:
        body.append(["DTM", "011", format_date(invoice.shipped_date)])
    for line in invoice.lines:
        ids: list[Element] = [part for p in line.product_ids for part in (p.qualifier, p.id)]
        quantity, price = format_decimal(line.quantity), format_decimal(line.unit_price)
        body.append(["IT1", line.line_id, quantity, line.uom, price, line.price_basis, *ids])
        if line.description:
            body.append(["PID", "F", "", "", "", line.description])
    body.append(["TDS", format_implied(invoice.total)])
    for tax in invoice.taxes:
        percent = format_decimal(tax.percent) if tax.percent is not None else ""
        body.append(["TXI", tax.type_code, format_decimal(tax.amount), percent])
    body.append(["CTT", str(len(invoice.lines))])
    return body


def read_810(ts: TransactionSet) -> Invoice810:
    """An 810 (ours or a partner's) read into the model we write."""
    findings: list[Finding] = []
    loops = Loops(ts.body, "IT1", ("TDS", "CTT"))
    big = ts.find("BIG")
    if big is None:
        findings.append(Finding(code="missing_segment", segment_id="BIG", message="no BIG"))
    cur = next((s for s in loops.header if s.id == "CUR"), None)
    itd = next((s for s in loops.header if s.id == "ITD"), None)
    shipped = next((s for s in loops.header if s.id == "DTM" and s.element(1) == "011"), None)
    lines = [_line(block, findings) for block in loops.loops]
    taxes = [
        Tax(type_code=s.element(1), amount=amount, percent=parse_decimal(s.element(3)))
        for s in loops.summary
        if s.id == "TXI" and (amount := parse_decimal(s.element(2))) is not None
    ]
    invoice = Invoice810(
        invoice_number=big.element(2) if big else "",
        invoice_date=date_at(big, 1, findings) if big else None,
        po_number=big.element(4) if big else "",
        po_date=date_at(big, 3, findings) if big else None,
        currency=cur.element(2) if cur else None,
        references=[read_reference(s) for s in loops.header if s.id == "REF"],
        parties=read_parties(loops.header),
        terms=_terms(itd) if itd else None,
        shipped_date=date_at(shipped, 2, findings) if shipped else None,
        lines=lines,
        taxes=taxes,
    )
    _check_totals(ts, loops, invoice, findings)
    return invoice.model_copy(update={"findings": findings})


def _check_totals(
    ts: TransactionSet, loops: Loops, invoice: Invoice810, findings: list[Finding]
) -> None:
    tds = next((s for s in loops.summary if s.id == "TDS"), None)
    declared = parse_implied(tds.element(1)) if tds else None
    if tds is not None and declared is None:
        findings.append(finding("bad_number", tds, f"TDS01 {tds.element(1)!r} is not a number"))
    elif tds is not None and declared != invoice.total and ts.find("SAC") is None:
        message = f"TDS01 says {declared}, the lines and taxes add up to {invoice.total}"
        findings.append(finding("total_mismatch", tds, message))
    ctt = next((s for s in loops.summary if s.id == "CTT"), None)
    if ctt is not None and parse_int(ctt.element(1)) != len(invoice.lines):
        message = f"CTT01 says {ctt.element(1)} lines, the invoice has {len(invoice.lines)}"
        findings.append(finding("line_count", ctt, message))


def _line(block: list[Segment], findings: list[Finding]) -> InvoiceLine:
    it1 = block[0]
    return InvoiceLine(
        line_id=it1.element(1),
        quantity=decimal_at(it1, 2, findings) or Decimal(0),
        uom=it1.element(3),
        unit_price=decimal_at(it1, 4, findings) or Decimal(0),
        price_basis=it1.element(5),
        product_ids=product_ids(it1, 6),
        description=descriptions(block),
    )


def _itd(terms: Terms) -> list[Element]:
    def text(value: Decimal | int | None) -> str:
        return "" if value is None else format_decimal(Decimal(value))

    return [
        "ITD",
        terms.type_code,
        terms.basis_code,
        text(terms.discount_percent),
        "",
        text(terms.discount_days),
        "",
        text(terms.net_days),
        "",
        "",
        "",
        "",
        terms.description,
    ]


def _terms(itd: Segment) -> Terms:
    return Terms(
        type_code=itd.element(1),
        basis_code=itd.element(2),
        discount_percent=parse_decimal(itd.element(3)),
        discount_days=parse_int(itd.element(5)),
        net_days=parse_int(itd.element(7)),
        description=itd.element(12),
    )
