"""Reading 850s as the buyer wrote them: header, parties, lines, findings."""

from datetime import date, datetime
from decimal import Decimal

from canonical.x12.body import Body
from canonical.x12.envelope import parse_interchanges, read_x12
from canonical.x12.outbound import EnvelopeParams, OutboundSet, write_interchange
from canonical.x12.po850 import read_850
from canonical.x12.po850_models import PurchaseOrder850
from canonical.x12.values import ProductId
from tests.unit.x12.corpus import (
    BOM_850,
    BUYSNACKS_850,
    NISSAN_850,
    PETCO_850,
    TWO_POS_850,
    corpus_bytes,
)

BUYER = EnvelopeParams(
    sender_id="BUYER",
    receiver_id="ORDERMESH",
    interchange_control=1,
    group_control=1,
    created=datetime(2024, 1, 2, 8, 0),
)


def order_of(name: str, index: int = 0) -> PurchaseOrder850:
    return read_850(read_x12(corpus_bytes(name)).transaction_sets[index])


def order_from(body: Body) -> PurchaseOrder850:
    text = write_interchange(BUYER, [OutboundSet(set_id="850", body=body)])
    return read_850(parse_interchanges(text)[0].transaction_sets[0])


def test_the_buysnacks_order_with_its_parties_and_case_lines() -> None:
    po = order_of(BUYSNACKS_850)

    assert (po.purpose, po.order_type, po.po_number) == ("00", "SA", "A99999-01")
    assert po.po_date == date(1997, 2, 14)
    assert po.requested_delivery == date(1997, 12, 19)
    assert [p.role for p in po.parties] == ["BT", "ST"]
    assert po.ship_to is not None and po.bill_to is not None
    assert (po.ship_to.name, po.ship_to.street, po.ship_to.city) == (
        "BUYSNACKS PORT",
        ["1000 N. SAMPLE HIGHWAY"],
        "ATHENS",
    )
    assert (po.ship_to.state, po.ship_to.postal_code, po.ship_to.country) == ("GA", "30603", "US")
    first = po.lines[0]
    assert (first.line_id, first.quantity, first.uom, first.unit_price) == (
        "",
        Decimal(16),
        "CA",
        Decimal("12.34"),
    )
    assert first.product_ids == [
        ProductId(qualifier="CB", id="000111111"),
        ProductId(qualifier="UA", id="002840022222"),
    ]
    assert first.product_id("UA") == "002840022222"
    assert first.pack is not None
    assert (first.pack.pack, first.pack.size, first.pack.uom) == (
        Decimal(48),
        Decimal("7.89"),
        "LB",
    )
    assert first.description == "CRUNCHY CHIPS LSS"
    assert [line.index for line in po.lines] == [1, 2, 3, 4, 5, 6, 7]
    assert (po.declared_lines, po.findings) == (7, [])


def test_yymmdd_dates_and_part_numbers_with_spaces() -> None:
    po = order_of(NISSAN_850)

    assert po.po_date == date(2007, 1, 2)
    assert [(d.qualifier, d.date) for d in po.dates] == [
        ("007", date(2007, 2, 1)),
        ("036", date(2008, 1, 1)),
    ]
    assert po.currency == "USD"
    assert po.lines[0].product_id("BP") == "50241 01G00"
    assert po.lines[0].line_id == "001"
    assert po.lines[1].notes == ["ANY FREE FORM COMMENTS THAT NEED TO GO WITH THE PO LINE ITEM."]


def test_n4_without_a_country_means_the_us_and_zero_padded_ctt_is_fine() -> None:
    po = order_of(PETCO_850)

    assert po.ship_to is not None and po.ship_to.country == "US"
    line = po.lines[0]
    assert (line.line_id, line.quantity, line.uom, line.price_basis) == ("", Decimal(1), "KI", "")
    assert po.declared_lines == 1 and po.findings == []


def test_line_level_dates_references_and_currency() -> None:
    po = order_of(TWO_POS_850)

    assert po.purpose == "05"
    assert [line.line_id for line in po.lines][6:8] == ["100", "70"]  # kept as sent
    assert po.lines[6].requested_delivery == date(2019, 5, 17)
    assert po.lines[0].currency == "USD" and po.currency is None
    assert po.lines[0].references[0].model_dump() == {
        "qualifier": "19",
        "value": "CADC1",
        "description": "",
    }


def test_parties_abroad_and_line_dates() -> None:
    po = order_of(BOM_850)

    assert [p.role for p in po.parties] == ["ST", "Z7", "BT", "BY", "SU"]
    mexico = po.party("Z7")
    assert mexico is not None and (mexico.city, mexico.country) == ("Penjamo", "MX")
    assert [d.qualifier for d in po.lines[0].dates] == ["018", "067"]
    assert po.lines[0].line_id == "000100001"


def test_content_problems_become_findings_with_positions() -> None:
    po = order_from(
        [
            ["BEG", "00", "SA", "PO-9", "", "20241345"],
            ["DTM", "002", "tomorrow"],
            ["PO1", "1", "2x", "EA", "1.00"],
            ["PO1", "1", "3", "EA", "abc"],
            ["CTT", "3"],
        ]
    )

    assert [(f.code, f.segment_id, f.position) for f in po.findings] == [
        ("bad_date", "BEG", 2),
        ("bad_date", "DTM", 3),
        ("bad_number", "PO1", 4),
        ("bad_number", "PO1", 5),
        ("duplicate_line_id", "PO1", 5),
        ("line_count", "CTT", 6),
    ]
    assert po.po_date is None and po.lines[0].quantity is None


def test_an_850_without_beg_is_a_finding() -> None:
    po = order_from([["PO1", "1", "1", "EA"]])

    assert [f.code for f in po.findings] == ["missing_segment"]
    assert po.po_number == "" and len(po.lines) == 1
