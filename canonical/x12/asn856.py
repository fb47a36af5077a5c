"""The 856 ship notice we send, and reading one back.

The HL hierarchy is shipment (S) -> order (O) -> pack (P, optional) -> item (I); each
HL names its parent, and HL04 says whether children follow. BSN05 is `0001`
(shipment, order, packaging, item) when packs are sent and `0004` (shipment, order,
item) when they are not. CTT01 counts the HL segments. Items echo the buyer's line
id (LIN01), product ids (LIN02/03...) and unit (SN103), with the ordered quantity in
SN105/SN106 so the buyer can see what is short.

Reading follows parent pointers, not positions: real 856s put tare (T) levels and
packs inside items, and a positional reader would lose items under them. An item
or pack without an order above it is kept under an order with no PO number, with a
finding.
"""

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from canonical.x12.body import Body, Element
from canonical.x12.parties import Party, party_segments, read_party
from canonical.x12.reading import finding, product_ids
from canonical.x12.structure import Segment, TransactionSet
from canonical.x12.values import (
    Finding,
    ProductId,
    format_date,
    format_decimal,
    format_time,
    parse_date,
    parse_decimal,
    parse_int,
    parse_time,
)


class ShipItem(BaseModel):
    """An item level: LIN and SN1."""

    model_config = ConfigDict(frozen=True)

    line_id: str
    product_ids: list[ProductId] = []
    quantity: Decimal
    uom: str
    ordered_quantity: Decimal | None = None


class ShipPack(BaseModel):
    """A pack level: MAN*GM (SSCC-18 label) and its own REF*CN tracking number."""

    model_config = ConfigDict(frozen=True)

    marks: str = ""
    tracking: str = ""
    items: list[ShipItem] = []


class ShipOrder(BaseModel):
    """An order level: PRF (PO number, PO date), loose items and packs."""

    model_config = ConfigDict(frozen=True)

    po_number: str
    po_date: date | None = None
    items: list[ShipItem] = []
    packs: list[ShipPack] = []


class ShipNotice856(BaseModel):
    """An 856 for one shipment.

    Attributes:
        notice_date / notice_time: BSN03 / BSN04, when the notice was written.
        shipped_date: DTM*011, when the goods left.
        tracking / bill_of_lading: REF*CN / REF*BM for the whole shipment.
        packaging_code / lading_quantity / weight / weight_uom: TD101 / 102 / 107 / 108.
    """

    model_config = ConfigDict(frozen=True)

    purpose: str = "00"
    shipment_id: str
    notice_date: date | None
    notice_time: time | None
    shipped_date: date | None = None
    scac: str = ""
    carrier_name: str = ""
    transport_method: str = ""
    tracking: str = ""
    bill_of_lading: str = ""
    packaging_code: str = "CTN25"
    lading_quantity: int | None = None
    weight: Decimal | None = None
    weight_uom: str = "LB"
    parties: list[Party] = []
    orders: list[ShipOrder] = []
    findings: list[Finding] = []


