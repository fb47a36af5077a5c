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


class ParkedStep(BaseModel):
    """A step that failed for good and waits for a person (`NEEDS_ATTENTION`).

    Attributes:
        step: The activity that failed, e.g. `create_sales_order`.
        shipment_id: The shipment whose step it is; empty for the order's own steps.
        workflow_id: The workflow that waits, when it is not the order's own nor a
            shipment's (the partner documents of an EDI order).
        error_type: The failure's type as the adapter classified it (`REJECTED`,
            `SAP_ERROR`, ...), or `RETRIES_EXHAUSTED` for a transient failure that ran
            out of attempts.
        message: What the outside system said.
        since: When the order parked.
        retries: How many times ops have asked to run the step again.
        skippable: Whether `skip` may pass this step by; `retry` and `cancel` always
            may (cancel only until goods have shipped).
    """

    step: str
    shipment_id: str = ""
    workflow_id: str = ""
    error_type: str
    message: str
    since: datetime
    retries: int = 0
    skippable: bool = False

    @property
    def where(self) -> str:
        """What waits: a shipment, another workflow, or (empty) the order itself."""
        return self.shipment_id or self.workflow_id

    @property
    def reason(self) -> str:
        """The short form ops filter on (`NeedsAttentionReason`)."""
        return f"{self.step}: {self.error_type}"


class OrderView(BaseModel):
    """The order as support sees it; served by `GET /orders/{order_id}`.

    Attributes:
        status: The furthest milestone reached (see `canonical.statuses`).
        erp_order_id: The ERP's sales order number, once created.
        failure: Why the saga unwound, when it did.
        attention: The steps that wait for a decision (retry, skip or cancel) while
            the order is `NEEDS_ATTENTION`; empty otherwise.
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
    attention: list[ParkedStep] = []
    timeline: list[TimelineEntry] = []
