"""The support view of one order as a self-contained HTML page.

`render_timeline` turns an `OrderView` into a page a support person reads: the
header, what the order waits on, the order's own steps in time order, one lane per
shipment with its own events, and the undo steps the saga registered. No script, no
external asset: the CSS is inline, so the page opens anywhere (a ticket attachment,
a browser without network). Every value from the view is escaped on its way in.

Selectors tests and tools may rely on: `[data-lane="<shipment_id>"]` for a lane,
`.step` for a timeline row (`data-kind`, `data-shipment`), `.compensation` for an
undo step that ran, `.wait` for something the order waits on (`data-wait`:
`parked`, `backorder`, `payment`), `time[datetime]` for every instant.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from canonical.events import TimelineEntry
from canonical.orders import OrderLine
from canonical.shipments import Backorder, Shipment, ShipmentLine
from canonical.statuses import TERMINAL_ORDER_STATUSES, OrderStatus, ShipmentStatus
from canonical.view import CompensationRecord, OrderView, ParkedStep

# Timeline kinds that record an undo step of the saga.
COMPENSATION_KINDS = frozenset({"COMPENSATED", "COMPENSATION_FAILED"})
# Timeline kinds after which the order waits: on a person, on stock, on a payment.
WAIT_KINDS = frozenset({"NEEDS_ATTENTION", "BACKORDERED", "PAYMENT_OVERDUE", "DUNNING_NOTICE"})

_GOOD = frozenset(
    {OrderStatus.DELIVERED, OrderStatus.INVOICED, OrderStatus.PAID, OrderStatus.COMPLETED}
)
_BAD = frozenset(
    {
        OrderStatus.REJECTED,
        OrderStatus.NEEDS_ATTENTION,
        OrderStatus.CANCELLING,
        OrderStatus.CANCELLED,
    }
)
_SHIPMENT_BAD = frozenset({ShipmentStatus.EXCEPTION, ShipmentStatus.VOIDED})
_SHIPMENT_GOOD = frozenset({ShipmentStatus.DELIVERED})

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;padding:16px 24px;color:#1d2430;background:#f6f7f9}
h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:20px 0 8px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
dt{color:#5a6472}dd{margin:0}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;
background:#dfe6ef}
.badge.good{background:#d4f0dc}.badge.bad{background:#f8d7d4}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e3e6ea;vertical-align:top}
th{background:#eef1f5;font-weight:600}
td.delta,td.at{white-space:nowrap;font-variant-numeric:tabular-nums}
td.delta{color:#5a6472}
.compensation{background:#fdecea;border-left:4px solid #c0392b}
.compensation .kind{color:#a93226;font-weight:600}
.wait{background:#fff6db;border-left:4px solid #d4a017}
.wait .kind{color:#8a6d00;font-weight:600}
ul.waits,ul.undos,ol.events{list-style:none;margin:0;padding:0}
ul.waits li,ul.undos li{padding:6px 10px;margin:0 0 4px;background:#fff}
.lanes{display:flex;gap:12px;align-items:flex-start;overflow-x:auto}
.lane{flex:1 1 0;min-width:280px;background:#fff;border:1px solid #d5dae1;border-radius:6px}
.lane h3{margin:0;padding:8px 10px;font-size:15px;background:#eef1f5;
border-radius:6px 6px 0 0}
.lane dl{padding:6px 10px;font-size:13px}
.lane ol.events li{padding:5px 10px;border-top:1px solid #e3e6ea}
.lane .at{font-variant-numeric:tabular-nums;color:#5a6472;font-size:12px}
.muted{color:#5a6472}.none{color:#5a6472;font-style:italic}
"""


@dataclass(frozen=True)
class _Row:
    """A timeline entry in time order, with the gap since the one before it."""

    entry: TimelineEntry
    since_previous: timedelta | None


