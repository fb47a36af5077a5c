"""POST /edi/inbound and /edi/as2: a partner's 850s become orders, answered by 997s;
what is broken, unknown or replayed is refused and starts nothing."""

import uuid
from decimal import Decimal

import pytest
from temporalio.service import RPCError, RPCStatusCode

from canonical.partners import ItemCrossReference, PartnerKind, TradingPartner, UomConversion
from canonical.quantities import UnitOfMeasure
from canonical.x12.ack997 import read_997
from canonical.x12.envelope import parse_interchanges
from tests.api.support import ApiHarness, eventually, view_of

BUYER = TradingPartner(
    partner_id="MOCKEDI",
    kind=PartnerKind.EDI,
    interchange_id="MOCKEDI",
    our_interchange_id="ORDERMESH",
    customer_id="1000001",
)


def purchase_order(po: str, control: int, lines: str | None = None) -> bytes:
    """An 850 as mock-edi writes one, under interchange `control`."""
    body = lines or "PO1*1*5*EA*95.00**VP*TG11~PO1*2*2*CA*1794.00**VP*MOCK-TG12-CASE~"
    count = body.count("~")
    segments = (
        f"ST*850*0001~BEG*00*SA*{po}**20261201~CUR*BY*USD~DTM*002*20261215~"
        "N1*BY*Mock EDI Supply Co*92*MOCKEDI~N1*ST*Mock EDI Supply Co*92*MOCKEDI~"
        "N3*500 Seaport Boulevard~N4*Boston*MA*02210*US~"
        f"{body}CTT*{count}~"
    )
    se = segments.count("~") + 1
    return (
        f"ISA*00*          *00*          *ZZ*MOCKEDI        *ZZ*ORDERMESH      "
        f"*261201*0838*U*00401*{control:09d}*0*T*>~GS*PO*MOCKEDI*ORDERMESH*20261201*0838*{control}*X*004010~"
        f"{segments}SE*{se}*0001~GE*1*{control}~IEA*1*{control:09d}~"
    ).encode()


@pytest.fixture
def registered(api: ApiHarness) -> ApiHarness:
    api.app.state.partners.upsert_partner(
        BUYER,
        [
            ItemCrossReference(
                partner_id="MOCKEDI", qualifier="VP", value="MOCK-TG12-CASE", sku="TG12"
            )
        ],
        [UomConversion(partner_id="MOCKEDI", sku="TG12", from_uom="CA", factor=Decimal(12))],
        [],
    )
    return api


def _po() -> str:
    return f"45{uuid.uuid4().int % 10**8:08d}"


async def test_an_850_becomes_one_order_in_our_units_and_is_acknowledged(
    registered: ApiHarness,
) -> None:
    api, po = registered, _po()
    response = await api.http.post("/edi/inbound", content=purchase_order(po, 11))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["orders"] == [f"EDI-MOCKEDI-{po}"]
    [outcome] = body["interchanges"]
    [interchange] = parse_interchanges(outcome["acknowledgment"])
    ack = read_997(interchange.groups[0].sets[0])
    assert (ack.group_control, ack.status) == ("11", "A")
    # 2 cases of the buyer's part number are 24 PC of TG12 in the ERP.
    await eventually(lambda: len(api.stack.erp.sales_orders) == 1)
    [sales_order] = api.stack.erp.sales_orders.values()
    assert sales_order.customer_po == po
    assert [(i.sku, i.quantity) for i in sales_order.items] == [
        ("TG11", Decimal(5)),
        ("TG12", Decimal(24)),
    ]
    view = await view_of(api.http, f"EDI-MOCKEDI-{po}")
    assert view.channel.value == "edi"
    assert [(line.sku, line.quantity, line.uom) for line in view.lines][1] == (
        "TG12",
        Decimal(24),
        UnitOfMeasure.PC,
    )
    # The order answers its partner: the 855, through the activity.
    await eventually(lambda: api.stack.partner.kinds() == ["855"])


async def test_the_same_interchange_twice_is_a_duplicate_and_one_order(
    registered: ApiHarness,
) -> None:
    api, po = registered, _po()
    first = await api.http.post("/edi/inbound", content=purchase_order(po, 21))
    again = await api.http.post("/edi/inbound", content=purchase_order(po, 21))
    resent = await api.http.post("/edi/inbound", content=purchase_order(po, 22))

    assert first.status_code == 200, first.text
    assert again.status_code == 409, again.text
    assert "received before" in again.json()["interchanges"][0]["reason"]
    assert resent.status_code == 200, resent.text  # a new interchange, the same PO
    await eventually(lambda: len(api.stack.erp.sales_orders) == 1)
    assert len(api.stack.erp.sales_orders) == 1


