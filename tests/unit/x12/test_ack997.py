"""997s we build (and their codes), 997s we read, and TA1 for broken envelopes."""

from datetime import datetime

import pytest

from canonical.x12.ack997 import Ack997, ElementNote, SegmentNote, SetAck, build_997, read_997
from canonical.x12.envelope import parse_interchanges, read_x12
from canonical.x12.outbound import EnvelopeParams, write_997, write_ta1
from canonical.x12.problems import ProblemCode, ProblemLevel, X12Problem
from canonical.x12.structure import FunctionalGroup
from canonical.x12.ta1 import read_ta1, ta1_for
from tests.unit.x12.corpus import BUYSNACKS_850, NISSAN_850, TWO_POS_850, corpus_bytes, corpus_text

GOOD = corpus_text(BUYSNACKS_850)
ENVELOPE = EnvelopeParams(
    sender_id="ORDERMESH",
    receiver_id="SENDERISA",
    interchange_control=42,
    group_control=7,
    created=datetime(2024, 1, 2, 15, 4),
)


def group_of(text: str | bytes) -> FunctionalGroup:
    return read_x12(text).interchanges[0].groups[0]


def segments_of(text: str) -> list[str]:
    return [s for s in text.split("~") if s]


def test_a_good_850_is_accepted() -> None:
    ack = build_997(group_of(GOOD))

    assert (ack.functional_id, ack.group_control, ack.status) == ("PO", "1", "A")
    assert (ack.included, ack.received, ack.accepted) == (1, 1, 1)
    [set_ack] = ack.sets
    assert (set_ack.set_id, set_ack.control_number, set_ack.status) == ("850", "000000001", "A")
    body = segments_of(write_997(ENVELOPE, [ack]))
    assert body[2:7] == ["ST*997*0001", "AK1*PO*1", "AK2*850*000000001", "AK5*A", "AK9*A*1*1*1"]
    assert body[7] == "SE*6*0001"


def test_a_wrong_se01_rejects_the_set_with_code_4() -> None:
    ack = build_997(group_of(GOOD.replace("SE*35*", "SE*34*")))

    assert ack.sets[0].status == "R" and ack.sets[0].codes == ["4"]
    assert (ack.status, ack.accepted) == ("R", 0)
    assert "AK5*R*4" in segments_of(write_997(ENVELOPE, [ack]))


@pytest.mark.parametrize(
    ("old", "new", "codes"),
    [
        ("SE*35*000000001~", "", ["2"]),  # trailer missing
        ("SE*35*000000001", "SE*35*000000009", ["3"]),  # SE02 is not ST02
        ("ST*850*000000001", "ST*850*", ["7", "3"]),  # no ST02, so SE02 differs too
        ("ST*850*", "ST**", ["6"]),  # no ST01
    ],
)
def test_each_set_defect_has_its_ak5_code(old: str, new: str, codes: list[str]) -> None:
    ack = build_997(group_of(GOOD.replace(old, new)))

    assert (ack.sets[0].status, ack.sets[0].codes) == ("R", codes)


def test_the_nissan_997_rejects_for_the_segment_count() -> None:
    ack = build_997(group_of(corpus_bytes(NISSAN_850)))

    assert [(s.status, s.codes) for s in ack.sets] == [("R", ["4"])]


def test_one_bad_set_of_two_is_a_partial_acceptance() -> None:
    second = GOOD[GOOD.index("ST*850") : GOOD.index("GE*")].replace("000000001", "000000002")
    second = second.replace("SE*35*", "SE*36*")
    ack = build_997(group_of(GOOD.replace("GE*1*1", second.strip() + "\nGE*2*1")))

    assert [s.status for s in ack.sets] == ["A", "R"]
    assert (ack.status, ack.included, ack.received, ack.accepted) == ("P", 2, 2, 1)


def test_the_two_po_file_names_the_run_on_segment_and_the_duplicate() -> None:
    ack = build_997(group_of(corpus_bytes(TWO_POS_850)))
    first, second = ack.sets

    assert (first.status, first.codes) == ("R", ["5"])
    [note] = first.segments
    assert (note.segment_id, note.position, note.code) == ("DTM", 21, "8")
    [element] = note.elements
    assert (element.position, element.code, element.bad_value) == (2, "6", "20190309")
    assert (second.status, second.codes) == ("R", ["23"])
    assert ack.status == "R"
    text = write_997(ENVELOPE, [ack])
    assert "AK3*DTM*21**8~AK4*2**6*20190309~AK5*R*5~AK2*850*0001~AK5*R*23~" in text


def test_group_trailer_defects_reject_the_group_with_ak9_codes() -> None:
    ack = build_997(group_of(GOOD.replace("GE*1*1", "GE*3*9")))

    assert (ack.status, ack.codes, ack.included, ack.accepted) == ("R", ["5", "4"], 3, 1)
    assert "AK9*R*3*1*1*5*4" in segments_of(write_997(ENVELOPE, [ack]))