def render_timeline(view: OrderView, *, now: datetime | None = None) -> str:
    """The order as an HTML page for support.

    Args:
        view: The order as `GET /orders/{order_id}` shows it.
        now: When the page is made; with it, each open wait of an order still
            running says how long it has waited so far. Without it the page depends
            on `view` alone.

    Returns:
        A complete, self-contained HTML document.
    """
    shipment_ids = [s.shipment_id for s in view.shipments]
    entries = sorted(view.timeline, key=lambda e: e.at)  # stable: ties keep their order
    owners = [_shipment_of(entry, shipment_ids) for entry in entries]
    own_steps = [e for e, owner in zip(entries, owners, strict=True) if not owner]
    title = f"Order {view.order_id}"
    if view.status in TERMINAL_ORDER_STATUSES:
        now = None  # an order that has ended waits for nothing any more
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)} · timeline</title><style>{_CSS}</style></head>",
        f'<body data-order="{_e(view.order_id)}">',
        _header(view, entries),
        _waits(view, now),
        _settled_backorders(view.backorders),
        '<section class="steps"><h2>Steps</h2>',
        _steps_table(_rows(own_steps)),
        "</section>",
        '<section class="shipments"><h2>Shipments</h2>',
        _lanes(view.shipments, entries, owners),
        "</section>",
        _undo_steps(view.compensations),
        "</body></html>",
    ]
    return "\n".join(part for part in parts if part)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _time(at: datetime) -> str:
    zone = at.tzname()
    shown = f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d}" + (f" {zone}" if zone else "")
    return f'<time datetime="{_e(at.isoformat())}">{_e(shown)}</time>'


def duration(delta: timedelta) -> str:
    """A gap between two instants, as a person reads it: `0.35 s`, `4 min 05 s`,
    `2 h 10 min`, `3 d 4 h`."""
    seconds = max(delta.total_seconds(), 0.0)
    if seconds < 60:
        return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def _shipment_of(entry: TimelineEntry, shipment_ids: Sequence[str]) -> str:
    """The shipment an entry is about, or "" for the order's own steps.

    Entries carry no shipment field; the workflows name the shipment in the detail
    (`<shipment_id> reserved in W1`, `recall_from_warehouse <shipment_id>`). An entry
    that names several shipments is about the order as a whole.
    """
    words = {word.strip(",;:()") for word in entry.detail.split()}
    named = [sid for sid in shipment_ids if sid in words]
    return named[0] if len(named) == 1 else ""


def _rows(entries: Iterable[TimelineEntry]) -> list[_Row]:
    rows: list[_Row] = []
    previous: datetime | None = None
    for entry in entries:
        gap = entry.at - previous if previous is not None else None
        rows.append(_Row(entry, gap))
        previous = entry.at
    return rows


def _label(entry: TimelineEntry) -> str:
    """What happened, in words; an undo step reads `compensated: <step>`."""
    if entry.kind in COMPENSATION_KINDS:
        step = entry.detail.split(maxsplit=1)[0] if entry.detail else "?"
        verb = "compensated" if entry.kind == "COMPENSATED" else "compensation failed"
        return f"{verb}: {step}"
    return entry.kind


def _row_class(entry: TimelineEntry) -> str:
    if entry.kind in COMPENSATION_KINDS:
        return "step compensation"
    if entry.kind in WAIT_KINDS:
        return "step wait"
    return "step"


