"""The support page `GET /orders/{order_id}/timeline.html`: the renderer on order views
built here (contents, order of steps, lanes, compensations, waits, escaping), then the
route through the app on the dev server (HTML, 404, another customer's order)."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from api.timeline_page import duration, render_timeline
from canonical.events import TimelineEntry
from canonical.invoices import Invoice, InvoiceLine
from canonical.money import Money
from canonical.orders import Channel
from canonical.quantities import UnitOfMeasure
from canonical.shipments import Backorder, Shipment, ShipmentLine
from canonical.statuses import OrderStatus, ShipmentStatus
from canonical.view import CompensationRecord, OrderView, ParkedStep
from tests.api.support import AppFactory, new_key, new_order_id, order_body
from tests.api.test_access import API_KEYS, OPS, PORTAL_OTHER, PORTAL_OWN, SUPPORT, auth

# Elements that never have a closing tag.
_VOID = frozenset({"meta", "br", "img", "input", "link", "hr", "wbr", "source"})


@dataclass
class Node:
    """An element of the parsed page."""

    tag: str
    attrs: dict[str, str]
    children: list["Node"] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # text and the children's text, in order

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def all(self, tag: str = "", cls: str = "", **attrs: str) -> list["Node"]:
        """Every descendant with the tag, class and attributes asked for
        (`data_lane="x"` means `data-lane="x"`; `data_lane=""` any value)."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        found = []
        for child in self.children:
            if (
                (not tag or child.tag == tag)
                and (not cls or cls in child.classes)
                and all(
                    name in child.attrs and (not value or child.attrs[name] == value)
                    for name, value in wanted.items()
                )
            ):
                found.append(child)
            found.extend(child.all(tag, cls, **attrs))
        return found

    def one(self, tag: str = "", cls: str = "", **attrs: str) -> "Node":
        [node] = self.all(tag, cls, **attrs)
        return node


