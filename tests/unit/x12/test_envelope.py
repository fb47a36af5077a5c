"""The envelope: structure, fields, and every refusal with its precise reason."""

import pytest

from canonical.x12.envelope import parse_interchanges, read_x12
from canonical.x12.problems import ProblemCode, ProblemLevel, X12Refusal
from tests.unit.x12.corpus import BUYSNACKS_850, MIXED_810_850, corpus_text

GOOD = corpus_text(BUYSNACKS_850)


def test_a_good_850_gives_its_envelope_fields() -> None:
    [interchange] = parse_interchanges(GOOD)
    [group] = interchange.groups
    [ts] = group.sets

    assert (interchange.sender_qualifier, interchange.sender_id) == ("ZZ", "SENDERISA")
    assert (interchange.receiver_qualifier, interchange.receiver_id) == ("14", "0073268795005")
    assert interchange.control_number == "000000001"
    assert interchange.version == "00401"
    assert interchange.usage == "T" and interchange.is_test
    assert (group.functional_id, group.app_sender, group.app_receiver) == (
        "PO",
        "SENDERGS",
        "007326879",
    )
    assert (group.control_number, group.version, group.declared_sets) == ("1", "004010", 1)
    assert (ts.set_id, ts.control_number) == ("850", "000000001")
    assert len(ts.segments) == 35 and ts.segments[0].id == "ST" and ts.segments[-1].id == "SE"
    assert ts.problems == [] and ts.accepted


def test_segments_know_their_positions_and_split_composites_on_demand() -> None:
    [interchange] = parse_interchanges(GOOD.replace("PO1**16*CA", "PO1**16*CA>X", 1))
    po1 = interchange.groups[0].sets[0].find("PO1")

    assert po1 is not None
    assert (po1.file_position, po1.set_position) == (15, 13)
    assert po1.element(3) == "CA>X"
    assert po1.composite(3) == ["CA", "X"]
    assert po1.element(40) == ""