def _steps_table(rows: Sequence[_Row]) -> str:
    if not rows:
        return '<p class="none">No steps yet.</p>'
    body = []
    for row in rows:
        entry = row.entry
        gap = f"+{duration(row.since_previous)}" if row.since_previous is not None else ""
        body.append(
            f'<tr class="{_row_class(entry)}" data-kind="{_e(entry.kind)}">'
            f'<td class="at">{_time(entry.at)}</td><td class="delta">{_e(gap)}</td>'
            f'<td class="kind">{_e(_label(entry))}</td><td class="source">{_e(entry.source)}</td>'
            f'<td class="detail">{_e(entry.detail)}</td></tr>'
        )
    return (
        "<table><thead><tr><th>at</th><th>after</th><th>what</th><th>from</th>"
        f"<th>detail</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _quantities(lines: Iterable[OrderLine | ShipmentLine]) -> str:
    return ", ".join(f"{line.sku} x {line.quantity} {line.uom}" for line in lines)


def _badge(value: str, tone: str) -> str:
    return f'<span class="badge {tone}" data-status="{_e(value)}">{_e(value)}</span>'


def _order_tone(status: OrderStatus) -> str:
    return "good" if status in _GOOD else "bad" if status in _BAD else ""


def _fields(pairs: Iterable[tuple[str, str]]) -> str:
    """A definition list of the pairs with a value; values are HTML already."""
    items = "".join(f"<dt>{_e(name)}</dt><dd>{value}</dd>" for name, value in pairs if value)
    return f"<dl>{items}</dl>"


def _header(view: OrderView, entries: Sequence[TimelineEntry]) -> str:
    customer = _e(view.customer_name + " " if view.customer_name else "") + (
        f'<span class="muted">{_e(view.customer_id)}</span>'
    )
    first, last = (entries[0].at, entries[-1].at) if entries else (None, None)
    total = f"{view.total.amount} {view.total.currency}" if view.total else ""
    lines = _quantities(view.lines)
    return (
        "<header>"
        + f"<h1>Order {_e(view.order_id)}</h1>"
        + _fields(
            [
                ("customer", customer),
                ("status", _badge(view.status.value, _order_tone(view.status))),
                ("channel", _e(view.channel.value)),
                ("ERP order", _e(view.erp_order_id)),
                ("customer PO", _e(view.customer_po)),
                ("total", _e(total)),
                ("lines", _e(lines)),
                ("first event", _time(first) if first else ""),
                ("last event", _time(last) if last else ""),
                ("elapsed", _e(duration(last - first)) if first and last else ""),
                ("failure", _e(view.failure)),
                (
                    "rejected",
                    _e("; ".join(f"{r.code}: {r.message}" for r in view.rejection_reasons)),
                ),
                ("returns", _e(", ".join(view.returns))),
            ]
        )
        + "</header>"
    )


def _waited(since: datetime, now: datetime | None) -> str:
    return f' <span class="muted">(for {_e(duration(now - since))})</span>' if now else ""


def _parked_item(step: ParkedStep, now: datetime | None) -> str:
    where = f" in {_e(step.where)}" if step.where else ""
    skip = ", may be skipped" if step.skippable else ""
    return (
        f'<li class="wait" data-wait="parked" data-step="{_e(step.step)}">'
        f'<span class="kind">parked: {_e(step.step)}</span>{where} · {_e(step.error_type)}: '
        f"{_e(step.message)} · since {_time(step.since)}{_waited(step.since, now)}"
        f" · retried {step.retries} times{skip}</li>"
    )


def _backorder_item(backorder: Backorder, now: datetime | None) -> str:
    waiting = backorder.state == "waiting"
    return (
        f'<li class="wait" data-wait="backorder" data-state="{_e(backorder.state)}">'
        f'<span class="kind">backorder {_e(backorder.state)}</span>: line {backorder.line_no} '
        f"{_e(backorder.sku)} x {_e(backorder.quantity)} {_e(backorder.uom)} · since "
        f"{_time(backorder.since)}{_waited(backorder.since, now) if waiting else ''}"
        f" · window until {_time(backorder.until)}</li>"
    )


def _waits(view: OrderView, now: datetime | None) -> str:
    items = [_parked_item(step, now) for step in view.attention]
    items += [_backorder_item(b, now) for b in view.backorders if b.state == "waiting"]
    for invoice in view.invoices:
        if invoice.open_amount <= 0:
            continue
        due = f" · due {_e(invoice.due_on.isoformat())}" if invoice.due_on else ""
        items.append(
            f'<li class="wait" data-wait="payment" data-invoice="{_e(invoice.billing_document)}">'
            f'<span class="kind">waiting for payment</span>: invoice '
            f"{_e(invoice.billing_document)} · {_e(invoice.open_amount)} "
            f"{_e(invoice.amount_due.currency)} open{due}</li>"
        )
    if not items:
        return ""
    return (
        '<section class="waiting"><h2>Waiting on</h2>'
        f'<ul class="waits">{"".join(items)}</ul></section>'
    )


def _settled_backorders(backorders: Sequence[Backorder]) -> str:
    """Backorders that wait no more: released to a warehouse, or cancelled (their
    window passed, or the order was cancelled)."""
    items = [
        f'<li class="backorder" data-state="{_e(b.state)}">line {b.line_no} {_e(b.sku)} x '
        f"{_e(b.quantity)} {_e(b.uom)} · {_e(b.state)} · backordered {_time(b.since)}</li>"
        for b in backorders
        if b.state != "waiting"
    ]
    if not items:
        return ""
    return f'<section class="backorders"><h2>Backorders</h2><ul>{"".join(items)}</ul></section>'


def _shipment_tone(status: ShipmentStatus) -> str:
    return "good" if status in _SHIPMENT_GOOD else "bad" if status in _SHIPMENT_BAD else ""


def _lane(shipment: Shipment, rows: Sequence[_Row]) -> str:
    carrier = " ".join(p for p in (shipment.carrier, shipment.service) if p)
    freight = f"{shipment.freight.amount} {shipment.freight.currency}" if shipment.freight else ""
    planned, shipped = _quantities(shipment.lines), _quantities(shipment.shipped_lines)
    facts = _fields(
        [
            ("warehouse", _e(shipment.warehouse)),
            ("status", _badge(shipment.status.value, _shipment_tone(shipment.status))),
            ("carrier", _e(carrier)),
            (
                "tracking",
                f'<span class="tracking">{_e(shipment.tracking_number)}</span>'
                if shipment.tracking_number
                else "",
            ),
            ("freight", _e(freight)),
            ("lines", _e(planned)),
            ("shipped", _e(shipped) if shipped != planned else ""),
            ("reservation", _e(shipment.reservation_id)),
            ("delivery", _e(shipment.delivery_document)),
            ("billing", _e(shipment.billing_document)),
            ("shipped at", _time(shipment.shipped_at) if shipment.shipped_at else ""),
            ("delivered at", _time(shipment.delivered_at) if shipment.delivered_at else ""),
        ]
    )
    events = "".join(
        f'<li class="{_row_class(row.entry)}" data-kind="{_e(row.entry.kind)}"'
        f' data-shipment="{_e(shipment.shipment_id)}"><div class="at">{_time(row.entry.at)}'
        + (f" · +{_e(duration(row.since_previous))}" if row.since_previous is not None else "")
        + f'</div><span class="kind">{_e(_label(row.entry))}</span>'
        f' <span class="muted">{_e(row.entry.source)}</span>'
        f'<div class="detail">{_e(row.entry.detail)}</div></li>'
        for row in rows
    )
    return (
        f'<article class="lane" data-lane="{_e(shipment.shipment_id)}"'
        f' data-status="{_e(shipment.status.value)}"><h3>{_e(shipment.shipment_id)}</h3>'
        f'{facts}<ol class="events">{events or "<li class=none>No events yet.</li>"}</ol>'
        "</article>"
    )


def _lanes(
    shipments: Sequence[Shipment], entries: Sequence[TimelineEntry], owners: Sequence[str]
) -> str:
    if not shipments:
        return '<p class="none">No shipments yet.</p>'
    lanes = []
    for shipment in shipments:
        own = [e for e, owner in zip(entries, owners, strict=True) if owner == shipment.shipment_id]
        lanes.append(_lane(shipment, _rows(own)))
    return f'<div class="lanes">{"".join(lanes)}</div>'


def _undo_steps(records: Sequence[CompensationRecord]) -> str:
    """The undo steps the saga registered and what became of each (`pending`: not
    needed yet; `not_needed`: the goods left, nothing to undo; `done`; `failed`)."""
    if not records:
        return ""
    items = "".join(
        f'<li class="undo" data-step="{_e(r.step)}" data-state="{_e(r.state)}">'
        f'{_e(r.step)} <span class="muted">{_e(r.detail)}</span> · {_e(r.state)}'
        + (f" at {_time(r.at)}" if r.at else "")
        + "</li>"
        for r in records
    )
    return (
        f'<section class="undo-steps"><h2>Undo steps</h2><ul class="undos">{items}</ul></section>'
    )
