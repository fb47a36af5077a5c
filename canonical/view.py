"""The order view: everything support needs to answer "where is my order?"."""

from datetime import datetime

from pydantic import BaseModel

from canonical.address import Address
from canonical.events import TimelineEntry
from canonical.invoices import Invoice, Payment
from canonical.money import Money
from canonical.orders import Channel, OrderLine, RejectionReason
from canonical.shipments import Backorder, Shipment
from canonical.statuses import OrderStatus


class CompensationRecord(BaseModel):
    """An undo step the saga registered, and what became of it.

    Attributes:
        state: `pending` (registered, not needed yet), `done`, or `failed`.
    """

    step: str
    state: str = "pending"
    detail: str = ""
    at: datetime | None = None


class OrderView(BaseModel):
    """The order as support sees it; served by `GET /orders/{order_id}`.

    Attributes:
        status: The furthest milestone reached (see `canonical.statuses`).
        erp_order_id: The ERP's sales order number, once created.
        failure: Why the saga unwound, when it did.
    """

    order_id: str
    status: OrderStatus
    customer_id: str
    customer_name: str = ""
    customer_po: str = ""
    channel: Channel = Channel.PORTAL
    ship_to: Address | None = None
    erp_order_id: str = ""
    total: Money | None = None
    lines: list[OrderLine] = []
    shipments: list[Shipment] = []
    backorders: list[Backorder] = []
    invoices: list[Invoice] = []
    payments: list[Payment] = []
    returns: list[str] = []
    compensations: list[CompensationRecord] = []
    rejection_reasons: list[RejectionReason] = []
    failure: str = ""
    timeline: list[TimelineEntry] = []
