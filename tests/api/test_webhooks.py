"""POST /webhooks/{source}: signed, deduplicated events moving orders along."""

import json
import uuid

from canonical.signing import SIGNATURE_HEADER, sign
from canonical.statuses import OrderStatus, ShipmentStatus
from canonical.view import OrderView
from tests.api.support import (
    CARRIER_SECRET,
    WMS_SECRET,
    ApiHarness,
    accepted,
    event_body,
    eventually,
    has_status,
    new_order_id,
    post_event,
    released,
    send,
    timeline_with,
    until,
    view_of,
)
from tests.workflows.support import pay_invoices
from workflows.contracts import order_workflow_id


def labelled(view: OrderView) -> bool:
    return view.shipments[0].status is ShipmentStatus.LABELLED


async def test_a_packed_event_buys_the_label(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    await released(api.http, order_id)
    shipment_id = f"{order_id}-S1"
    event_id = f"evt-{uuid.uuid4().hex}"

    response = await post_event(api.http, event_body(order_id, "packed", event_id=event_id))

    assert response.status_code == 202, response.text
    assert response.json() == {"status": "accepted", "event_id": event_id}
    view = await until(api.http, order_id, labelled)
    label = api.stack.carrier.labels[shipment_id]
    assert view.shipments[0].tracking_number == label.tracking_number
    # The label is then handed to the warehouse.
    reservation = api.stack.wms.reservations[shipment_id]
    await eventually(lambda: reservation.tracking_number == label.tracking_number)
    assert timeline_with(view, event_id) == ["SHIPMENT_PACKED"]
    (row,) = api.inbox.received(order_id)
    assert (row.source, row.event_id, row.kind, row.outcome) == (
        "wms",
        event_id,
        "packed",
        "accepted",
    )


async def test_the_same_event_twice_is_a_duplicate(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    await released(api.http, order_id)
    event_id = f"{order_id}-evt"
    body = event_body(order_id, "packed", event_id=event_id)
    first = await post_event(api.http, body)
    assert first.status_code == 202, first.text
    await until(api.http, order_id, labelled)

    again = await post_event(api.http, body)

    assert again.status_code == 200, again.text
    assert again.json() == {"status": "duplicate", "event_id": event_id}
    view = await view_of(api.http, order_id)
    assert timeline_with(view, event_id) == ["SHIPMENT_PACKED"]
    assert len(api.stack.carrier.calls) == 1
    assert len(api.inbox.received(order_id)) == 1


async def test_a_bad_signature_is_401_and_records_nothing(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    await released(api.http, order_id)
    event_id = f"evt-{uuid.uuid4().hex}"
    body = event_body(order_id, "packed", event_id=event_id)

    forged = await post_event(api.http, body, secret="not-the-secret")
    other_source = await post_event(api.http, body, secret=CARRIER_SECRET)
    unsigned = await post_event(api.http, body, secret=None)

    for response in (forged, other_source, unsigned):
        assert response.status_code == 401, response.text
        assert "X-Ordermesh-Signature" in response.json()["detail"]
    assert api.inbox.received(order_id) == []
    view = await view_of(api.http, order_id)
    assert timeline_with(view, event_id) == []
    assert view.shipments[0].status is ShipmentStatus.RELEASED
    assert api.stack.carrier.calls == []

    # The refused event was not taken for seen: sent correctly, it goes through.
    signed = await post_event(api.http, body, secret=WMS_SECRET)
    assert signed.status_code == 202, signed.text
    view = await until(api.http, order_id, labelled)
    assert timeline_with(view, event_id) == ["SHIPMENT_PACKED"]


async def test_a_signature_over_another_body_is_401(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    signed_for = event_body(order_id, "packed", event_id="evt-a")
    tampered = signed_for.replace(b"packed", b"delivered")
    response = await api.http.post(
        "/webhooks/wms",
        content=tampered,
        headers={SIGNATURE_HEADER: sign(WMS_SECRET, signed_for)},
    )

    assert response.status_code == 401, response.text
    assert api.inbox.received(order_id) == []


async def test_an_unknown_source_is_404(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    body = event_body(order_id, "packed", source="erp")

    response = await post_event(api.http, body, source="erp", secret=WMS_SECRET)

    assert response.status_code == 404, response.text
    assert "erp" in response.json()["detail"]
    assert api.inbox.received(order_id) == []


async def test_a_body_that_is_not_an_event_is_422(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    bodies = [
        b'{"event_id": "evt-1", "kind": "packed"',  # not even JSON
        b'{"event_id": "evt-1", "source": "wms", "order_id": "X"}',  # no kind
        event_body(order_id, "teleported"),  # no such kind
        b"[]",
    ]
    for body in bodies:
        response = await post_event(api.http, body)

        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"].startswith("not an event: ")
    assert api.inbox.received(order_id) == []
    assert api.inbox.received("X") == []


async def test_an_event_for_an_unknown_order_is_404(api: ApiHarness) -> None:
    order_id = new_order_id()

    response = await post_event(api.http, event_body(order_id, "packed"))

    assert response.status_code == 404, response.text
    assert response.json() == {"detail": f"no order {order_id}"}
    assert [row.outcome for row in api.inbox.received(order_id)] == ["unknown_order"]


async def test_an_event_for_an_unknown_shipment_is_404(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    await released(api.http, order_id)
    body = event_body(order_id, "packed", shipment_id=f"{order_id}-S9")

    response = await post_event(api.http, body)

    assert response.status_code == 404, response.text
    assert f"{order_id}-S9" in response.json()["detail"]
    view = await view_of(api.http, order_id)
    assert view.shipments[0].status is ShipmentStatus.RELEASED
    assert [row.outcome for row in api.inbox.received(order_id)] == ["unknown_shipment"]
    assert api.stack.carrier.calls == []


async def test_an_event_for_a_cancelled_order_is_order_closed(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    await released(api.http, order_id)
    assert (await api.http.post(f"/orders/{order_id}/cancel")).status_code == 202
    await until(api.http, order_id, has_status(OrderStatus.CANCELLED))
    event_id = f"evt-{uuid.uuid4().hex}"

    response = await post_event(api.http, event_body(order_id, "packed", event_id=event_id))

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "order_closed", "event_id": event_id}
    assert api.stack.carrier.calls == []
    assert [row.outcome for row in api.inbox.received(order_id)] == ["order_closed"]


async def test_events_take_an_order_to_completed_and_then_it_is_closed(
    api: ApiHarness,
) -> None:
    order_id = await accepted(api.http)
    await released(api.http, order_id)
    await send(api.http, order_id, "packed")
    view = await until(api.http, order_id, labelled)
    await send(api.http, order_id, "shipped", tracking_number=view.shipments[0].tracking_number)
    await until(api.http, order_id, has_status(OrderStatus.INVOICED))
    await send(api.http, order_id, "in_transit", source="carrier")
    await send(api.http, order_id, "delivered", source="carrier")
    await until(api.http, order_id, lambda v: v.shipments[0].status is ShipmentStatus.DELIVERED)
    await pay_invoices(api.stack.client.get_workflow_handle(order_workflow_id(order_id)))
    view = await until(api.http, order_id, has_status(OrderStatus.COMPLETED))
    assert len(api.stack.erp.billing_documents) == 1
    assert view.shipments[0].status is ShipmentStatus.DELIVERED

    late = await post_event(
        api.http,
        event_body(order_id, "delivered", source="carrier"),
        source="carrier",
        secret=CARRIER_SECRET,
    )

    assert late.status_code == 200, late.text
    assert late.json()["status"] == "order_closed"
    assert [row.outcome for row in api.inbox.received(order_id)][-1] == "order_closed"


async def test_the_url_not_the_body_names_the_source(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    await released(api.http, order_id)
    event_id = f"evt-{uuid.uuid4().hex}"
    # Signed with the WMS secret, so it is the WMS speaking whatever the body claims.
    body = event_body(order_id, "picked", event_id=event_id, source="carrier")

    response = await post_event(api.http, body, source="wms", secret=WMS_SECRET)

    assert response.status_code == 202, response.text
    view = await until(api.http, order_id, lambda v: bool(timeline_with(v, event_id)))
    (entry,) = [e for e in view.timeline if e.event_id == event_id]
    assert (entry.kind, entry.source) == ("SHIPMENT_PICKED", "wms")
    assert [row.source for row in api.inbox.received(order_id)] == ["wms"]


async def test_a_refused_event_sent_again_is_refused_again(api: ApiHarness) -> None:
    order_id = new_order_id()
    body = event_body(order_id, "packed", event_id=f"evt-{order_id}")

    first = await post_event(api.http, body)
    again = await post_event(api.http, body)

    assert (first.status_code, again.status_code) == (404, 404)
    assert [row.outcome for row in api.inbox.received(order_id)] == ["unknown_order"]


async def test_an_event_without_a_source_takes_it_from_the_url(api: ApiHarness) -> None:
    order_id = await accepted(api.http)
    await released(api.http, order_id)
    event = json.loads(event_body(order_id, "picked"))
    del event["source"]
    body = json.dumps(event).encode()

    response = await post_event(api.http, body)

    assert response.status_code == 202, response.text
    view = await until(
        api.http, order_id, lambda v: "SHIPMENT_PICKED" in [e.kind for e in v.timeline]
    )
    assert next(e.source for e in view.timeline if e.kind == "SHIPMENT_PICKED") == "wms"