def test_caller_findings_go_in_ak3_ak4_and_a_noted_one_accepts_with_errors() -> None:
    group = group_of(GOOD)
    beg = group.sets[0].find("BEG")
    assert beg is not None
    noted = X12Problem(
        code=ProblemCode.SEGMENT_ERROR,
        level=ProblemLevel.SET,
        message="BEG05 is a date in the past",
        segment_id="BEG",
        set_position=beg.set_position,
        element_position=5,
        element_ref="373",
        value="19970214",
        segment_code="8",
        element_code="8",
        rejects=False,
    )

    ack = build_997(group, extra_problems={0: [noted]})

    assert ack.sets[0].status == "E" and ack.status == "E"
    assert "AK3*BEG*2**8~AK4*5*373*8*19970214~AK5*E*5~AK9*E*1*1*1~" in write_997(ENVELOPE, [ack])


def test_a_997_round_trips_through_our_writer_and_reader() -> None:
    ack = build_997(group_of(corpus_bytes(TWO_POS_850)))

    [interchange] = parse_interchanges(write_997(ENVELOPE, [ack]))
    [ts] = interchange.transaction_sets

    assert interchange.groups[0].functional_id == "FA"
    assert read_997(ts) == ack


def test_an_ak4_position_with_a_component_is_written_as_a_composite() -> None:
    element = ElementNote(position=3, component=2, code="7", bad_value="C*A")
    note = SegmentNote(segment_id="PO1", position=13, code="8", elements=[element])
    rejected = SetAck(set_id="850", control_number="0001", status="R", codes=["5"], segments=[note])
    ack = Ack997(
        functional_id="PO",
        group_control="1",
        status="R",
        included=1,
        received=1,
        accepted=0,
        sets=[rejected],
    )

    text = write_997(ENVELOPE, [ack])

    assert "AK4*3>2**7*C A~" in text  # the bad value cannot break the 997
    [ts] = parse_interchanges(text)[0].transaction_sets
    assert read_997(ts).sets[0].segments[0].elements[0].component == 2


def test_a_partner_997_with_only_ak9_accepts_every_set() -> None:
    received = (
        "ISA*00*          *00*          *ZZ*PARTNER        *ZZ*ORDERMESH      "
        "*240103*0900*U*00401*000000311*0*P*>~GS*FA*PARTNER*ORDERMESH*20240103*0900*311*X*004010~"
        "ST*997*3110~AK1*PR*7~AK9*A*2*2*2~SE*4*3110~GE*1*311~IEA*1*000000311~"
    )

    [ts] = parse_interchanges(received)[0].transaction_sets
    ack = read_997(ts)

    assert (ack.functional_id, ack.group_control, ack.status) == ("PR", "7", "A")
    assert ack.sets == [] and ack.set_accepted("0001")


def test_a_partner_997_rejecting_our_856() -> None:
    received = (
        "ISA*00*          *00*          *ZZ*PARTNER        *ZZ*ORDERMESH      "
        "*240103*0900*U*00401*000000312*0*P*>~GS*FA*PARTNER*ORDERMESH*20240103*0900*312*X*004010~"
        "ST*997*3120~AK1*SH*8~AK2*856*0001~AK3*SN1*12*HL*8~AK4*3*355*7*XX~AK5*R*5~"
        "AK2*856*0002~AK5*A~AK9*P*2*2*1~SE*9*3120~GE*1*312~IEA*1*000000312~"
    )

    [ts] = parse_interchanges(received)[0].transaction_sets
    ack = read_997(ts)

    assert not ack.set_accepted("0001") and ack.set_accepted("0002")
    rejected = ack.for_set("0001")
    assert rejected is not None and rejected.codes == ["5"]
    [note] = rejected.segments
    assert (note.segment_id, note.position, note.loop_id, note.code) == ("SN1", 12, "HL", "8")
    assert note.elements[0].model_dump() == {
        "position": 3,
        "component": None,
        "element_ref": "355",
        "code": "7",
        "bad_value": "XX",
    }


def test_a_broken_envelope_gets_a_ta1_rejection_that_round_trips() -> None:
    bad = read_x12(GOOD.replace("IEA*1*000000001", "IEA*1*000000002")).interchanges[0]

    ta1 = ta1_for(bad)

    assert ta1.model_dump() == {
        "control_number": "000000001",
        "date": "020226",
        "time": "1534",
        "status": "R",
        "note_code": "001",
    }
    [interchange] = parse_interchanges(write_ta1(ENVELOPE, ta1))
    assert interchange.groups == []
    assert read_ta1(interchange) == [ta1]


def test_a_good_envelope_gets_a_ta1_acceptance() -> None:
    ta1 = ta1_for(parse_interchanges(GOOD)[0])

    assert (ta1.status, ta1.note_code) == ("A", "000")
