"""Which workflows and activities run on which task queue, and which outside system
each activity talks to (what the step metrics are labelled by)."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from activities.carrier import CarrierActivities
from activities.cash import CashActivities
from activities.cash_contracts import (
    DECIDE_CASH,
    DECIDE_UNAPPLIED_CASH,
    POST_CASH_TO_ERP,
    READ_BANK_CREDITS,
)
from activities.contracts import (
    BUY_LABEL,
    CANCEL_SALES_ORDER,
    CHECK_STOCK,
    CREATE_BILLING_DOCUMENT,
    CREATE_OUTBOUND_DELIVERY,
    CREATE_SALES_ORDER,
    HAND_LABEL_TO_WAREHOUSE,
    RATE_SHOP,
    RECALL_FROM_WAREHOUSE,
    REJECT_ORDER_ITEMS,
    RELEASE_INVENTORY,
    RELEASE_TO_WAREHOUSE,
    RESERVE_INVENTORY,
    VALIDATE_ORDER,
    VOID_LABEL,
)
from activities.erp import ErpActivities
from activities.return_contracts import (
    AUTHORIZE_RETURN,
    BUY_RETURN_LABEL,
    CANCEL_RETURNS_ORDER,
    CREATE_RETURNS_ORDER,
    CREDIT_RETURN,
    RESTOCK_RETURNED,
    SCRAP_RETURNED,
    SETTLE_RETURN,
    VOID_RETURN_LABEL,
)
from activities.returns import ReturnActivities
from activities.transport import TransportActivities
from activities.warehouse import WarehouseActivities
from workflows.cash_application import CashApplicationWorkflow
from workflows.cash_decision import CashDecisionWorkflow
from workflows.edi_contracts import SEND_PARTNER_DOCUMENT
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

# The system each activity talks to, by activity type. By name rather than by class:
# cash and returns activities reach several systems. `ordermesh` means only our own
# ledgers and workflows. tests/workers/test_registry.py checks that every activity the
# workers register is here, and nothing else.
ACTIVITY_SYSTEMS: Mapping[str, str] = {
    VALIDATE_ORDER: "erp",
    CREATE_SALES_ORDER: "erp",
    CANCEL_SALES_ORDER: "erp",
    CREATE_BILLING_DOCUMENT: "erp",
    CREATE_OUTBOUND_DELIVERY: "erp",
    REJECT_ORDER_ITEMS: "erp",
    DECIDE_CASH: "erp",  # the open receivables it matches against
    DECIDE_UNAPPLIED_CASH: "erp",
    POST_CASH_TO_ERP: "erp",
    CREATE_RETURNS_ORDER: "erp",
    CANCEL_RETURNS_ORDER: "erp",
    CREDIT_RETURN: "erp",
    CHECK_STOCK: "wms",
    RESERVE_INVENTORY: "wms",
    RELEASE_INVENTORY: "wms",
    RELEASE_TO_WAREHOUSE: "wms",
    RECALL_FROM_WAREHOUSE: "wms",
    HAND_LABEL_TO_WAREHOUSE: "wms",
    RESTOCK_RETURNED: "wms",
    SCRAP_RETURNED: "wms",
    BUY_LABEL: "carrier",
    VOID_LABEL: "carrier",
    BUY_RETURN_LABEL: "carrier",
    VOID_RETURN_LABEL: "carrier",
    RATE_SHOP: "tms",
    READ_BANK_CREDITS: "bank",
    SEND_PARTNER_DOCUMENT: "edi",
    AUTHORIZE_RETURN: "ordermesh",  # the order's view and the returns ledger
    SETTLE_RETURN: "ordermesh",
}


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
