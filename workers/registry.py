"""Which workflows and activities run on which task queue."""

from collections.abc import Callable, Sequence
from typing import Any

from activities.carrier import CarrierActivities
from activities.cash import CashActivities
from activities.erp import ErpActivities
from activities.returns import ReturnActivities
from activities.transport import TransportActivities
from activities.warehouse import WarehouseActivities
from workflows.cash_application import CashApplicationWorkflow
from workflows.cash_decision import CashDecisionWorkflow
from workflows.order_to_cash import OrderToCashWorkflow
from workflows.partner_documents import PartnerDocumentsWorkflow
from workflows.return_flow import ReturnWorkflow
from workflows.shipment import ShipmentWorkflow

WORKFLOWS: Sequence[type] = (
    OrderToCashWorkflow,
    ShipmentWorkflow,
    CashApplicationWorkflow,
    CashDecisionWorkflow,
    ReturnWorkflow,
    PartnerDocumentsWorkflow,
)


def order_queue_activities(
    warehouse: WarehouseActivities,
    carrier: CarrierActivities,
    transport: TransportActivities,
    cash: CashActivities,
    returns: ReturnActivities,
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
        cash.read_bank_credits,
        returns.authorize_return,
        returns.settle_return,
        returns.buy_return_label,
        returns.void_return_label,
        returns.restock_returned,
        returns.scrap_returned,
    ]


def erp_lookup_activities(erp: ErpActivities) -> list[Callable[..., Any]]:
    """The verdict, on a queue of its own: mostly answered from the lookup cache, it
    must not wait behind the ERP writes (its SAP requests keep to the same budget)."""
    return [erp.validate_order]


def erp_queue_activities(
    erp: ErpActivities, cash: CashActivities, returns: ReturnActivities
) -> list[Callable[..., Any]]:
    """Everything that calls the ERP but the verdict, cash application's ERP steps
    included, so the one rate limit covers them all."""
    return [
        erp.create_sales_order,
        erp.cancel_sales_order,
        erp.create_billing_document,
        erp.create_outbound_delivery,
        erp.reject_order_items,
        cash.decide_cash,
        cash.decide_unapplied_cash,
        cash.post_cash_to_erp,
        returns.create_returns_order,
        returns.cancel_returns_order,
        returns.credit_return,
    ]