def test_a_cut_interchange_is_refused_as_truncated() -> None:
    cut = GOOD[: len(GOOD) // 2]

    with pytest.raises(X12Refusal) as refusal:
        parse_interchanges(cut)

    assert refusal.value.code is ProblemCode.TRUNCATED
    assert refusal.value.problem.level is ProblemLevel.INTERCHANGE
    assert refusal.value.problem.ta1_code == "023"
    last = cut.rstrip().split("~")[-1]
    assert refusal.value.segment_id == last.split("*")[0].strip()
    assert "in the middle of segment" in refusal.value.message


def test_an_interchange_cut_after_a_whole_segment_is_truncated_too() -> None:
    cut = GOOD[: GOOD.index("GE*")]

    with pytest.raises(X12Refusal) as refusal:
        parse_interchanges(cut)

    assert refusal.value.code is ProblemCode.TRUNCATED
    assert refusal.value.segment_id == "SE"
    assert "after segment" in refusal.value.message


def test_iea02_differing_from_isa13_is_refused() -> None:
    with pytest.raises(X12Refusal) as refusal:
        parse_interchanges(GOOD.replace("IEA*1*000000001", "IEA*1*000000002"))

    problem = refusal.value.problem
    assert (problem.code, problem.segment_id, problem.element_position) == (
        ProblemCode.CONTROL_MISMATCH,
        "IEA",
        2,
    )
    assert problem.message == "IEA02 '000000002' does not match ISA13 '000000001'"
    assert problem.ta1_code == "001"
    assert refusal.value.interchanges[0].groups[0].sets[0].accepted  # still readable


def test_iea01_with_the_wrong_group_count_is_refused() -> None:
    with pytest.raises(X12Refusal) as refusal:
        parse_interchanges(GOOD.replace("IEA*1*", "IEA*2*"))

    assert refusal.value.code is ProblemCode.GROUP_COUNT
    assert refusal.value.message == "IEA01 says 2 functional groups, the interchange has 1"


def test_control_numbers_that_differ_only_by_leading_zeros_agree() -> None:
    [interchange] = parse_interchanges(GOOD.replace("IEA*1*000000001", "IEA*1*1"))

    assert interchange.problems == []


@pytest.mark.parametrize(
    ("old", "new", "code", "segment", "element", "message"),
    [
        ("SE*35*", "SE*34*", "segment_count", "SE", 1, "SE01 says 34 segments, the set has 35"),
        ("SE*35*000000001", "SE*35*000000002", "control_mismatch", "SE", 2, None),
        (
            "ST*850*000000001",
            "ST*850*",
            "bad_set_header",
            "ST",
            2,
            "ST02 (control number) is missing",
        ),
    ],
)
def test_set_level_defects_stay_on_the_set(
    old: str, new: str, code: str, segment: str, element: int, message: str | None
) -> None:
    [interchange] = parse_interchanges(GOOD.replace(old, new))
    problem = interchange.groups[0].sets[0].problems[0]

    assert (problem.code, problem.segment_id, problem.element_position) == (code, segment, element)
    assert problem.level is ProblemLevel.SET
    if message:
        assert problem.message == message


def test_group_level_defects_stay_on_the_group() -> None:
    [interchange] = parse_interchanges(GOOD.replace("GE*1*1", "GE*2*9"))
    codes = [(p.code, p.element_position) for p in interchange.groups[0].problems]

    assert codes == [(ProblemCode.SET_COUNT, 1), (ProblemCode.CONTROL_MISMATCH, 2)]
    assert interchange.groups[0].problems[0].message == (
        "GE01 says 2 transaction sets, the group has 1"
    )


def test_a_missing_se_and_ge_are_missing_trailers() -> None:
    text = GOOD.replace("SE*35*000000001~", "").replace("GE*1*1~", "")

    [interchange] = parse_interchanges(text)
    [group] = interchange.groups

    assert [p.code for p in group.sets[0].problems] == [ProblemCode.MISSING_TRAILER]
    assert group.sets[0].problems[0].segment_id == "SE"
    assert "IEA came first" in group.sets[0].problems[0].message
    assert [p.code for p in group.problems] == [ProblemCode.MISSING_TRAILER]


def test_a_second_st02_in_the_group_is_a_duplicate() -> None:
    body = GOOD[GOOD.index("ST*850") : GOOD.index("GE*")]
    text = GOOD.replace("GE*1*1", body.strip() + "\nGE*2*1")

    [interchange] = parse_interchanges(text)
    first, second = interchange.groups[0].sets

    assert first.problems == []
    assert [(p.code, p.element_position) for p in second.problems] == [
        (ProblemCode.DUPLICATE_SET_CONTROL, 2)
    ]
    assert "segment 3 of the file" in second.problems[0].message


def test_several_interchanges_with_their_own_delimiters() -> None:
    piped = GOOD.replace("*", "|").replace("~", "!")

    interchanges = parse_interchanges(GOOD + "\n\n" + piped)

    assert len(interchanges) == 2
    assert interchanges[1].delimiters.element == "|"
    assert interchanges[1].delimiters.segment == "!"
    assert interchanges[1].header.file_position == 40  # ISA..IEA of the first is 39
    assert [len(i.transaction_sets) for i in interchanges] == [1, 1]


def test_several_groups_in_one_interchange() -> None:
    [interchange] = parse_interchanges(corpus_text(MIXED_810_850))

    assert [(g.functional_id, len(g.sets)) for g in interchange.groups] == [("IN", 2), ("PO", 1)]
    assert interchange.groups[1].version == "003010"


@pytest.mark.parametrize("separator", ["*", "|"])
def test_an_isa_before_the_iea_means_the_iea_is_missing(separator: str) -> None:
    text = GOOD.replace("IEA*1*000000001~", "") + GOOD.replace("*", separator)

    result = read_x12(text)

    assert len(result.interchanges) == 2
    [problem] = result.interchanges[0].problems
    assert (problem.code, problem.segment_id) == (ProblemCode.MISSING_TRAILER, "IEA")
    assert result.interchanges[1].problems == []


def test_a_file_cut_inside_the_isa_is_truncated() -> None:
    with pytest.raises(X12Refusal) as refusal:
        parse_interchanges(GOOD[:50])

    assert (refusal.value.code, refusal.value.segment_id) == (ProblemCode.TRUNCATED, "ISA")
    assert refusal.value.interchanges == []


@pytest.mark.parametrize(("text", "code"), [("", "no_isa"), ("hello world", "no_isa")])
def test_no_isa_is_refused(text: str, code: str) -> None:
    with pytest.raises(X12Refusal) as refusal:
        parse_interchanges(text)

    assert refusal.value.code == code
    assert refusal.value.interchanges == []


def test_data_after_the_last_iea_is_refused() -> None:
    with pytest.raises(X12Refusal) as refusal:
        parse_interchanges(GOOD + "garbage")

    assert refusal.value.code is ProblemCode.TRAILING_DATA


def test_a_bad_isa_field_is_refused_with_its_element() -> None:
    with pytest.raises(X12Refusal) as refusal:
        parse_interchanges(GOOD.replace("*0*T*>", "*0*X*>"))

    problem = refusal.value.problem
    assert (problem.code, problem.element_position, problem.ta1_code) == ("bad_isa", 15, "020")
    assert problem.message == "ISA15 should be T or P, found 'X'"


def test_segments_outside_a_set_are_unexpected() -> None:
    text = GOOD.replace("ST*850", "REF*ZZ*stray~ST*850")

    [interchange] = parse_interchanges(text)
    [problem] = interchange.groups[0].problems

    assert (problem.code, problem.segment_id) == (ProblemCode.UNEXPECTED_SEGMENT, "REF")
    assert problem.level is ProblemLevel.GROUP


def test_a_bad_segment_id_is_a_set_problem_for_the_997() -> None:
    [interchange] = parse_interchanges(GOOD.replace("REF*VR", "ref*VR"))
    [problem] = interchange.groups[0].sets[0].problems

    assert (problem.code, problem.segment_code, problem.set_position) == ("bad_segment_id", "1", 3)


def test_reading_the_same_bytes_twice_gives_the_same_result() -> None:
    assert read_x12(GOOD.encode()) == read_x12(GOOD)
