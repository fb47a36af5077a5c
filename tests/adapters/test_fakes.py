"""The fakes keep the same contract as the HTTP adapters against the sandbox.

The contract tests run twice: once against the fake, once against the real adapter
and the sandbox app, so a difference between them fails here rather than in a
workflow test that trusted the fake.
"""

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.carrier.fake import FakeCarrier
from adapters.carrier.http import HttpCarrierAdapter
from adapters.carrier.port import CarrierPort, LabelRequest
from adapters.errors import NotFoundError, RejectionError, TransientError
from adapters.tms.fake import DEFAULT_QUOTES, FakeTms
from adapters.tms.http import HttpTmsAdapter
from adapters.tms.port import Quote, QuoteRequest, TmsPort
from adapters.wms.fake import FakeWms
from adapters.wms.http import HttpWmsAdapter
from adapters.wms.port import ReservationRequest, WmsPort
from canonical.address import Address
from canonical.money import Money
from canonical.quantities import UnitOfMeasure
from canonical.shipments import ShipmentLine
from tests.sandbox.harness import (
    ADDRESS,
    SandboxUnderTest,
    fast_settings,
    open_sandbox,
    reservation_body,
)

SHIP_TO = Address.model_validate(ADDRESS)
SEED = {("W1", "TG11"): 500, ("W1", "TG12"): 500, ("W2", "TG11"): 200}


def request(shipment_id: str = "O1-S1", *lines: tuple[str, int]) -> ReservationRequest:
    return ReservationRequest(
        shipment_id=shipment_id,
        order_id="O1",
        warehouse="W1",
        lines=[
            ShipmentLine(line_no=10 * (i + 1), sku=sku, quantity=Decimal(q), uom=UnitOfMeasure.PC)
            for i, (sku, q) in enumerate(lines or [("TG11", 5)])
        ],
    )


def label_request(shipment_id: str = "O1-S1", country: str = "DE") -> LabelRequest:
    return LabelRequest(
        shipment_id=shipment_id,
        order_id="O1",
        ship_from="W1",
        ship_to=Address.model_validate({**ADDRESS, "country": country}),
    )


def quote_request(country: str = "DE", weight_kg: str = "2.5") -> QuoteRequest:
    return QuoteRequest(
        shipment_id="O1-S1",
        ship_from="W1",
        ship_to=Address.model_validate({**ADDRESS, "country": country}),
        weight_kg=Decimal(weight_kg),
    )


@dataclass
class Wms:
    """A WMS under contract test and how to make its floor ship a shipment, or pick
    line 10 of a released one `short` units short."""

    port: WmsPort
    ship: Callable[[str], Awaitable[None]]
    pick_short: Callable[[str, int], Awaitable[None]]


@dataclass
class Carrier:
    """A carrier under contract test and how to have its driver pick a parcel up."""

    port: CarrierPort
    pick_up: Callable[[str], Awaitable[None]]


async def run_floor(sandbox: SandboxUnderTest) -> None:
    t = time.time() + 100
    for step in range(3):
        await sandbox.dispatcher.run_once(now=t + 100 * step)


@pytest.fixture(params=["fake", "sandbox"])
async def wms(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Wms]:
    if request.param == "fake":
        fake = FakeWms(SEED)

        async def advance(shipment_id: str) -> None:
            fake.advance(shipment_id, "SHIPPED")

        async def fake_short(shipment_id: str, short: int) -> None:
            [line] = [x for x in fake.reservations[shipment_id].request.lines if x.line_no == 10]
            fake.short_pick(shipment_id, {10: max(0, int(line.quantity) - short)})

        yield Wms(fake, advance, fake_short)
        return
    async with open_sandbox(fast_settings(tmp_path)) as sandbox:
        layout = [{"warehouse": w, "sku": s, "on_hand": q} for (w, s), q in SEED.items()]
        assert (await sandbox.client.put("/wms/stock", json=layout)).status_code == 200

        async def floor(shipment_id: str) -> None:
            await run_floor(sandbox)

        async def sandbox_short(shipment_id: str, short: int) -> None:
            reservation = (await sandbox.client.get(f"/wms/reservations/{shipment_id}")).json()
            [line] = [x for x in reservation["lines"] if x["line_no"] == 10]
            armed = await sandbox.client.post(
                "/wms/short-picks", json={"sku": line["sku"], "quantity": short}
            )
            assert armed.status_code == 201
            await sandbox.dispatcher.run_once(now=time.time() + 50)  # the pick only

        yield Wms(HttpWmsAdapter(sandbox.client), floor, sandbox_short)


