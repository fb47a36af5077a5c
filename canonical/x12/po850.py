"""The 850 purchase order: read it as the buyer wrote it, then map it to our order.

`read_850` keeps the buyer's terms (see `canonical.x12.po850_models`) and records
content findings (CTT01 against the PO1 lines, dates that are not dates, numbers
that are not numbers, repeated line ids) instead of failing, so that one reading
serves the 997, the order and the 855. BEG05 and DTM dates may be CCYYMMDD or, in
003010 and sloppy files, YYMMDD. `to_submission` (from
`canonical.x12.po850_submission`) turns the result into an `OrderSubmission`.
"""

from collections.abc import Sequence
from datetime import date

from canonical.x12.parties import Party, read_party
from canonical.x12.po850_models import DateRef, Pack, PO1Line, PurchaseOrder850
from canonical.x12.po850_submission import to_submission
from canonical.x12.reading import (
    Loops,
    date_at,
    decimal_at,
    descriptions,
    finding,
    product_ids,
    reference,
)
from canonical.x12.structure import Segment, TransactionSet
from canonical.x12.values import Finding, Reference, parse_decimal, parse_int

__all__ = ["read_850", "to_submission"]

_DELIVERY_REQUESTED = "002"


def read_850(ts: TransactionSet) -> PurchaseOrder850:
    """The purchase order in an 850 set; content problems become `findings`."""
    findings: list[Finding] = []
    loops = Loops(ts.body, "PO1", ("CTT",))
    context = _Context(loops.header, findings)
    beg = ts.find("BEG")
    if beg is None:
        findings.append(Finding(code="missing_segment", segment_id="BEG", message="no BEG"))
    lines = [_read_line(block, index, findings) for index, block in enumerate(loops.loops, 1)]
    ctt = next((s for s in loops.summary if s.id == "CTT"), None)
    declared = parse_int(ctt.element(1)) if ctt else None
    if ctt is not None and declared != len(lines):
        message = f"CTT01 says {ctt.element(1)} lines, the order has {len(lines)} PO1 lines"
        findings.append(finding("line_count", ctt, message))
    seen: dict[str, int] = {}
    for line in lines:
        if line.line_id in seen:
            message = f"PO101 {line.line_id!r} repeats line {seen[line.line_id]}"
            findings.append(
                Finding(
                    code="duplicate_line_id",
                    segment_id="PO1",
                    position=line.position,
                    message=message,
                )
            )
        elif line.line_id:
            seen[line.line_id] = line.index
    po_date = date_at(beg, 5, findings) if beg else None
    # In the order of the segments, as a person reading the file meets them.
    findings.sort(key=lambda f: f.position if f.position is not None else 0)
    return PurchaseOrder850(
        control_number=ts.control_number,
        purpose=beg.element(1) if beg else "",
        order_type=beg.element(2) if beg else "",
        po_number=beg.element(3) if beg else "",
        release=beg.element(4) if beg else "",
        po_date=po_date,
        currency=context.currency,
        references=context.references,
        dates=context.dates,
        requested_delivery=_requested(context.dates),
        parties=context.parties,
        notes=context.notes,
        lines=lines,
        declared_lines=declared,
        hash_total=parse_decimal(ctt.element(2)) if ctt else None,
        findings=findings,
    )


class _Context:
    """What a header or a PO1 loop says besides its lead segment."""

    def __init__(self, segments: Sequence[Segment], findings: list[Finding]) -> None:
        self.currency: str | None = None
        self.references: list[Reference] = []
        self.dates: list[DateRef] = []
        self.parties: list[Party] = []
        self.notes: list[str] = []
        self.packs: list[Pack] = []
        index = 0
        while index < len(segments):
            segment = segments[index]
            if segment.id == "N1":
                party, index = read_party(segments, index)
                self.parties.append(party)
                continue
            if segment.id == "CUR":
                self.currency = segment.element(2) or None
            elif segment.id == "REF":
                self.references.append(reference(segment))
            elif segment.id == "DTM":
                when = date_at(segment, 2, findings)
                raw = segment.element(2)
                self.dates.append(DateRef(qualifier=segment.element(1), date=when, raw=raw))
            elif segment.id == "MSG":
                self.notes.append(segment.element(1))
            elif segment.id == "PO4":
                size = parse_decimal(segment.element(2))
                pack = parse_decimal(segment.element(1))
                self.packs.append(Pack(pack=pack, size=size, uom=segment.element(3)))
            index += 1


def _read_line(block: Sequence[Segment], index: int, findings: list[Finding]) -> PO1Line:
    po1 = block[0]
    context = _Context(block[1:], findings)
    return PO1Line(
        index=index,
        position=po1.set_position or 0,
        line_id=po1.element(1),
        quantity=decimal_at(po1, 2, findings),
        uom=po1.element(3),
        unit_price=decimal_at(po1, 4, findings),
        price_basis=po1.element(5),
        product_ids=product_ids(po1, 6),
        description=descriptions(block),
        pack=context.packs[0] if context.packs else None,
        currency=context.currency,
        requested_delivery=_requested(context.dates),
        dates=context.dates,
        references=context.references,
        parties=context.parties,
        notes=context.notes,
    )


def _requested(dates: Sequence[DateRef]) -> date | None:
    return next((d.date for d in dates if d.qualifier == _DELIVERY_REQUESTED), None)
