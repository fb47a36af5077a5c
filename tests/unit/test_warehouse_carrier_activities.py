"""Warehouse and carrier activities over `FakeWms` and `FakeCarrier`."""

from decimal import Decimal

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.carrier import CarrierActivities
from activities.contracts import (
    BuyLabelInput,
    CheckStockInput,
    HandLabelInput,
    ShipmentInput,
)
from activities.warehouse import WarehouseActivities
from adapters.carrier.fake import FakeCarrier
from adapters.errors import TransientError
from adapters.wms.fake import FakeWms
from adapters.wms.port import StockLevel
from canonical.quantities import UnitOfMeasure
from canonical.shipments import Shipment, ShipmentLine
from tests.unit.builders import SHIP_TO

SHIPMENT = Shipment(
    shipment_id="ORD-1-S1",
    warehouse="W1",
    lines=[
        ShipmentLine(line_no=10, sku="TG11", quantity=Decimal(5), uom=UnitOfMeasure.PC),
        ShipmentLine(line_no=20, sku="TG12", quantity=Decimal(2), uom=UnitOfMeasure.PC),
    ],
)
ON_SHIPMENT = ShipmentInput(order_id="ORD-1", shipment=SHIPMENT, ship_to=SHIP_TO)


@pytest.fixture
def env() -> ActivityEnvironment:
    return ActivityEnvironment()


@pytest.fixture
def wms() -> FakeWms:
    return FakeWms({("W1", "TG11"): 10, ("W1", "TG12"): 2, ("W2", "TG11"): 1})


@pytest.fixture
def warehouse(wms: FakeWms) -> WarehouseActivities:
    return WarehouseActivities(wms)


@pytest.fixture
def carrier() -> FakeCarrier:
    return FakeCarrier()


@pytest.fixture
def labels(carrier: FakeCarrier) -> CarrierActivities:
    return CarrierActivities(carrier)


async def test_check_stock(
    env: ActivityEnvironment, warehouse: WarehouseActivities, wms: FakeWms
) -> None:
    result = await env.run(warehouse.check_stock, CheckStockInput(skus=["TG11"]))

    assert result.levels == [
        StockLevel(warehouse="W1", sku="TG11", on_hand=10, available=10),
        StockLevel(warehouse="W2", sku="TG11", on_hand=1, available=1),
    ]
    assert wms.calls == [("stock", "TG11")]


async def test_reserve_holds_the_shipment_lines_under_the_shipment_id(
    env: ActivityEnvironment, warehouse: WarehouseActivities, wms: FakeWms
) -> None:
    result = await env.run(warehouse.reserve_inventory, ON_SHIPMENT)

    assert (result.shipment_id, result.status) == ("ORD-1-S1", "RESERVED")
    assert wms.calls == [("reserve", "ORD-1-S1")]
    request = wms.reservations["ORD-1-S1"].request
    assert (request.order_id, request.warehouse, request.lines) == ("ORD-1", "W1", SHIPMENT.lines)
    assert wms.available("W1", "TG11") == 5


async def test_reserve_short_is_a_non_retryable_insufficient_stock(
    env: ActivityEnvironment, warehouse: WarehouseActivities, wms: FakeWms
) -> None:
    wms.set_stock("W1", "TG12", 1)

    with pytest.raises(ApplicationError) as caught:
        await env.run(warehouse.reserve_inventory, ON_SHIPMENT)

    assert (caught.value.type, caught.value.non_retryable) == ("INSUFFICIENT_STOCK", True)
    assert wms.reservations == {}


async def test_a_transient_wms_error_propagates_unchanged(
    env: ActivityEnvironment, warehouse: WarehouseActivities, wms: FakeWms
) -> None:
    boom = TransientError("502", system="wms")
    wms.fail_next("reserve", boom)

    with pytest.raises(TransientError) as caught:
        await env.run(warehouse.reserve_inventory, ON_SHIPMENT)

    assert caught.value is boom


async def test_release_inventory(
    env: ActivityEnvironment, warehouse: WarehouseActivities, wms: FakeWms
) -> None:
    await env.run(warehouse.reserve_inventory, ON_SHIPMENT)

    result = await env.run(warehouse.release_inventory, ON_SHIPMENT)

    assert (result.shipment_id, result.status) == ("ORD-1-S1", "CANCELLED")
    assert wms.calls_to("release_reservation") == [("release_reservation", "ORD-1-S1")]
    assert wms.status_of("ORD-1-S1") == "CANCELLED"
    assert wms.available("W1", "TG11") == 10


async def test_release_inventory_after_shipping_is_refused(
    env: ActivityEnvironment, warehouse: WarehouseActivities, wms: FakeWms
) -> None:
    await env.run(warehouse.reserve_inventory, ON_SHIPMENT)
    wms.advance("ORD-1-S1", "SHIPPED")

    with pytest.raises(ApplicationError) as caught:
        await env.run(warehouse.release_inventory, ON_SHIPMENT)

    assert caught.value.type == "ALREADY_SHIPPED"


async def test_release_to_warehouse_passes_the_ship_to(
    env: ActivityEnvironment, warehouse: WarehouseActivities, wms: FakeWms
) -> None:
    await env.run(warehouse.reserve_inventory, ON_SHIPMENT)

    result = await env.run(warehouse.release_to_warehouse, ON_SHIPMENT)

    assert (result.shipment_id, result.status) == ("ORD-1-S1", "RELEASED")
    assert wms.calls_to("release_to_pick") == [("release_to_pick", "ORD-1-S1")]
    assert wms.reservations["ORD-1-S1"].ship_to == SHIP_TO


