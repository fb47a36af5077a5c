"""Every real sample either parses (850s map to the right PO) or is refused precisely."""

from typing import NamedTuple

import pytest

from canonical.x12.envelope import parse_interchanges, read_x12
from canonical.x12.po850 import read_850
from canonical.x12.problems import X12Refusal
from tests.unit.x12.corpus import NISSAN_850, TWO_POS_850, corpus_bytes, corpus_names


class Expected(NamedTuple):
    """What a file gives.

    Attributes:
        sets: (ST01, ST02) of every set, in order.
        refusal: (code, segment, element) of the interchange refusal, if refused.
        set_problems: (set index, code, segment, element) of every set-level problem.
        orders: (PO number, PO1 count) of every 850, in order.
    """

    sets: list[tuple[str, str]]
    refusal: tuple[str, str, int | None] | None = None
    set_problems: list[tuple[int, str, str, int | None]] = []
    orders: list[tuple[str, int]] = []


EXPECTED = {
    "210_v4010_80-column-wrapped_freight-invoice.edi": Expected([("210", "1305")]),
    "214_v4010_ellipsis-segment-terminator_LTL-status.edi": Expected([("214", "757760001")]),
    "810_v4010_ariba_TXI-tax_SAC_tab-indented.edi": Expected([("810", "0001")]),
    "810_v4010_pipe-delimited_book-distributor.edi": Expected([("810", "5639689")]),
    "810x2-plus-850-v003010_mixed-groups_buysnacks.edi": Expected(
        [("810", "000000001"), ("810", "000000002"), ("850", "000191240")],
        orders=[("S115921858", 4)],
    ),
    NISSAN_850: Expected(
        [("850", "0001")], set_problems=[(0, "segment_count", "SE", 1)], orders=[("PR12345678", 2)]
    ),
    "850_v4010VICS_6lines_PO4-packs_1edisource.edi": Expected(
        [("850", "000000010")], orders=[("08292233294", 6)]
    ),
    "850_v4010_bom-nbsp-tab-indented_multi-party_YD-uom.edi": Expected(
        [("850", "0001")], refusal=("control_mismatch", "IEA", 2), orders=[("4600000406", 3)]
    ),
    "850_v4010_buysnacks_BT-ST_7lines_CA-uom.edi": Expected(
        [("850", "000000001")], orders=[("A99999-01", 7)]
    ),
    "850_v4010_petco_newline-terminated_KI-uom.edi": Expected(
        [("850", "8830")], orders=[("----------", 1)]
    ),
    TWO_POS_850: Expected(
        [("850", "0001"), ("850", "0001")],
        refusal=("bad_isa", "ISA", 16),
        set_problems=[
            (0, "missing_terminator", "DTM", 2),
            (1, "duplicate_set_control", "ST", 2),
        ],
        orders=[("740150", 10), ("740151", 11)],
    ),
    "850_v5010_dropship_single-line_stedi.edi": Expected(
        [("850", "0001")], orders=[("4185107", 1)]
    ),
    "855_v4010_book-distributor_IA-IR-partial-reject.edi": Expected([("855", "0005")]),
    "855_v5010_dropship_stedi.edi": Expected([("855", "0001")]),
    "856_v002001_S-T-I-P-tare-pack_two-ASNs_bang-terminator.edi": Expected(
        [("856", "0001"), ("856", "0002")]
    ),
    "856_v4010_crossdock_S-O-P-I_multi-store.edi": Expected([("856", "0001")]),
    "856_v4060_S-O-I_1edisource.edi": Expected([("856", "0008")]),
    "940_v4010UCS_generalmills_CANCEL_W05-F.edi": Expected(
        [("940", "43130001")], refusal=("bad_isa", "ISA", 16)
    ),
    "940_v4010_3lines_CA_1edisource.edi": Expected([("940", "0001")]),
    "945_v4010_lot-LPN_W27-carrier_waqe.edi": Expected(
        [("945", "000006123")], set_problems=[(0, "segment_count", "SE", 1)]
    ),
}


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(EXPECTED) == corpus_names()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_parses_or_is_refused_precisely(name: str) -> None:
    expected = EXPECTED[name]
    data = corpus_bytes(name)

    if expected.refusal is None:
        interchanges = parse_interchanges(data)
    else:
        with pytest.raises(X12Refusal) as refusal:
            parse_interchanges(data)
        first = refusal.value.problem
        assert (first.code, first.segment_id, first.element_position) == expected.refusal
        interchanges = refusal.value.interchanges

    sets = [ts for interchange in interchanges for ts in interchange.transaction_sets]
    assert [(ts.set_id, ts.control_number) for ts in sets] == expected.sets
    problems = [
        (index, p.code, p.segment_id, p.element_position)
        for index, ts in enumerate(sets)
        for p in ts.problems
    ]
    assert problems == expected.set_problems
    assert all(not g.problems for i in interchanges for g in i.groups)
    orders = [read_850(ts) for ts in sets if ts.set_id == "850"]
    assert [(po.po_number, len(po.lines)) for po in orders] == expected.orders


def test_the_nissan_order_has_a_wrong_se01_and_a_ctt_that_disagrees() -> None:
    ts = read_x12(corpus_bytes(NISSAN_850)).transaction_sets[0]

    [problem] = ts.problems
    assert problem.message == "SE01 says 28 segments, the set has 27"
    assert (problem.file_position, problem.set_position, problem.value) == (29, 27, "28")
    po = read_850(ts)
    [finding] = po.findings
    assert (finding.code, finding.segment_id, finding.position) == ("line_count", "CTT", 26)
    assert finding.message == "CTT01 says 1 lines, the order has 2 PO1 lines"


def test_the_two_po_file_names_every_defect() -> None:
    result = read_x12(corpus_bytes(TWO_POS_850))
    [refusal] = result.refusals
    first, second = result.transaction_sets

    assert refusal.ta1_code == "027"
    assert "ISA16 (component separator) is missing" in refusal.message
    [run_on] = first.problems
    assert (run_on.file_position, run_on.set_position, run_on.value) == (23, 21, "20190309")
    assert "the line break after DTM02" in run_on.message
    # Split where the `~` was forgotten, the first set counts right: only the
    # run-on is wrong with it.
    assert len(first.segments) == 87
    [duplicate] = second.problems
    assert duplicate.value == "0001"
    assert "segment 3 of the file" in duplicate.message
