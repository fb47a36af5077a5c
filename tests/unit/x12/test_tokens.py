"""Delimiters from the ISA and the lexical tolerances, on real and made-up files."""

import pytest

from canonical.x12.envelope import read_x12
from canonical.x12.tokens import IsaError, decode, scan_isa
from tests.unit.x12.corpus import BOM_850, TWO_POS_850, WRAPPED_210, corpus_bytes

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*240102*1200*U*00401*000000007*0*T*>"
)
SMALL = (
    "GS*PO*S*R*20240102*1200*7*X*004010~ST*850*0001~BEG*00*SA*PO1**20240102~SE*3*0001~"
    "GE*1*7~IEA*1*000000007~"
)


@pytest.mark.parametrize(
    ("name", "element", "component", "segment", "repetition"),
    [
        ("210_v4010_80-column-wrapped_freight-invoice.edi", "*", ">", "~", ""),
        ("214_v4010_ellipsis-segment-terminator_LTL-status.edi", "*", ">", "\u2026", ""),
        ("810_v4010_pipe-delimited_book-distributor.edi", "|", ">", "~", ""),
        ("850_v003010_nissan_bang-terminator_yymmdd.edi", "*", "@", "!", ""),
        ("850_v4010_petco_newline-terminated_KI-uom.edi", "*", ">", "\n", ""),
        ("856_v4010_crossdock_S-O-P-I_multi-store.edi", "*", ">", "\n", ""),
        ("855_v5010_dropship_stedi.edi", "*", ">", "~", "^"),
        ("856_v4060_S-O-I_1edisource.edi", "*", ">", "~", "-"),
        # ISA16 lost: the `~` after the 16th separator is the terminator.
        (TWO_POS_850, "*", "", "~", ""),
    ],
)
def test_delimiters_come_from_the_isa(
    name: str, element: str, component: str, segment: str, repetition: str
) -> None:
    delimiters = read_x12(corpus_bytes(name)).interchanges[0].delimiters

    assert (delimiters.element, delimiters.component, delimiters.segment) == (
        element,
        component,
        segment,
    )
    assert delimiters.repetition == repetition


def test_an_80_column_wrap_is_noise_even_inside_the_isa_and_st02() -> None:
    interchange = read_x12(corpus_bytes(WRAPPED_210)).interchanges[0]
    ts = interchange.groups[0].sets[0]

    assert interchange.time == "0224"  # `022` + newline + `4`
    assert ts.control_number == "1305"  # `1` + newline + `305`
    assert ts.problems == []
    descriptions = [s.element(2) for s in ts.find_all("L5")]
    assert "XPO LOGISTICS DISCOUNT SAVES YOU" in descriptions
    assert "FSC FUEL SURCHARGE 10.50%" in descriptions  # the leading space is data


def test_a_bom_and_no_break_spaces_in_the_isa_are_tolerated() -> None:
    interchange = read_x12(corpus_bytes(BOM_850)).interchanges[0]

    assert interchange.sender_qualifier == "01"
    assert interchange.sender_id == "000123456"
    assert interchange.receiver_id == "TEST2"
    assert interchange.header.element(2) == ""  # spaces and U+00A0 only
    assert not [p for p in interchange.problems if p.segment_id == "ISA"]


def test_a_wrap_between_isa16_and_the_terminator_is_noise() -> None:
    interchange = read_x12(ISA + "\n~" + SMALL).interchanges[0]

    assert interchange.delimiters.segment == "~"
    assert interchange.delimiters.component == ">"
    assert interchange.problems == []


def test_crlf_terminated_segments_with_indentation_and_blank_lines() -> None:
    text = ISA + "\r\n" + "\r\n\t".join(SMALL.rstrip("~").split("~")) + "\r\n\r\n"

    result = read_x12(text)

    assert result.refusals == []
    assert result.interchanges[0].delimiters.segment == "\n"
    assert result.interchanges[0].groups[0].sets[0].find("BEG") is not None


def test_a_non_fixed_width_isa_is_read_by_counting_separators() -> None:
    short = "ISA*00**00**ZZ*S*ZZ*R*240102*1200*U*00401*7*0*P*:~"

    interchange = read_x12(short + SMALL.replace("000000007", "7")).interchanges[0]

    assert interchange.delimiters.component == ":"
    assert interchange.sender_id == "S"
    assert interchange.usage == "P"
    assert interchange.problems == []


def test_text_that_is_not_utf8_is_read_as_latin1() -> None:
    data = (ISA + "~" + SMALL.replace("PO1", "PO\xe91")).encode("latin-1")

    ts = read_x12(data).interchanges[0].groups[0].sets[0]

    assert ts.find("BEG") is not None
    assert ts.find("BEG").element(3) == "PO\xe91"  # type: ignore[union-attr]


def test_decode_drops_a_bom_from_text_too() -> None:
    assert decode("\ufeffISA") == "ISA"
    assert decode(b"\xef\xbb\xbfISA") == "ISA"


@pytest.mark.parametrize(
    ("text", "code", "ta1"),
    [
        ("ISA", "truncated", "023"),
        ("ISA*00*   *00", "truncated", "023"),
        ("ISAX00X", "bad_isa", "026"),
        (ISA.replace("*>", "*A") + "~GS", "bad_isa", "027"),
    ],
)
def test_an_unreadable_isa_raises_with_a_reason(text: str, code: str, ta1: str) -> None:
    with pytest.raises(IsaError) as error:
        scan_isa(text, 0)

    assert error.value.code == code
    assert error.value.ta1_code == ta1


def test_a_lost_isa16_is_a_defect_of_element_16() -> None:
    scan = scan_isa(corpus_bytes(TWO_POS_850).decode(), 0)

    assert scan.delimiters.component == ""
    assert [(position, ta1) for position, ta1, _ in scan.defects] == [(16, "027")]


def test_an_isa_that_lost_its_own_terminator_is_a_defect_but_readable() -> None:
    text = ISA + "\n" + SMALL.replace("~", "~\n")

    result = read_x12(text)

    [defect] = result.refusals
    assert (defect.code, defect.ta1_code) == ("bad_isa", "004")
    interchange = result.interchanges[0]
    assert (interchange.delimiters.segment, interchange.delimiters.component) == ("~", ">")
    assert interchange.groups[0].sets[0].problems == []
