"""Events: the timeline of an order and the events execution systems send."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class TimelineEntry(BaseModel):
    """One thing that happened to an order.

    Attributes:
        kind: What happened, e.g. `ACCEPTED`, `SALES_ORDER_CREATED`, `COMPENSATED`.
        source: The system it came from: `ordermesh`, `erp`, `wms`, `carrier`, `api`.
        correlation_id: The order id; the same on every entry, so entries can be
            joined with logs and traces.
        event_id: The id of the outside event this entry records, when there is one;
            an event id appears on the timeline at most once.
    """

    model_config = ConfigDict(frozen=True)

    at: datetime
    kind: str
    source: str
    correlation_id: str
    detail: str = ""
    event_id: str | None = None


class ExecutionEventKind(StrEnum):
    STOCK_RECEIVED = "stock_received"
    RELEASED = "released"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURN_RECEIVED = "return_received"


class EventLine(BaseModel):
    """A quantity an event reports: picked or shipped for a shipment line (`line_no`
    is the order line), or received for a SKU (`line_no` 0)."""

    model_config = ConfigDict(frozen=True)

    line_no: int = Field(default=0, ge=0)
    sku: str = Field(min_length=1, max_length=40)
    quantity: Decimal = Field(ge=0)
    # For `return_received`: what inspection at the dock found (`sellable` or
    # `damaged`); empty elsewhere.
    condition: str = Field(default="", max_length=20)


class ExecutionEvent(BaseModel):
    """An event from a warehouse, transport system or carrier, normalised.

    Attributes:
        event_id: The sender's id; the same event sent twice carries the same id.
        order_id: Our order id, which we handed the sender as its reference.
        shipment_id: Our shipment id (`<order_id>-S1`, ...).
        source: Who sent it; the receiving endpoint sets it from its URL.
        lines: For `picked` and `shipped`, the quantities per shipment line (less
            than planned on a short pick); for `stock_received`, what arrived.
            Empty means "as planned".
        warehouse: For `stock_received`, where the stock arrived.
        rma_id: For `return_received`, the return it is for (its lines say what came
            back, and in what condition).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: str = Field(min_length=1, max_length=100)
    source: str = Field(default="", max_length=40)
    kind: ExecutionEventKind
    order_id: str = Field(default="", max_length=64)
    shipment_id: str = Field(default="", max_length=80)
    occurred_at: datetime
    tracking_number: str = ""
    detail: str = ""
    warehouse: str = ""
    rma_id: str = Field(default="", max_length=64)
    lines: list[EventLine] = []