@pytest.fixture(params=["fake", "sandbox"])
async def carrier(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Carrier]:
    if request.param == "fake":
        fake = FakeCarrier()

        async def mark(shipment_id: str) -> None:
            fake.mark_picked_up(shipment_id)

        yield Carrier(fake, mark)
        return
    async with open_sandbox(fast_settings(tmp_path)) as sandbox:
        port = HttpCarrierAdapter(sandbox.client)

        async def ship_it(shipment_id: str) -> None:
            label = await port.buy_label(label_request(shipment_id))
            client = sandbox.client
            await client.put(f"/wms/reservations/{shipment_id}", json=reservation_body())
            await client.post(f"/wms/reservations/{shipment_id}/release", json={"ship_to": ADDRESS})
            await client.put(
                f"/wms/reservations/{shipment_id}/label",
                json={"carrier": label.carrier, "tracking_number": label.tracking_number},
            )
            await run_floor(sandbox)

        yield Carrier(port, ship_it)


# -- the WMS contract --


async def available(port: WmsPort, warehouse: str, sku: str) -> int:
    [level] = [s for s in await port.stock([sku]) if s.warehouse == warehouse]
    return level.available


async def test_stock_lists_what_is_asked(wms: Wms) -> None:
    levels = await wms.port.stock(["TG11"])

    assert [(s.warehouse, s.sku, s.on_hand, s.available) for s in levels] == [
        ("W1", "TG11", 500, 500),
        ("W2", "TG11", 200, 200),
    ]
    assert len(await wms.port.stock([])) == 3


async def test_reserve_is_idempotent(wms: Wms) -> None:
    first = await wms.port.reserve(request("O1-S1", ("TG11", 5), ("TG12", 2)))
    again = await wms.port.reserve(request("O1-S1", ("TG11", 5), ("TG12", 2)))

    assert first == again
    assert (first.shipment_id, first.warehouse, first.status) == ("O1-S1", "W1", "RESERVED")
    assert await available(wms.port, "W1", "TG11") == 495
    assert await available(wms.port, "W1", "TG12") == 498


async def test_insufficient_stock_reserves_nothing(wms: Wms) -> None:
    with pytest.raises(RejectionError) as caught:
        await wms.port.reserve(request("O1-S1", ("TG12", 1), ("TG11", 300), ("TG11", 201)))

    assert caught.value.code == "INSUFFICIENT_STOCK"
    assert "TG11 wanted 501, available 500" in caught.value.message
    assert await available(wms.port, "W1", "TG12") == 500


async def test_unknown_warehouse_is_rejected(wms: Wms) -> None:
    bad = request().model_copy(update={"warehouse": "W9"})

    with pytest.raises(RejectionError) as caught:
        await wms.port.reserve(bad)

    assert caught.value.code == "UNKNOWN_WAREHOUSE"


async def test_release_twice_and_unknown_are_fine(wms: Wms) -> None:
    await wms.port.reserve(request())

    await wms.port.release_reservation("O1-S1")
    await wms.port.release_reservation("O1-S1")
    await wms.port.release_reservation("NEVER")
    await wms.port.recall("NEVER")

    assert await available(wms.port, "W1", "TG11") == 500


async def test_a_released_reservation_can_be_reserved_again(wms: Wms) -> None:
    await wms.port.reserve(request())
    await wms.port.release_reservation("O1-S1")

    again = await wms.port.reserve(request("O1-S1", ("TG11", 7)))

    assert again.status == "RESERVED"
    assert await available(wms.port, "W1", "TG11") == 493


async def test_unknown_shipment_cannot_go_to_the_floor(wms: Wms) -> None:
    with pytest.raises(NotFoundError):
        await wms.port.release_to_pick("NEVER", SHIP_TO)
    with pytest.raises(NotFoundError):
        await wms.port.attach_label("NEVER", "C", "T")


