"""From a read 850 to our OrderSubmission: cross-references, units, every refusal."""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from canonical.address import Address
from canonical.orders import Channel, SubmittedLine
from canonical.quantities import UnitOfMeasure
from canonical.x12.body import Body
from canonical.x12.envelope import parse_interchanges, read_x12
from canonical.x12.outbound import EnvelopeParams, OutboundSet, write_interchange
from canonical.x12.parties import Party
from canonical.x12.po850 import read_850, to_submission
from canonical.x12.po850_models import BuyerLine, PurchaseOrder850, SubmissionProblemCode
from canonical.x12.values import ProductId
from tests.unit.x12.corpus import BUYSNACKS_850, PETCO_850, TWO_POS_850, corpus_bytes

BUYER = EnvelopeParams(
    sender_id="BUYER",
    receiver_id="ORDERMESH",
    interchange_control=1,
    group_control=1,
    created=datetime(2024, 1, 2, 8, 0),
)
SHIP_TO: Body = [
    ["N1", "ST", "Acme DC", "92", "0042"],
    ["N3", "1 Main St"],
    ["N4", "Springfield", "IL", "62701"],
]
# Our cross-references: buyer part X is our TG11, packed 12 to a case.
ITEMS = {("BP", "X"): "TG11", ("BP", "Y"): "TG12"}
CASE = {"TG11": 12, "TG12": 6}


def resolve_item(pairs: Sequence[tuple[str, str]]) -> str | None:
    return next((ITEMS[pair] for pair in pairs if pair in ITEMS), None)


def to_base_unit(sku: str, uom: str, quantity: Decimal) -> tuple[Decimal, UnitOfMeasure] | None:
    if uom == "CA" and sku in CASE:
        return quantity * CASE[sku], UnitOfMeasure.PC
    if uom in ("EA", "PC"):
        return quantity, UnitOfMeasure.PC
    return None


def order_from(lines: Body, header: Body | None = None) -> PurchaseOrder850:
    body: Body = [["BEG", "00", "SA", "PO-1", "", "20240102"], *(header or SHIP_TO), *lines]
    body.append(["CTT", str(len(lines))])
    text = write_interchange(BUYER, [OutboundSet(set_id="850", body=body)])
    return read_850(parse_interchanges(text)[0].transaction_sets[0])


def test_two_cases_of_buyer_part_x_are_24_pieces_of_tg11() -> None:
    po = order_from([["PO1", "1", "2", "CA", "24", "", "BP", "X"]])

    result = to_submission(
        po, customer_id="C100", resolve_item=resolve_item, to_base_unit=to_base_unit
    )

    assert result.ok and result.problems == []
    submission = result.submission
    assert submission is not None
    assert submission.lines == [
        SubmittedLine(sku="TG11", quantity=Decimal(24), uom=UnitOfMeasure.PC, unit_price=2)
    ]
    assert submission.ship_to == Address(
        name="Acme DC",
        street="1 Main St",
        city="Springfield",
        postal_code="62701",
        country="US",
        region="IL",
    )
    assert (submission.customer_id, submission.customer_po) == ("C100", "PO-1")
    assert (submission.channel, submission.currency) == (Channel.EDI, "USD")
    assert result.line_map == {
        10: BuyerLine(
            po1_index=1,
            line_id="1",
            quantity=Decimal(2),
            uom="CA",
            unit_price=Decimal(24),
            product_ids=[ProductId(qualifier="BP", id="X")],
        )
    }


def test_a_price_that_is_not_exact_per_piece_is_left_to_the_price_list() -> None:
    po = order_from([["PO1", "A", "1", "CA", "10", "", "BP", "Y"]])

    result = to_submission(
        po, customer_id="C100", resolve_item=resolve_item, to_base_unit=to_base_unit
    )

    assert result.submission is not None
    assert result.submission.lines[0].unit_price is None  # 10 / 6 is not exact
    assert result.line_map[10].unit_price == Decimal(10)  # the buyer's, for the 855


def test_every_unknown_item_and_unit_is_named_with_its_line() -> None:
    po = order_from(
        [
            ["PO1", "1", "2", "CA", "24", "", "BP", "X"],
            ["PO1", "2", "1", "EA", "5", "", "BP", "NOPE", "UP", "0001"],
            ["PO1", "3", "1", "KI", "5", "", "BP", "Y"],
            ["PO1", "4", "0", "EA", "5", "", "BP", "X"],
        ]
    )

    result = to_submission(
        po, customer_id="C100", resolve_item=resolve_item, to_base_unit=to_base_unit
    )

    assert result.submission is None
    problems = [(p.code, p.po1_index, p.line_id, p.position) for p in result.problems]
    assert problems == [
        (SubmissionProblemCode.UNKNOWN_ITEM, 2, "2", 7),
        (SubmissionProblemCode.UNKNOWN_UNIT, 3, "3", 8),
        (SubmissionProblemCode.BAD_QUANTITY, 4, "4", 9),
    ]
    assert result.problems[0].message == "PO1 line 2 (2): no item of ours for BP NOPE, UP 0001"
    assert result.problems[1].message == (
        "PO1 line 3 (3): no conversion of 1 KI to a unit of ours for TG12"
    )
    assert sorted(result.line_map) == [10, 20, 30, 40]  # kept for a line-by-line 855