async def test_release_to_warehouse_needs_a_ship_to(
    env: ActivityEnvironment, warehouse: WarehouseActivities, wms: FakeWms
) -> None:
    no_address = ON_SHIPMENT.model_copy(update={"ship_to": None})

    with pytest.raises(ValueError, match="ship-to"):
        await env.run(warehouse.release_to_warehouse, no_address)

    assert wms.calls == []


async def test_release_of_an_unknown_shipment_is_not_found(
    env: ActivityEnvironment, warehouse: WarehouseActivities
) -> None:
    with pytest.raises(ApplicationError) as caught:
        await env.run(warehouse.release_to_warehouse, ON_SHIPMENT)

    assert (caught.value.type, caught.value.non_retryable) == ("NOT_FOUND", True)


async def test_recall_from_warehouse(
    env: ActivityEnvironment, warehouse: WarehouseActivities, wms: FakeWms
) -> None:
    await env.run(warehouse.reserve_inventory, ON_SHIPMENT)
    await env.run(warehouse.release_to_warehouse, ON_SHIPMENT)

    result = await env.run(warehouse.recall_from_warehouse, ON_SHIPMENT)

    assert (result.shipment_id, result.status) == ("ORD-1-S1", "RESERVED")
    assert wms.calls_to("recall") == [("recall", "ORD-1-S1")]
    assert wms.status_of("ORD-1-S1") == "RESERVED"


async def test_hand_label_to_warehouse(
    env: ActivityEnvironment, warehouse: WarehouseActivities, wms: FakeWms
) -> None:
    await env.run(warehouse.reserve_inventory, ON_SHIPMENT)
    wms.advance("ORD-1-S1", "PACKED")

    result = await env.run(
        warehouse.hand_label_to_warehouse,
        HandLabelInput(shipment_id="ORD-1-S1", carrier="SANDBOX-PARCEL", tracking_number="1Z1"),
    )

    assert (result.shipment_id, result.status) == ("ORD-1-S1", "LABELLED")
    assert wms.calls_to("attach_label") == [("attach_label", "ORD-1-S1")]
    reservation = wms.reservations["ORD-1-S1"]
    assert (reservation.status, reservation.carrier, reservation.tracking_number) == (
        "LABELLED",
        "SANDBOX-PARCEL",
        "1Z1",
    )


async def test_buy_label(
    env: ActivityEnvironment, labels: CarrierActivities, carrier: FakeCarrier
) -> None:
    result = await env.run(
        labels.buy_label, BuyLabelInput(order_id="ORD-1", shipment=SHIPMENT, ship_to=SHIP_TO)
    )

    label = carrier.labels["ORD-1-S1"]
    assert (result.label_id, result.carrier, result.service, result.tracking_number) == (
        label.label_id,
        "SANDBOX-PARCEL",
        "standard",
        label.tracking_number,
    )
    assert carrier.calls == [("buy_label", "ORD-1-S1")]
    request = carrier.requests["ORD-1-S1"]
    assert (request.order_id, request.ship_from, request.ship_to) == ("ORD-1", "W1", SHIP_TO)


async def test_buy_label_twice_returns_the_same_label(
    env: ActivityEnvironment, labels: CarrierActivities
) -> None:
    data = BuyLabelInput(order_id="ORD-1", shipment=SHIPMENT, ship_to=SHIP_TO)

    first = await env.run(labels.buy_label, data)
    again = await env.run(labels.buy_label, data)

    assert again == first


async def test_buy_label_for_an_unserved_country_is_rejected(
    env: ActivityEnvironment, labels: CarrierActivities
) -> None:
    far = SHIP_TO.model_copy(update={"country": "KP"})

    with pytest.raises(ApplicationError) as caught:
        await env.run(
            labels.buy_label, BuyLabelInput(order_id="ORD-1", shipment=SHIPMENT, ship_to=far)
        )

    assert (caught.value.type, caught.value.non_retryable) == ("ADDRESS_NOT_SERVICEABLE", True)


async def test_a_transient_carrier_error_propagates_unchanged(
    env: ActivityEnvironment, labels: CarrierActivities, carrier: FakeCarrier
) -> None:
    boom = TransientError("timeout", system="carrier")
    carrier.fail_next("buy_label", boom)

    with pytest.raises(TransientError) as caught:
        await env.run(
            labels.buy_label, BuyLabelInput(order_id="ORD-1", shipment=SHIPMENT, ship_to=SHIP_TO)
        )

    assert caught.value is boom


async def test_void_label(
    env: ActivityEnvironment, labels: CarrierActivities, carrier: FakeCarrier
) -> None:
    await env.run(
        labels.buy_label, BuyLabelInput(order_id="ORD-1", shipment=SHIPMENT, ship_to=SHIP_TO)
    )

    result = await env.run(labels.void_label, ON_SHIPMENT)

    assert (result.shipment_id, result.status) == ("ORD-1-S1", "VOIDED")
    assert carrier.calls_to("void_label") == [("void_label", "ORD-1-S1")]
    assert carrier.voided == {"ORD-1-S1"}
    assert carrier.labels == {}


async def test_void_label_after_pickup_is_refused(
    env: ActivityEnvironment, labels: CarrierActivities, carrier: FakeCarrier
) -> None:
    await env.run(
        labels.buy_label, BuyLabelInput(order_id="ORD-1", shipment=SHIPMENT, ship_to=SHIP_TO)
    )
    carrier.mark_picked_up("ORD-1-S1")

    with pytest.raises(ApplicationError) as caught:
        await env.run(labels.void_label, ON_SHIPMENT)

    assert caught.value.type == "ALREADY_PICKED_UP"
    assert "ORD-1-S1" in carrier.labels