async def test_a_cancelled_shipment_cannot_go_to_the_floor(wms: Wms) -> None:
    await wms.port.reserve(request())
    await wms.port.release_reservation("O1-S1")

    for call in (
        wms.port.release_to_pick("O1-S1", SHIP_TO),
        wms.port.attach_label("O1-S1", "C", "T"),
    ):
        with pytest.raises(RejectionError) as caught:
            await call
        assert caught.value.code == "RESERVATION_CANCELLED"


async def test_shipped_cannot_be_undone_and_consumes_stock(wms: Wms) -> None:
    await wms.port.reserve(request())
    await wms.port.release_to_pick("O1-S1", SHIP_TO)
    await wms.port.release_to_pick("O1-S1", SHIP_TO)
    await wms.port.attach_label("O1-S1", "SANDBOX-PARCEL", "1ZSBX0000000001")
    await wms.ship("O1-S1")

    [level] = [s for s in await wms.port.stock(["TG11"]) if s.warehouse == "W1"]
    assert (level.on_hand, level.available) == (495, 495)
    for call in (wms.port.release_reservation("O1-S1"), wms.port.recall("O1-S1")):
        with pytest.raises(RejectionError) as caught:
            await call
        assert caught.value.code == "ALREADY_SHIPPED"
    await wms.port.attach_label("O1-S1", "SANDBOX-PARCEL", "1ZSBX0000000001")
    with pytest.raises(RejectionError):
        await wms.port.attach_label("O1-S1", "SANDBOX-PARCEL", "1ZSBX0000000002")


async def test_a_short_pick_frees_the_rest_and_ships_what_was_picked(wms: Wms) -> None:
    await wms.port.reserve(request("O1-S1", ("TG11", 5), ("TG12", 2)))
    await wms.port.release_to_pick("O1-S1", SHIP_TO)

    await wms.pick_short("O1-S1", 3)

    # 3 were not on the shelf: the count drops by 3, and 2 stay reserved.
    assert await available(wms.port, "W1", "TG11") == 495
    await wms.port.attach_label("O1-S1", "SANDBOX-PARCEL", "1ZSBX0000000001")
    await wms.ship("O1-S1")
    levels = {(s.sku, s.on_hand, s.available) for s in await wms.port.stock(["TG11", "TG12"])}
    assert ("TG11", 495, 495) in levels
    assert ("TG12", 498, 498) in levels


async def test_nothing_picked_cancels_the_shipment(wms: Wms) -> None:
    await wms.port.reserve(request("O1-S1", ("TG11", 5)))
    await wms.port.release_to_pick("O1-S1", SHIP_TO)

    await wms.pick_short("O1-S1", 5)

    assert await available(wms.port, "W1", "TG11") == 495
    with pytest.raises(RejectionError) as caught:
        await wms.port.attach_label("O1-S1", "SANDBOX-PARCEL", "1ZSBX0000000001")
    assert caught.value.code == "RESERVATION_CANCELLED"
    again = await wms.port.reserve(request("O1-S1", ("TG11", 5)))
    assert again.status == "RESERVED"
    assert await available(wms.port, "W1", "TG11") == 490


# -- the carrier contract --


async def test_buy_is_idempotent(carrier: Carrier) -> None:
    first = await carrier.port.buy_label(label_request())
    again = await carrier.port.buy_label(label_request())

    assert first == again
    assert first.carrier == "SANDBOX-PARCEL"
    assert first.service == "standard"
    assert first.tracking_number.startswith("1ZSBX")
    assert len(first.tracking_number) == 15


async def test_void_twice_then_buy_gives_a_new_label(carrier: Carrier) -> None:
    first = await carrier.port.buy_label(label_request())

    await carrier.port.void_label("O1-S1")
    await carrier.port.void_label("O1-S1")
    await carrier.port.void_label("NEVER")
    second = await carrier.port.buy_label(label_request())

    assert second.tracking_number != first.tracking_number


async def test_unserviceable_country(carrier: Carrier) -> None:
    with pytest.raises(RejectionError) as caught:
        await carrier.port.buy_label(label_request(country="KP"))

    assert caught.value.code == "ADDRESS_NOT_SERVICEABLE"


async def test_void_after_pickup_is_refused(carrier: Carrier) -> None:
    await carrier.port.buy_label(label_request())
    await carrier.pick_up("O1-S1")

    with pytest.raises(RejectionError) as caught:
        await carrier.port.void_label("O1-S1")

    assert caught.value.code == "ALREADY_PICKED_UP"