def asn856_segments(notice: ShipNotice856) -> Body:
    """The 856 body, HL by HL, ending with CTT."""
    if notice.notice_date is None or notice.notice_time is None:
        raise ValueError("BSN03/BSN04: an 856 needs the date and time it was written")
    packed = any(order.packs for order in notice.orders)
    when = [format_date(notice.notice_date), format_time(notice.notice_time)]
    body: Body = [["BSN", notice.purpose, notice.shipment_id, *when, "0001" if packed else "0004"]]
    counter = _Counter(body)
    counter.hl("", "S", bool(notice.orders))
    if notice.lading_quantity is not None or notice.weight is not None:
        lading = str(notice.lading_quantity) if notice.lading_quantity is not None else ""
        weight = format_decimal(notice.weight) if notice.weight is not None else ""
        body.append(
            ["TD1", notice.packaging_code, lading, "", "", "", "G", weight, notice.weight_uom]
        )
    if notice.scac or notice.carrier_name:
        body.append(["TD5", "", "2", notice.scac, notice.transport_method, notice.carrier_name])
    if notice.bill_of_lading:
        body.append(["REF", "BM", notice.bill_of_lading])
    if notice.tracking:
        body.append(["REF", "CN", notice.tracking])
    if notice.shipped_date:
        body.append(["DTM", "011", format_date(notice.shipped_date)])
    for party in notice.parties:
        body.extend(party_segments(party))
    for order in notice.orders:
        order_hl = counter.hl("1", "O", bool(order.items or order.packs))
        po_date = format_date(order.po_date) if order.po_date else ""
        body.append(["PRF", order.po_number, "", "", po_date])
        for item in order.items:
            _item(counter, order_hl, item)
        for pack in order.packs:
            pack_hl = counter.hl(order_hl, "P", bool(pack.items))
            if pack.marks:
                body.append(["MAN", "GM", pack.marks])
            if pack.tracking:
                body.append(["REF", "CN", pack.tracking])
            for item in pack.items:
                _item(counter, pack_hl, item)
    body.append(["CTT", str(counter.count)])
    return body


class _Counter:
    def __init__(self, body: Body) -> None:
        self.body = body
        self.count = 0

    def hl(self, parent: str, level: str, has_children: bool) -> str:
        self.count += 1
        self.body.append(["HL", str(self.count), parent, level, "1" if has_children else "0"])
        return str(self.count)


def _item(counter: _Counter, parent: str, item: ShipItem) -> None:
    counter.hl(parent, "I", False)
    ids: list[Element] = [part for p in item.product_ids for part in (p.qualifier, p.id)]
    counter.body.append(["LIN", item.line_id, *ids])
    ordered = format_decimal(item.ordered_quantity) if item.ordered_quantity is not None else ""
    quantity = format_decimal(item.quantity)
    counter.body.append(["SN1", "", quantity, item.uom, "", ordered, item.uom if ordered else ""])


def read_856(ts: TransactionSet) -> ShipNotice856:
    """An 856 (ours or a partner's) read into the model we write."""
    findings: list[Finding] = []
    header, nodes = _nodes(ts.body)
    bsn = ts.find("BSN")
    shipment = [*header, *(s for n in nodes.values() if n.level == "S" for s in n.segments)]
    orders = {n.id: _OrderDraft(n.segments) for n in nodes.values() if n.level == "O"}
    packs: dict[str, _PackDraft] = {}
    for node in nodes.values():
        if node.level not in ("P", "I"):
            continue
        order_id = _ancestor(nodes, node, "O")
        if order_id is None:
            order_id = ""
            orders.setdefault("", _OrderDraft([]))
            message = f"HL {node.id} ({node.level}) has no order level above it"
            findings.append(Finding(code="no_order_level", segment_id="HL", message=message))
        if node.level == "P":
            packs[node.id] = _PackDraft(node.segments)
            orders[order_id].packs.append(packs[node.id])
            continue
        item = _ship_item(node.segments)
        pack_id = _ancestor(nodes, node, "P")
        if item is not None:
            (packs[pack_id] if pack_id in packs else orders[order_id]).items.append(item)
    ctt = ts.find("CTT")
    counted = parse_int(ctt.element(1)) if ctt else None
    items = sum(1 for node in nodes.values() if node.level == "I")
    if ctt is not None and counted not in (len(nodes), items):
        message = f"CTT01 says {ctt.element(1)}, the notice has {len(nodes)} HL, {items} items"
        findings.append(finding("hl_count", ctt, message))
    return ShipNotice856(
        purpose=bsn.element(1) if bsn else "",
        shipment_id=bsn.element(2) if bsn else "",
        notice_date=parse_date(bsn.element(3)) if bsn else None,
        notice_time=parse_time(bsn.element(4)) if bsn else None,
        **_shipment(shipment),
        orders=[order.build() for order in orders.values()],
        findings=findings,
    )


