"""Listing orders from Temporal's visibility store by their search attributes: one
visibility call per page, no query to any order."""

import re
from collections.abc import Collection
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from temporalio.client import Client

from canonical.orders import Channel
from canonical.statuses import OrderStatus
from workflows.contracts import ORDER_TO_CASH_WORKFLOW

ORDER_PREFIX = "order-"
# What a customer id in a query may look like (as `GET /orders?customer_id=` checks).
_CUSTOMER_ID = re.compile(r"[A-Za-z0-9]{1,20}")


class OrderSummary(BaseModel):
    """One line of `GET /orders`: what the search attributes say."""

    order_id: str
    status: OrderStatus | None = None
    customer_id: str = ""
    channel: str = ""
    erp_order_id: str = ""
    needs_attention_reason: str = ""
    started_at: datetime | None = None


def visibility_query(
    status: OrderStatus | None,
    customer_id: str | None,
    channel: Channel | None,
    *,
    within: Collection[str] | None = None,
) -> str:
    """The Temporal list filter for these criteria; the same string works in the
    Temporal UI and in `temporal workflow list --query`. `within` keeps the list to
    those customers (a portal's), `CustomerId IN (...)`.

    Values come validated (an enum, or customer ids of letters and digits, checked
    again here), so nothing can be injected.

    Raises:
        ValueError: A customer id that is not letters and digits, or an empty `within`.
    """
    clauses = [f"WorkflowType = '{ORDER_TO_CASH_WORKFLOW}'"]
    if status is not None:
        clauses.append(f"OrderStatus = '{status.value}'")
    if customer_id:
        clauses.append(f"CustomerId = '{_safe_customer(customer_id)}'")
    if within is not None:
        if not within:
            raise ValueError("within: no customers to list orders of")
        listed = ", ".join(f"'{_safe_customer(c)}'" for c in sorted(within))
        clauses.append(f"CustomerId IN ({listed})")
    if channel is not None:
        clauses.append(f"Channel = '{channel.value}'")
    return " AND ".join(clauses)


def _safe_customer(customer_id: str) -> str:
    if not _CUSTOMER_ID.fullmatch(customer_id):
        raise ValueError(f"not a customer id: {customer_id!r}")
    return customer_id


async def list_orders(client: Client, query: str, limit: int) -> list[OrderSummary]:
    found: list[OrderSummary] = []
    async for execution in client.list_workflows(query, limit=limit):
        attributes: dict[str, Any] = {
            name: values[0] if values else ""
            for name, values in execution.search_attributes.items()
        }
        status = str(attributes.get("OrderStatus") or "")
        found.append(
            OrderSummary(
                order_id=execution.id.removeprefix(ORDER_PREFIX),
                status=OrderStatus(status) if status in OrderStatus.__members__ else None,
                customer_id=str(attributes.get("CustomerId", "")),
                channel=str(attributes.get("Channel", "")),
                erp_order_id=str(attributes.get("ErpOrderId", "")),
                needs_attention_reason=str(attributes.get("NeedsAttentionReason", "")),
                started_at=execution.start_time,
            )
        )
    return found