async def test_the_carrier_and_service_asked_for(carrier: Carrier) -> None:
    acme = label_request("O1-S1").model_copy(update={"carrier": "ACME-PARCEL", "service": "ground"})
    ltl = label_request("O1-S2").model_copy(
        update={"carrier": "ROADRUNNER-FREIGHT", "service": "ltl"}
    )

    acme_label = await carrier.port.buy_label(acme)
    ltl_label = await carrier.port.buy_label(ltl)
    again = await carrier.port.buy_label(label_request("O1-S1"))

    assert (acme_label.carrier, acme_label.service) == ("ACME-PARCEL", "ground")
    assert acme_label.tracking_number.startswith("ACME")
    assert (ltl_label.carrier, ltl_label.service) == ("ROADRUNNER-FREIGHT", "ltl")
    assert ltl_label.tracking_number.startswith("RRF")
    assert again == acme_label  # what was bought, whatever the repeat asks for


@pytest.mark.parametrize(
    ("name", "service"), [("NOPE", "standard"), ("ACME-PARCEL", "ltl"), ("", "ground")]
)
async def test_an_unknown_carrier_or_service(carrier: Carrier, name: str, service: str) -> None:
    bad = label_request().model_copy(update={"carrier": name, "service": service})

    with pytest.raises(RejectionError) as caught:
        await carrier.port.buy_label(bad)

    assert caught.value.code == "UNKNOWN_SERVICE"
    await carrier.port.void_label("O1-S1")  # nothing was bought: nothing to refuse


# -- the TMS contract --


@pytest.fixture(params=["fake", "sandbox"])
async def tms(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TmsPort]:
    if request.param == "fake":
        yield FakeTms()
        return
    async with open_sandbox(fast_settings(tmp_path)) as sandbox:
        yield HttpTmsAdapter(sandbox.client)


async def test_a_parcel_is_quoted_by_every_parcel_service(tms: TmsPort) -> None:
    quotes = await tms.quote(quote_request())

    assert quotes == list(DEFAULT_QUOTES)
    assert quotes == sorted(quotes, key=lambda q: q.price.amount)
    assert await tms.quote(quote_request()) == quotes


async def test_an_unserved_destination_gets_no_quotes(tms: TmsPort) -> None:
    assert await tms.quote(quote_request(country="KP")) == []


# -- what only the fakes do: recording and scripted failures --


async def test_fake_wms_records_calls_and_fails_on_demand() -> None:
    wms = FakeWms(SEED)
    wms.fail_next("reserve", TransientError("down", system="wms"), times=2)

    for _ in range(2):
        with pytest.raises(TransientError):
            await wms.reserve(request())
    assert wms.reservations == {}
    await wms.reserve(request())
    await wms.stock(["TG11", "TG12"])

    assert wms.calls == [
        ("reserve", "O1-S1"),
        ("reserve", "O1-S1"),
        ("reserve", "O1-S1"),
        ("stock", "TG11,TG12"),
    ]
    assert wms.calls_to("stock") == [("stock", "TG11,TG12")]
    assert wms.status_of("O1-S1") == "RESERVED"


async def test_fake_wms_after_effect_is_a_lost_response() -> None:
    wms = FakeWms(SEED)
    wms.fail_next("reserve", TransientError("timeout", system="wms"), after_effect=True)

    with pytest.raises(TransientError):
        await wms.reserve(request())
    retried = await wms.reserve(request())

    assert retried.status == "RESERVED"
    assert wms.available("W1", "TG11") == 495


async def test_fake_wms_label_before_and_after_packing() -> None:
    wms = FakeWms(SEED)
    await wms.reserve(request("A"))
    await wms.reserve(request("B"))
    await wms.release_to_pick("A", SHIP_TO)
    await wms.release_to_pick("B", SHIP_TO)

    await wms.attach_label("A", "C", "T1")  # before packing: kept for later
    wms.advance("B", "PACKED")
    await wms.attach_label("B", "C", "T2")
    await wms.recall("A")

    assert wms.status_of("A") == "RESERVED"
    assert wms.reservations["A"].tracking_number == ""
    assert wms.status_of("B") == "LABELLED"


async def test_fake_rejects_unknown_method_names() -> None:
    with pytest.raises(ValueError, match="reserv"):
        FakeWms().fail_next("reserv", TransientError("x"))
    with pytest.raises(ValueError, match="buy"):
        FakeCarrier().fail_next("buy", TransientError("x"))