def test_a_conversion_to_part_of_a_piece_is_refused() -> None:
    def halves(sku: str, uom: str, quantity: Decimal) -> tuple[Decimal, UnitOfMeasure]:
        return quantity / 2, UnitOfMeasure.PC

    po = order_from([["PO1", "1", "3", "EA", "", "", "BP", "X"]])

    result = to_submission(po, customer_id="C100", resolve_item=resolve_item, to_base_unit=halves)

    [problem] = result.problems
    assert problem.code is SubmissionProblemCode.BAD_QUANTITY
    assert problem.message == "PO1 line 1 (1): 3 EA is 1.5 PC, not a quantity we can ship"


def test_a_ship_to_by_store_number_needs_the_resolver() -> None:
    po = order_from(
        [["PO1", "1", "1", "EA", "", "", "BP", "X"]], header=[["N1", "ST", "STORE 12", "92", "12"]]
    )
    stores = {"12": Address(name="Store 12", street="5 Elm St", city="Dayton", country="US")}

    def resolve_ship_to(party: Party) -> Address | None:
        return stores.get(party.id)

    refused = to_submission(
        po, customer_id="C100", resolve_item=resolve_item, to_base_unit=to_base_unit
    )
    accepted = to_submission(
        po,
        customer_id="C100",
        resolve_item=resolve_item,
        to_base_unit=to_base_unit,
        resolve_ship_to=resolve_ship_to,
    )

    assert [p.code for p in refused.problems] == [SubmissionProblemCode.NO_SHIP_TO]
    assert "'STORE 12' has no street and city" in refused.problems[0].message
    assert accepted.submission is not None
    assert accepted.submission.ship_to.city == "Dayton"


def test_the_buysnacks_order_maps_every_line_with_its_delivery_date() -> None:
    po = read_850(read_x12(corpus_bytes(BUYSNACKS_850)).transaction_sets[0])

    def by_upc(pairs: Sequence[tuple[str, str]]) -> str | None:
        return next(
            (f"SNACK-{value[-5:]}" for qualifier, value in pairs if qualifier == "UA"), None
        )

    def cases_of_48(sku: str, uom: str, quantity: Decimal) -> tuple[Decimal, UnitOfMeasure]:
        return quantity * 48, UnitOfMeasure.PC

    result = to_submission(po, customer_id="C7", resolve_item=by_upc, to_base_unit=cases_of_48)

    assert result.submission is not None
    assert [(line.sku, line.quantity) for line in result.submission.lines][:2] == [
        ("SNACK-22222", Decimal(768)),
        ("SNACK-33333", Decimal(624)),
    ]
    assert result.submission.requested_date == date(1997, 12, 19)
    assert [buyer.line_id for buyer in result.line_map.values()] == [""] * 7


def test_a_kit_unit_nobody_converts_is_refused() -> None:
    po = read_850(read_x12(corpus_bytes(PETCO_850)).transaction_sets[0])

    result = to_submission(
        po,
        customer_id="C9",
        resolve_item=lambda pairs: dict(pairs).get("SK"),
        to_base_unit=to_base_unit,
    )

    [problem] = result.problems
    assert (problem.code, problem.po1_index, problem.line_id) == ("unknown_unit", 1, "")
    assert problem.message.startswith("PO1 line 1: no conversion of 1 KI")


def test_a_replacement_po_is_not_a_new_order() -> None:
    po = read_850(read_x12(corpus_bytes(TWO_POS_850)).transaction_sets[0])

    result = to_submission(
        po, customer_id="C9", resolve_item=lambda pairs: "TG11", to_base_unit=to_base_unit
    )

    codes = [p.code for p in result.problems]
    assert codes[:2] == [
        SubmissionProblemCode.UNSUPPORTED_PURPOSE,
        SubmissionProblemCode.NO_SHIP_TO,
    ]
    assert result.problems[0].message == "BEG01 '05' is not an original order (00)"
    assert SubmissionProblemCode.UNKNOWN_UNIT in codes  # SF (square feet) has no conversion
