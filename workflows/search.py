"""Publishing an order's search attributes, only when they change (each upsert is a
history event)."""

from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from workflows.allocation import Allocation
    from workflows.order_state import OrderState

ORDER_STATUS = SearchAttributeKey.for_keyword("OrderStatus")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
CHANNEL = SearchAttributeKey.for_keyword("Channel")
ERP_ORDER_ID = SearchAttributeKey.for_keyword("ErpOrderId")
NEEDS_ATTENTION_REASON = SearchAttributeKey.for_keyword("NeedsAttentionReason")
WAREHOUSE = SearchAttributeKey.for_keyword_list("Warehouse")
BACKORDERED_SKUS = SearchAttributeKey.for_keyword_list("BackorderedSkus")


def publish(state: OrderState, allocation: Allocation) -> None:
    view = state.view
    keywords = {
        ORDER_STATUS: view.status.value,
        CUSTOMER_ID: view.customer_id,
        CHANNEL: view.channel.value,
        ERP_ORDER_ID: view.erp_order_id,
        NEEDS_ATTENTION_REASON: "; ".join(p.reason for p in view.attention),
    }
    lists = {
        WAREHOUSE: sorted({s.warehouse for s in view.shipments}),
        BACKORDERED_SKUS: allocation.backordered_skus(),
    }
    updates: list[SearchAttributeUpdate[Any]] = []
    for key, value in keywords.items():
        if state.published.get(key.name) != value:
            updates.append(key.value_set(value))
            state.published[key.name] = value
    for list_key, values in lists.items():
        if state.published.get(list_key.name) != values:
            updates.append(list_key.value_set(values))
            state.published[list_key.name] = values
    if updates:
        workflow.upsert_search_attributes(updates)
