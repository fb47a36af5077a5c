"""Warehouse activities: stock, reservations, release to the floor, labels."""

from temporalio import activity

from activities.contracts import (
    CHECK_STOCK,
    HAND_LABEL_TO_WAREHOUSE,
    RECALL_FROM_WAREHOUSE,
    RELEASE_INVENTORY,
    RELEASE_TO_WAREHOUSE,
    RESERVE_INVENTORY,
    CheckStockInput,
    CheckStockResult,
    HandLabelInput,
    ShipmentInput,
    ShipmentStepResult,
)
from activities.errors import rejections_as_application_errors
from adapters.wms.port import ReservationRequest, WmsPort


class WarehouseActivities:
    """Activities that talk to the WMS.

    Args:
        wms: The WMS port (the sandbox over HTTP, or `FakeWms` in unit tests).
    """

    def __init__(self, wms: WmsPort) -> None:
        self._wms = wms

    @activity.defn(name=CHECK_STOCK)
    async def check_stock(self, input: CheckStockInput) -> CheckStockResult:
        with rejections_as_application_errors():
            levels = await self._wms.stock(input.skus)
        return CheckStockResult(levels=levels)

    @activity.defn(name=RESERVE_INVENTORY)
    async def reserve_inventory(self, input: ShipmentInput) -> ShipmentStepResult:
        shipment = input.shipment
        with rejections_as_application_errors():
            reservation = await self._wms.reserve(
                ReservationRequest(
                    shipment_id=shipment.shipment_id,
                    order_id=input.order_id,
                    warehouse=shipment.warehouse,
                    lines=shipment.lines,
                )
            )
        return ShipmentStepResult(shipment_id=reservation.shipment_id, status=reservation.status)

    @activity.defn(name=RELEASE_INVENTORY)
    async def release_inventory(self, input: ShipmentInput) -> ShipmentStepResult:
        with rejections_as_application_errors():
            await self._wms.release_reservation(input.shipment.shipment_id)
        return ShipmentStepResult(shipment_id=input.shipment.shipment_id, status="CANCELLED")

    @activity.defn(name=RELEASE_TO_WAREHOUSE)
    async def release_to_warehouse(self, input: ShipmentInput) -> ShipmentStepResult:
        if input.ship_to is None:
            raise ValueError("release_to_warehouse needs the ship-to address")
        with rejections_as_application_errors():
            await self._wms.release_to_pick(input.shipment.shipment_id, input.ship_to)
        return ShipmentStepResult(shipment_id=input.shipment.shipment_id, status="RELEASED")

    @activity.defn(name=RECALL_FROM_WAREHOUSE)
    async def recall_from_warehouse(self, input: ShipmentInput) -> ShipmentStepResult:
        with rejections_as_application_errors():
            await self._wms.recall(input.shipment.shipment_id)
        return ShipmentStepResult(shipment_id=input.shipment.shipment_id, status="RESERVED")

    @activity.defn(name=HAND_LABEL_TO_WAREHOUSE)
    async def hand_label_to_warehouse(self, input: HandLabelInput) -> ShipmentStepResult:
        with rejections_as_application_errors():
            await self._wms.attach_label(input.shipment_id, input.carrier, input.tracking_number)
        return ShipmentStepResult(shipment_id=input.shipment_id, status="LABELLED")