@dataclass
class _Node:
    id: str
    parent: str
    level: str
    segments: list[Segment] = field(default_factory=list)


@dataclass
class _PackDraft:
    segments: list[Segment]
    items: list[ShipItem] = field(default_factory=list)

    def build(self) -> ShipPack:
        marks = _value(self.segments, "MAN", "GM")
        return ShipPack(marks=marks, tracking=_value(self.segments, "REF", "CN"), items=self.items)


@dataclass
class _OrderDraft:
    segments: list[Segment]
    items: list[ShipItem] = field(default_factory=list)
    packs: list[_PackDraft] = field(default_factory=list)

    def build(self) -> ShipOrder:
        prf = next((s for s in self.segments if s.id == "PRF"), None)
        return ShipOrder(
            po_number=prf.element(1) if prf else "",
            po_date=parse_date(prf.element(4)) if prf else None,
            items=self.items,
            packs=[pack.build() for pack in self.packs],
        )


def _nodes(body: list[Segment]) -> tuple[list[Segment], dict[str, _Node]]:
    """Segments before the first HL, and each HL with the segments under it."""
    header: list[Segment] = []
    nodes: dict[str, _Node] = {}
    current: _Node | None = None
    for segment in body:
        if segment.id == "HL":
            node_id = segment.element(1) or f"#{segment.set_position}"
            current = _Node(node_id, segment.element(2), segment.element(3))
            nodes[node_id] = current
        elif current is not None:
            current.segments.append(segment)
        elif segment.id not in ("BSN", "CTT"):
            header.append(segment)
    return header, nodes


def _ancestor(nodes: dict[str, _Node], node: _Node, level: str) -> str | None:
    """The nearest ancestor at `level`, following parent pointers (loops guarded)."""
    seen = {node.id}
    parent = nodes.get(node.parent)
    while parent is not None and parent.id not in seen:
        if parent.level == level:
            return parent.id
        seen.add(parent.id)
        parent = nodes.get(parent.parent)
    return None


def _shipment(segments: list[Segment]) -> dict[str, Any]:
    fields: dict[str, Any] = {"parties": []}
    index = 0
    while index < len(segments):
        segment = segments[index]
        if segment.id == "N1":
            party, index = read_party(segments, index)
            fields["parties"].append(party)
            continue
        if segment.id == "TD1":
            fields.update(
                packaging_code=segment.element(1),
                lading_quantity=parse_int(segment.element(2)),
                weight=parse_decimal(segment.element(7)),
                weight_uom=segment.element(8),
            )
        elif segment.id == "TD5":
            fields.update(
                scac=segment.element(3),
                transport_method=segment.element(4),
                carrier_name=segment.element(5),
            )
        elif segment.id == "REF" and segment.element(1) in ("BM", "CN"):
            key = "bill_of_lading" if segment.element(1) == "BM" else "tracking"
            fields.setdefault(key, segment.element(2))
        elif segment.id == "DTM" and segment.element(1) == "011":
            fields.setdefault("shipped_date", parse_date(segment.element(2)))
        index += 1
    return fields


def _ship_item(segments: list[Segment]) -> ShipItem | None:
    lin = next((s for s in segments if s.id == "LIN"), None)
    sn1 = next((s for s in segments if s.id == "SN1"), None)
    if lin is None and sn1 is None:
        return None
    return ShipItem(
        line_id=(lin.element(1) if lin else "") or (sn1.element(1) if sn1 else ""),
        product_ids=product_ids(lin, 2) if lin else [],
        quantity=(parse_decimal(sn1.element(2)) if sn1 else None) or Decimal(0),
        uom=sn1.element(3) if sn1 else "",
        ordered_quantity=parse_decimal(sn1.element(5)) if sn1 else None,
    )


def _value(segments: list[Segment], segment_id: str, qualifier: str) -> str:
    found = next((s for s in segments if s.id == segment_id and s.element(1) == qualifier), None)
    return found.element(2) if found else ""
