"""Which workflows and activities run on which task queue."""

from collections.abc import Callable, Sequence
from typing import Any

from activities.carrier import CarrierActivities
from activities.erp import ErpActivities
from activities.transport import TransportActivities
from activities.warehouse import WarehouseActivities
from workflows.order_to_cash import OrderToCashWorkflow
from workflows.shipment import ShipmentWorkflow

WORKFLOWS: Sequence[type] = (OrderToCashWorkflow, ShipmentWorkflow)


def order_queue_activities(
    warehouse: WarehouseActivities, carrier: CarrierActivities, transport: TransportActivities
) -> list[Callable[..., Any]]:
    return [
        transport.rate_shop,
        warehouse.check_stock,
        warehouse.reserve_inventory,
        warehouse.release_inventory,
        warehouse.release_to_warehouse,
        warehouse.recall_from_warehouse,
        warehouse.hand_label_to_warehouse,
        carrier.buy_label,
        carrier.void_label,
    ]


def erp_queue_activities(erp: ErpActivities) -> list[Callable[..., Any]]:
    return [
        erp.validate_order,
        erp.create_sales_order,
        erp.cancel_sales_order,
        erp.create_billing_document,
        erp.create_outbound_delivery,
        erp.reject_order_items,
    ]
