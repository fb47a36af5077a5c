"""Carrier activities: buying and voiding labels."""

from temporalio import activity

from activities.contracts import (
    BUY_LABEL,
    VOID_LABEL,
    BuyLabelInput,
    BuyLabelResult,
    ShipmentInput,
    ShipmentStepResult,
)
from activities.errors import rejections_as_application_errors
from adapters.carrier.port import CarrierPort, LabelRequest


class CarrierActivities:
    """Activities that talk to the parcel carrier.

    Args:
        carrier: The carrier port (the sandbox over HTTP, or `FakeCarrier`).
    """

    def __init__(self, carrier: CarrierPort) -> None:
        self._carrier = carrier

    @activity.defn(name=BUY_LABEL)
    async def buy_label(self, input: BuyLabelInput) -> BuyLabelResult:
        with rejections_as_application_errors():
            label = await self._carrier.buy_label(
                LabelRequest(
                    shipment_id=input.shipment.shipment_id,
                    order_id=input.order_id,
                    ship_from=input.shipment.warehouse,
                    ship_to=input.ship_to,
                    carrier=input.carrier,
                    service=input.service or "standard",
                )
            )
        return BuyLabelResult(
            label_id=label.label_id,
            carrier=label.carrier,
            service=label.service,
            tracking_number=label.tracking_number,
        )

    @activity.defn(name=VOID_LABEL)
    async def void_label(self, input: ShipmentInput) -> ShipmentStepResult:
        with rejections_as_application_errors():
            await self._carrier.void_label(input.shipment.shipment_id)
        return ShipmentStepResult(shipment_id=input.shipment.shipment_id, status="VOIDED")