async def test_an_unknown_partner_or_broken_x12_is_refused_and_starts_nothing(
    registered: ApiHarness,
) -> None:
    api = registered
    stranger = purchase_order(_po(), 31).replace(b"MOCKEDI        ", b"SOMEONE        ", 1)
    unknown = await api.http.post("/edi/inbound", content=stranger)
    assert unknown.status_code == 422, unknown.text
    assert "ZZ/SOMEONE is not a trading partner" in unknown.json()["interchanges"][0]["reason"]

    whole = purchase_order(_po(), 32)
    cut = await api.http.post("/edi/inbound", content=whole[: len(whole) // 2])
    assert cut.status_code == 422, cut.text
    assert cut.json()["orders"] == []

    empty = await api.http.post("/edi/inbound", content=b"  ")
    assert empty.status_code == 400, empty.text
    assert api.stack.erp.sales_orders == {}


async def test_a_wrong_count_or_an_unknown_item_rejects_the_set_in_the_997(
    registered: ApiHarness,
) -> None:
    api = registered
    miscounted = purchase_order(_po(), 41).replace(b"SE*", b"SE*9", 1)
    response = await api.http.post("/edi/inbound", content=miscounted)
    assert response.status_code == 200, response.text
    [outcome] = response.json()["interchanges"]
    [interchange] = parse_interchanges(outcome["acknowledgment"])
    ack = read_997(interchange.groups[0].sets[0])
    assert (ack.status, ack.sets[0].status, ack.sets[0].codes) == ("R", "R", ["4"])

    # A buyer's part number with no cross-reference (a vendor part number would be
    # taken as ours, and the ERP's verdict would reject it in the 855).
    unknown_item = purchase_order(_po(), 42, lines="PO1*1*1*EA*9.00**BP*NO-SUCH~")
    response = await api.http.post("/edi/inbound", content=unknown_item)
    assert response.status_code == 200, response.text
    [outcome] = response.json()["interchanges"]
    assert outcome["orders"] == []
    assert "NO-SUCH" in outcome["refused_sets"][0]
    [interchange] = parse_interchanges(outcome["acknowledgment"])
    ack = read_997(interchange.groups[0].sets[0])
    assert ack.sets[0].status == "R"
    assert [s.segment_id for s in ack.sets[0].segments] == ["PO1"]
    assert api.stack.erp.sales_orders == {}


async def test_as2_answers_with_an_mdn(registered: ApiHarness) -> None:
    api = registered
    headers = {"AS2-From": "MOCKEDI", "AS2-To": "ORDERMESH", "Message-ID": "<1@mock>"}
    ok = await api.http.post("/edi/as2", content=purchase_order(_po(), 51), headers=headers)
    assert ok.status_code == 200, ok.text
    assert "Disposition: automatic-action/MDN-sent-automatically; processed\r\n" in ok.text

    spoofed = {**headers, "AS2-From": "SOMEONE"}
    refused = await api.http.post("/edi/as2", content=purchase_order(_po(), 52), headers=spoofed)
    assert "processed/error" in refused.text
    assert "AS2-From 'SOMEONE'" in refused.text
    missing = await api.http.post("/edi/as2", content=purchase_order(_po(), 53))
    assert missing.status_code == 400, missing.text


async def test_an_interchange_that_could_not_be_handled_is_read_again_when_resent(
    registered: ApiHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    api, po = registered, _po()

    async def engine_down(*args: object, **kwargs: object) -> bool:
        raise RPCError("Temporal unreachable", RPCStatusCode.UNAVAILABLE, b"")

    monkeypatch.setattr(api.app.state.gateway, "start", engine_down)
    failed = await api.http.post("/edi/inbound", content=purchase_order(po, 61))
    assert failed.status_code == 503, failed.text

    monkeypatch.undo()
    resent = await api.http.post("/edi/inbound", content=purchase_order(po, 61))
    assert resent.status_code == 200, resent.text
    assert resent.json()["orders"] == [f"EDI-MOCKEDI-{po}"]
