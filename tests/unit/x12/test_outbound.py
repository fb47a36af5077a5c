"""What we write: the envelope and counts, and 855/856/810 that read back the same."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from canonical.x12.ack855 import AckLine, AckStatus, AckType, PoAck855, read_855
from canonical.x12.asn856 import ShipItem, ShipNotice856, ShipOrder, ShipPack, read_856
from canonical.x12.envelope import parse_interchanges
from canonical.x12.invoice810 import Invoice810, InvoiceLine, Tax, Terms, read_810
from canonical.x12.outbound import (
    EnvelopeParams,
    OutboundSet,
    encode_segment,
    write_810,
    write_855,
    write_856,
    write_interchange,
)
from canonical.x12.parties import Party
from canonical.x12.structure import TransactionSet
from canonical.x12.tokens import Delimiters
from canonical.x12.values import ProductId, Reference

ENVELOPE = EnvelopeParams(
    sender_qualifier="ZZ",
    sender_id="ORDERMESH",
    receiver_qualifier="01",
    receiver_id="049351117",
    interchange_control=1234,
    group_control=77,
    first_set_control=5,
    created=datetime(2024, 3, 9, 14, 30),
    usage="P",
)
SHIP_TO = Party(
    role="ST",
    name="Acme DC",
    id_qualifier="92",
    id="0042",
    street=["1 Main St", "Dock 4"],
    city="Springfield",
    state="IL",
    postal_code="62701",
    country="US",
)
BUYER_PART = [ProductId(qualifier="BP", id="X"), ProductId(qualifier="VP", id="TG11")]


def only_set(text: str) -> TransactionSet:
    [interchange] = parse_interchanges(text)
    [ts] = interchange.transaction_sets
    assert ts.problems == [] and interchange.groups[0].problems == []
    return ts


ACK = PoAck855(
    ack_type=AckType.WITH_CHANGES,
    po_number="PO-1",
    po_date=date(2024, 3, 1),
    seller_order="ORD-981",
    ack_date=date(2024, 3, 9),
    currency="USD",
    references=[Reference(qualifier="VN", value="ORD-981")],
    parties=[SHIP_TO],
    lines=[
        AckLine(
            line_id="1",
            quantity=Decimal(2),
            uom="CA",
            unit_price=Decimal("24.5"),
            price_basis="PE",
            product_ids=BUYER_PART,
            description="Widget",
            status=AckStatus.ACCEPTED,
            ack_quantity=Decimal(2),
            scheduled=date(2024, 3, 12),
        ),
        AckLine(
            line_id="",
            quantity=Decimal(5),
            uom="EA",
            status=AckStatus.BACKORDERED,
            ack_quantity=Decimal(3),
            ack_uom="PC",
            scheduled=date(2024, 4, 1),
        ),
        AckLine(
            line_id="item-3",
            quantity=Decimal("1.5"),
            uom="LB",
            status=AckStatus.REJECTED,
            ack_quantity=Decimal(0),
        ),
    ],
)


def test_the_envelope_is_fixed_width_with_right_counts() -> None:
    text = write_855(ENVELOPE, [ACK, ACK.model_copy(update={"po_number": "PO-2"})])
    segments = text.split("~")

    assert len(segments[0]) + 1 == 106
    assert segments[0] == (
        "ISA*00*          *00*          *ZZ*ORDERMESH      *01*049351117      "
        "*240309*1430*U*00401*000001234*0*P*>"
    )
    assert segments[1] == "GS*PR*ORDERMESH*049351117*20240309*1430*77*X*004010"
    assert [s for s in segments if s.startswith(("ST*", "SE*"))] == [
        "ST*855*0005",
        "SE*16*0005",
        "ST*855*0006",
        "SE*16*0006",
    ]
    assert segments[-3:] == ["GE*2*77", "IEA*1*000001234", ""]
    assert parse_interchanges(text)[0].problems == []


def test_an_855_round_trips() -> None:
    text = write_855(ENVELOPE, [ACK])

    assert "BAK*00*AC*PO-1*20240301****ORD-981*20240309~" in text
    assert "PO1*1*2*CA*24.5*PE*BP*X*VP*TG11~PID*F****Widget~ACK*IA*2*CA*068*20240312~" in text
    assert "PO1**5*EA~ACK*IB*3*PC*068*20240401~" in text
    assert "ACK*IR*0*LB~CTT*3~" in text
    assert read_855(only_set(text)) == ACK


NOTICE = ShipNotice856(
    shipment_id="ORD-981-S1",
    notice_date=date(2024, 3, 9),
    notice_time=time(14, 30),
    shipped_date=date(2024, 3, 9),
    scac="UPSN",
    carrier_name="UPS",
    transport_method="M",
    tracking="1Z999",
    bill_of_lading="BOL-1",
    lading_quantity=2,
    weight=Decimal("12.5"),
    parties=[SHIP_TO, Party(role="SF", name="Ordermesh WH1", city="Dayton", country="US")],
    orders=[
        ShipOrder(
            po_number="PO-1",
            po_date=date(2024, 3, 1),
            packs=[
                ShipPack(
                    marks="00000715670002152360",
                    tracking="1Z999A",
                    items=[
                        ShipItem(
                            line_id="1",
                            product_ids=BUYER_PART,
                            quantity=Decimal(2),
                            uom="CA",
                            ordered_quantity=Decimal(2),
                        ),
                    ],
                ),
                ShipPack(
                    tracking="1Z999B",
                    items=[
                        ShipItem(
                            line_id="2", quantity=Decimal(3), uom="EA", ordered_quantity=Decimal(5)
                        ),
                    ],
                ),
            ],
        ),
    ],
)


def test_an_856_with_packs_round_trips_with_its_hierarchy() -> None:
    text = write_856(ENVELOPE, [NOTICE])
    ts = only_set(text)

    assert "BSN*00*ORD-981-S1*20240309*1430*0001~HL*1**S*1~TD1*CTN25*2****G*12.5*LB~" in text
    assert "TD5**2*UPSN*M*UPS~REF*BM*BOL-1~REF*CN*1Z999~DTM*011*20240309~" in text
    hierarchy = [(s.element(1), s.element(2), s.element(3)) for s in ts.find_all("HL")]
    assert hierarchy == [
        ("1", "", "S"),
        ("2", "1", "O"),
        ("3", "2", "P"),
        ("4", "3", "I"),
        ("5", "2", "P"),
        ("6", "5", "I"),
    ]
    assert "LIN*1*BP*X*VP*TG11~SN1**2*CA**2*CA~" in text
    ctt = ts.find("CTT")
    assert ctt is not None and ctt.element(1) == "6"
    assert read_856(ts) == NOTICE


def test_an_856_without_packs_is_shipment_order_item() -> None:
    loose = ShipOrder(po_number="PO-2", items=NOTICE.orders[0].packs[1].items)
    notice = NOTICE.model_copy(update={"orders": [loose], "weight": None, "lading_quantity": None})

    text = write_856(ENVELOPE, [notice])

    assert "*0004~HL*1**S*1~TD5" in text  # no TD1 without lading quantity or weight
    assert "HL*2*1*O*1~PRF*PO-2~HL*3*2*I*0~LIN*2~SN1**3*EA**5*EA~CTT*3~" in text
    assert read_856(only_set(text)) == notice


INVOICE = Invoice810(
    invoice_number="INV-2024-0001",
    invoice_date=date(2024, 3, 10),
    po_number="PO-1",
    po_date=date(2024, 3, 1),
    currency="USD",
    references=[Reference(qualifier="VN", value="ORD-981")],
    parties=[
        Party(
            role="RE",
            name="Ordermesh Inc",
            street=["9 Pay Rd"],
            city="Dayton",
            state="OH",
            postal_code="45402",
            country="US",
        ),
        SHIP_TO,
    ],
    terms=Terms(
        type_code="08",
        discount_percent=Decimal(2),
        discount_days=10,
        net_days=30,
        description="2% 10 NET 30",
    ),
    shipped_date=date(2024, 3, 9),
    lines=[
        InvoiceLine(
            line_id="1",
            quantity=Decimal(2),
            uom="CA",
            unit_price=Decimal("24.5"),
            product_ids=BUYER_PART,
            description="Widget",
        ),
        InvoiceLine(line_id="", quantity=Decimal(3), uom="EA", unit_price=Decimal("1.333")),
    ],
    taxes=[Tax(type_code="ST", amount=Decimal("3.45"), percent=Decimal("6.25"))],
)


def test_an_810_round_trips_with_an_implied_decimal_total() -> None:
    text = write_810(ENVELOPE, [INVOICE])

    # 2 x 24.50 + 3 x 1.333 (4.00 rounded half up) + 3.45 tax = 56.45
    assert INVOICE.total == Decimal("56.45")
    assert "TDS*5645~TXI*ST*3.45*6.25~CTT*2~" in text
    assert "BIG*20240310*INV-2024-0001*20240301*PO-1~CUR*SE*USD~" in text
    assert "ITD*08*3*2**10**30*****2% 10 NET 30~DTM*011*20240309~" in text
    assert "IT1*1*2*CA*24.5**BP*X*VP*TG11~PID*F****Widget~IT1**3*EA*1.333~" in text
    assert read_810(only_set(text)) == INVOICE


def test_a_tds_that_disagrees_with_the_lines_is_a_finding_on_reading() -> None:
    text = write_810(ENVELOPE, [INVOICE]).replace("TDS*5645", "TDS*564500")

    read = read_810(only_set(text))

    assert [(f.code, f.segment_id) for f in read.findings] == [("total_mismatch", "TDS")]
    assert read.findings[0].message == "TDS01 says 5645.00, the lines and taxes add up to 56.45"


def test_custom_delimiters_and_line_breaks() -> None:
    envelope = ENVELOPE.model_copy(
        update={
            "delimiters": Delimiters(element="|", component="^", segment="!"),
            "line_breaks": True,
        }
    )

    text = write_855(envelope, [ACK])

    assert text.splitlines()[0].endswith("|P|^!")
    assert text.splitlines()[1].startswith("GS|PR|")
    assert read_855(only_set(text)) == ACK


def test_a_5010_envelope_writes_the_repetition_separator_in_isa11() -> None:
    envelope = ENVELOPE.model_copy(update={"isa_version": "00501", "gs_version": "005010"})

    [interchange] = parse_interchanges(write_855(envelope, [ACK]))

    assert interchange.header.element(11) == "^"
    assert interchange.delimiters.repetition == "^"


def test_a_5010_envelope_refuses_the_repetition_separator_in_data() -> None:
    envelope = ENVELOPE.model_copy(update={"isa_version": "00501"})
    line = ACK.lines[0].model_copy(update={"description": "2^3 widgets"})

    with pytest.raises(ValueError, match=r"PID05 '2\^3 widgets' contains the delimiter"):
        write_855(envelope, [ACK.model_copy(update={"lines": [line]})])


def test_a_value_holding_a_delimiter_is_refused_not_written() -> None:
    with pytest.raises(ValueError, match=r"N102 'A\*B' contains the delimiter '\*'"):
        encode_segment(["N1", "ST", "A*B"], Delimiters())


def test_trailing_empty_elements_are_dropped() -> None:
    assert encode_segment(["PRF", "PO-2", "", "", ""], Delimiters()) == "PRF*PO-2"
    assert encode_segment(["AK4", ("3", "2"), "", "7"], Delimiters()) == "AK4*3>2**7"


def test_one_interchange_holds_one_functional_group() -> None:
    sets = [OutboundSet(set_id="855", body=[]), OutboundSet(set_id="810", body=[])]

    with pytest.raises(ValueError, match="one functional group"):
        write_interchange(ENVELOPE, sets)