async def test_fake_carrier_records_and_fails_on_demand() -> None:
    carrier = FakeCarrier()
    carrier.fail_next("void_label", RejectionError("no", code="X", system="carrier"))
    label = await carrier.buy_label(label_request())

    with pytest.raises(RejectionError):
        await carrier.void_label("O1-S1")
    assert carrier.labels == {"O1-S1": label}
    await carrier.void_label("O1-S1")

    assert carrier.calls == [
        ("buy_label", "O1-S1"),
        ("void_label", "O1-S1"),
        ("void_label", "O1-S1"),
    ]
    assert carrier.labels == {}
    assert carrier.voided == {"O1-S1"}
    assert carrier.voided_labels == [label]
    assert carrier.requests == {}


async def test_fake_tms_records_every_request_and_fails_on_demand() -> None:
    tms = FakeTms()
    tms.fail_next("quote", TransientError("down", system="tms"), times=2)

    for _ in range(2):
        with pytest.raises(TransientError):
            await tms.quote(quote_request())
    quotes = await tms.quote(quote_request(weight_kg="7"))

    assert quotes == list(DEFAULT_QUOTES)
    assert tms.calls == [("quote", "O1-S1")] * 3
    assert tms.calls_to("quote") == tms.calls
    assert [r.weight_kg for r in tms.requests] == [Decimal("2.5"), Decimal("2.5"), Decimal("7")]


async def test_fake_tms_quotes_are_configurable() -> None:
    ltl = Quote(
        carrier="ROADRUNNER-FREIGHT",
        service="ltl",
        mode="ltl",
        price=Money(amount=Decimal("59.00")),
        transit_days=5,
    )
    tms = FakeTms([ltl], unserved_countries=["DE"])

    assert await tms.quote(quote_request(country="FR")) == [ltl]
    assert await tms.quote(quote_request(country="DE")) == []
    tms.quotes = []
    assert await tms.quote(quote_request(country="FR")) == []
    with pytest.raises(ValueError, match="quotes"):
        tms.fail_next("quotes", TransientError("x"))


async def test_fake_tms_returned_lists_are_copies() -> None:
    tms = FakeTms()
    (await tms.quote(quote_request())).clear()

    assert await tms.quote(quote_request()) == list(DEFAULT_QUOTES)


async def test_fake_tms_after_effect_still_raises() -> None:
    tms = FakeTms()
    tms.fail_next("quote", TransientError("lost", system="tms"), after_effect=True)

    with pytest.raises(TransientError):
        await tms.quote(quote_request())
    assert len(tms.requests) == 1


async def test_fake_carrier_services_are_configurable() -> None:
    carrier = FakeCarrier(carrier="OWN", services={"OTHER": ["economy"]})
    own = await carrier.buy_label(label_request("A"))
    other = await carrier.buy_label(
        label_request("B").model_copy(update={"carrier": "OTHER", "service": "economy"})
    )

    assert (own.carrier, own.service, own.tracking_number[:5]) == ("OWN", "standard", "1ZSBX")
    assert (other.carrier, other.service) == ("OTHER", "economy")
    assert carrier.requests["B"].carrier == "OTHER"


async def test_fake_wms_short_pick_checks_its_input() -> None:
    wms = FakeWms(SEED)
    await wms.reserve(request("O1-S1", ("TG11", 5), ("TG12", 2)))
    await wms.release_to_pick("O1-S1", SHIP_TO)

    with pytest.raises(ValueError, match="no line 30"):
        wms.short_pick("O1-S1", {30: 1})
    with pytest.raises(ValueError, match="holds 5"):
        wms.short_pick("O1-S1", {10: 6})
    with pytest.raises(ValueError):
        wms.short_pick("O1-S1", {10: -1})
    with pytest.raises(KeyError):
        wms.short_pick("NEVER", {10: 1})
    assert wms.status_of("O1-S1") == "RELEASED"

    wms.short_pick("O1-S1", {10: 2})

    assert wms.status_of("O1-S1") == "PICKED"
    assert wms.reservations["O1-S1"].picked == {10: Decimal(2), 20: Decimal(2)}
    assert wms.reserved("W1", "TG11") == 2