class _Builder(HTMLParser):
    """A strict tree builder: a closing tag that does not close the open element fails."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self._open[-1].children.append(node)
        if tag not in _VOID:
            self._open.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self._open[-1].tag == tag, f"</{tag}> closes <{self._open[-1].tag}>"
        closed = self._open.pop()
        self._open[-1].parts.append(" " + "".join(closed.parts) + " ")

    def handle_data(self, data: str) -> None:
        self._open[-1].parts.append(data)


def parse(page: str) -> Node:
    builder = _Builder()
    builder.feed(page)
    builder.close()
    assert builder._open == [builder.root], "elements left open"
    return builder.root


T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
HOSTILE_NAME = '<script>alert("name")</script> & Söhne'
HOSTILE_NOTE = "<img src=x onerror=alert(1)> call back"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def entry(seconds: float, kind: str, detail: str = "", source: str = "ordermesh") -> TimelineEntry:
    return TimelineEntry(
        at=at(seconds), kind=kind, source=source, correlation_id="TL-1", detail=detail
    )


def pc(line_no: int, sku: str, quantity: int) -> ShipmentLine:
    return ShipmentLine(line_no=line_no, sku=sku, quantity=Decimal(quantity), uom=UnitOfMeasure.PC)


def sample_view() -> OrderView:
    """An order split over two warehouses: S1 shipped, S2 parked at its label and
    unwound; a line backordered; an invoice open. The timeline is out of time order
    on purpose (a late event), as a real one can be."""
    timeline = [
        entry(0, "RECEIVED", source="api"),
        entry(0.35, "ACCEPTED", source="erp"),
        entry(2.5, "SALES_ORDER_CREATED", "sales order 4711", source="erp"),
        entry(3, "ALLOCATED", "TL-1-S1 reserved in W1", source="wms"),
        entry(3.2, "ALLOCATED", "TL-1-S2 reserved in W2", source="wms"),
        entry(3.4, "BACKORDERED", "line 30 TG14 x 1"),
        entry(4, "RELEASED", "TL-1-S1", source="wms"),
        entry(4.1, "RELEASED", "TL-1-S2", source="wms"),
        entry(60, "LABEL_BOUGHT", "TL-1-S1 DHL PAKET 00340434", source="carrier"),
        entry(3600, "SHIPMENT_DELIVERED", "TL-1-S1", source="carrier"),  # before SHIPPED
        entry(120, "SHIPMENT_SHIPPED", "TL-1-S1", source="wms"),
        entry(125, "NEEDS_ATTENTION", "TL-1-S2 buy_label failed: REFUSED: no carrier"),
        entry(370, "OPS_DECISION", f"skip by ops: {HOSTILE_NOTE}", source="ops"),
        entry(371, "COMPENSATED", "void_label TL-1-S2"),
        entry(372, "COMPENSATED", "recall_from_warehouse TL-1-S2"),
        entry(373, "COMPENSATED", "release_inventory TL-1-S2"),
        entry(374, "COMPENSATED", "cancel_sales_order"),
    ]
    return OrderView(
        order_id="TL-1",
        status=OrderStatus.NEEDS_ATTENTION,
        customer_id="1000001",
        customer_name=HOSTILE_NAME,
        customer_po="PO-<4711>",
        channel=Channel.PORTAL,
        erp_order_id="4711",
        total=Money(amount=Decimal("999.00"), currency="EUR"),
        shipments=[
            Shipment(
                shipment_id="TL-1-S1",
                warehouse="W1",
                lines=[pc(10, "TG11", 5)],
                status=ShipmentStatus.DELIVERED,
                carrier="DHL",
                service="PAKET",
                tracking_number="00340434",
                shipped_at=at(120),
            ),
            Shipment(
                shipment_id="TL-1-S2",
                warehouse="W2",
                lines=[pc(20, "TG13", 4)],
                status=ShipmentStatus.VOIDED,
            ),
        ],
        backorders=[
            Backorder(
                line_no=30,
                sku="TG14",
                quantity=Decimal(1),
                uom=UnitOfMeasure.PC,
                since=at(3.4),
                until=at(3.4 + 14 * 86400),
            )
        ],
        invoices=[
            Invoice(
                billing_document="90000001",
                sales_order="4711",
                shipment_id="TL-1-S1",
                net=Money(amount=Decimal("475.00"), currency="EUR"),
                gross=Money(amount=Decimal("565.25"), currency="EUR"),
                lines=[
                    InvoiceLine(
                        line_no=10,
                        sku="TG11",
                        quantity=Decimal(5),
                        net=Money(amount=Decimal("475.00"), currency="EUR"),
                    )
                ],
                due_on=date(2026, 4, 1),
            )
        ],
        attention=[
            ParkedStep(
                step="hand_label_to_warehouse",
                shipment_id="TL-1-S1",
                error_type="REJECTED",
                message="<b>label refused</b>",
                since=at(130),
                skippable=True,
            )
        ],
        compensations=[
            CompensationRecord(
                step="release_inventory", state="done", detail="TL-1-S2", at=at(373)
            ),
            CompensationRecord(step="void_label", state="not_needed", detail="TL-1-S1"),
        ],
        timeline=timeline,
    )


def test_the_header_names_the_order_and_its_times() -> None:
    page = parse(render_timeline(sample_view()))
    header = page.one("header")

    assert header.one("h1").text == "Order TL-1"
    assert HOSTILE_NAME in header.text and "1000001" in header.text
    assert header.one(cls="badge").attrs["data-status"] == "NEEDS_ATTENTION"
    assert "bad" in header.one(cls="badge").classes
    for shown in ("portal", "4711", "PO-<4711>", "999.00 EUR", "1 h 00 min"):
        assert shown in header.text, shown
    times = [t.attrs["datetime"] for t in header.all("time")]
    assert times == [T0.isoformat(), at(3600).isoformat()]  # first and last event


def test_the_orders_own_steps_are_in_time_order_with_the_gaps_between() -> None:
    page = parse(render_timeline(sample_view()))
    rows = page.one("section", cls="steps").all("tr", cls="step")

    assert [r.attrs["data-kind"] for r in rows] == [
        "RECEIVED",
        "ACCEPTED",
        "SALES_ORDER_CREATED",
        "BACKORDERED",
        "OPS_DECISION",
        "COMPENSATED",
    ]
    gaps = [r.one("td", cls="delta").text for r in rows]
    assert gaps == ["", "+0.35 s", "+2.15 s", "+0.90 s", "+6 min 06 s", "+4.00 s"]
    assert rows[0].one("time").attrs["datetime"] == T0.isoformat()
    assert rows[0].one("time").text == "2026-03-02 09:00:00.000 UTC"
    assert "wait" in rows[3].classes and "wait" not in rows[2].classes


def test_each_shipment_is_a_lane_with_its_own_events() -> None:
    page = parse(render_timeline(sample_view()))
    lanes = page.all(data_lane="")

    assert [lane.attrs["data-lane"] for lane in lanes] == ["TL-1-S1", "TL-1-S2"]
    s1, s2 = lanes
    assert s1.attrs["data-status"] == "DELIVERED" and s2.attrs["data-status"] == "VOIDED"
    assert s1.one(cls="tracking").text == "00340434"
    assert "W1" in s1.text and "DHL PAKET" in s1.text and "TG11 x 5 PC" in s1.text
    assert "W2" in s2.text and s2.all(cls="tracking") == []
    kinds = [e.attrs["data-kind"] for e in s1.all("li", cls="step")]
    # The late delivery goes where its time puts it, after the shipping it followed.
    assert kinds == [
        "ALLOCATED",
        "RELEASED",
        "LABEL_BOUGHT",
        "SHIPMENT_SHIPPED",
        "SHIPMENT_DELIVERED",
    ]
    assert {e.attrs["data-shipment"] for e in s1.all("li", cls="step")} == {"TL-1-S1"}
    assert "+56 s" in s1.text and "+1 min 00 s" in s1.text  # 4 s -> 60 s -> 120 s
    assert "+58 min 00 s" in s1.text  # 120 s -> 3600 s


def test_compensations_are_marked_where_they_ran() -> None:
    page = parse(render_timeline(sample_view()))
    ran = page.all(cls="compensation")

    # In page order: the order's own steps, then the lanes.
    assert [c.one(cls="kind").text for c in ran] == [
        "compensated: cancel_sales_order",
        "compensated: void_label",
        "compensated: recall_from_warehouse",
        "compensated: release_inventory",
    ]
    s2 = page.one(data_lane="TL-1-S2")
    assert len(s2.all(cls="compensation")) == 3
    order_level = page.one("section", cls="steps").one(cls="compensation")
    assert order_level.one(cls="kind").text == "compensated: cancel_sales_order"
    undo = {u.attrs["data-step"]: u.attrs["data-state"] for u in page.all(cls="undo")}
    assert undo == {"release_inventory": "done", "void_label": "not_needed"}
    assert page.all(cls="undo")[0].one("time").attrs["datetime"] == at(373).isoformat()


def test_what_the_order_waits_on_is_marked() -> None:
    now = at(430)
    page = parse(render_timeline(sample_view(), now=now))
    waits = page.one("section", cls="waiting").all("li", cls="wait")

    assert [w.attrs["data-wait"] for w in waits] == ["parked", "backorder", "payment"]
    parked, backorder, payment = waits
    assert parked.one(cls="kind").text == "parked: hand_label_to_warehouse"
    assert "TL-1-S1" in parked.text and "<b>label refused</b>" in parked.text
    assert "(for 5 min 00 s)" in parked.text and "may be skipped" in parked.text
    assert backorder.attrs["data-state"] == "waiting"
    assert "line 30 TG14 x 1 PC" in backorder.text
    assert [t.attrs["datetime"] for t in backorder.all("time")] == [
        at(3.4).isoformat(),
        at(3.4 + 14 * 86400).isoformat(),
    ]
    assert "90000001" in payment.text and "565.25 EUR open" in payment.text
    assert "due 2026-04-01" in payment.text


def test_an_order_that_ended_counts_no_waiting_time() -> None:
    view = sample_view().model_copy(update={"status": OrderStatus.CANCELLED, "attention": []})
    page = parse(render_timeline(view, now=at(430)))

    [backorder] = page.all(cls="wait", data_wait="backorder")
    assert "(for" not in backorder.text
    assert "(for 7 min 06 s)" in parse(render_timeline(sample_view(), now=at(430))).text


def test_hostile_strings_come_out_as_text() -> None:
    html = render_timeline(sample_view())
    page = parse(html)

    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; &amp; Söhne" in html
    assert page.all("script") == [] and page.all("img") == [] and page.all("b") == []
    assert HOSTILE_NOTE in page.one(data_kind="OPS_DECISION").text
    # The only element in <head> that is not metadata is the inline style.
    assert [n.tag for n in page.one("head").children] == ["meta", "meta", "title", "style"]
    assert "http" not in html.split("</style>")[0].split("<style>")[1]  # nothing fetched


def test_a_new_order_says_it_has_no_shipments_yet() -> None:
    view = OrderView(
        order_id="TL-2",
        status=OrderStatus.RECEIVED,
        customer_id="1000001",
        timeline=[entry(0, "RECEIVED", source="api")],
    )
    page = parse(render_timeline(view))

    assert page.all(data_lane="") == []
    assert "No shipments yet." in page.one("section", cls="shipments").text
    assert page.all(cls="wait") == [] and page.all(cls="compensation") == []
    assert [r.attrs["data-kind"] for r in page.all("tr", cls="step")] == ["RECEIVED"]


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (timedelta(seconds=0.35), "0.35 s"),
        (timedelta(seconds=42), "42 s"),
        (timedelta(minutes=4, seconds=5), "4 min 05 s"),
        (timedelta(hours=2, minutes=10, seconds=59), "2 h 10 min"),
        (timedelta(days=3, hours=4, minutes=1), "3 d 4 h"),
        (timedelta(seconds=-1), "0.00 s"),
    ],
)
def test_durations_read_as_a_person_says_them(delta: timedelta, shown: str) -> None:
    assert duration(delta) == shown


# -- through the app ---------------------------------------------------------------


async def test_the_route_serves_the_page_under_the_json_routes_access_rule(
    make_api: AppFactory,
) -> None:
    async with make_api(real_auth=True, api_keys=API_KEYS) as api:
        http = api.http
        order_id = new_order_id()
        submitted = await http.post(
            "/orders",
            json=order_body(order_id=order_id),
            headers={"Idempotency-Key": new_key(), **auth(PORTAL_OWN)},
        )
        assert submitted.status_code == 201, submitted.text
        path = f"/orders/{order_id}/timeline.html"

        for caller in (PORTAL_OWN, SUPPORT, OPS):
            shown = await http.get(path, headers=auth(caller))
            assert shown.status_code == 200, (caller, shown.text)
            assert shown.headers["content-type"] == "text/html; charset=utf-8"
            assert "script-src" not in shown.headers["content-security-policy"]
            assert shown.headers["content-security-policy"].startswith("default-src 'none'")
            page = parse(shown.text)
            assert page.one("h1").text == f"Order {order_id}"
            assert page.one("body").attrs["data-order"] == order_id
            assert "RECEIVED" in [r.attrs["data-kind"] for r in page.all("tr", cls="step")]

        unknown_id = f"API-{uuid.uuid4().hex[:12]}"
        unknown = await http.get(f"/orders/{unknown_id}/timeline.html", headers=auth(SUPPORT))
        assert unknown.status_code == 404
        assert unknown.json() == {"detail": f"no order {unknown_id}"}

        # Another customer's order looks unknown, as it does to `GET /orders/{id}`.
        hidden = await http.get(path, headers=auth(PORTAL_OTHER))
        absent = await http.get(f"/orders/{unknown_id}/timeline.html", headers=auth(PORTAL_OTHER))
        assert hidden.status_code == absent.status_code == 404
        assert hidden.text.replace(order_id, unknown_id) == absent.text
        assert "1000001" not in hidden.text

        assert (await http.get(path)).status_code == 401
