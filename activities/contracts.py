"""Activity names and their input/result models.

Workflows import this module only, never the activity classes, so a workflow never
imports httpx or an adapter. Fields may be added, with defaults, without breaking
running workflows.
"""

from decimal import Decimal

from pydantic import BaseModel

from adapters.wms.port import StockLevel
from canonical.address import Address
from canonical.invoices import Invoice
from canonical.money import Money
from canonical.orders import Order, OrderSubmission, RejectionReason
from canonical.shipments import Shipment

VALIDATE_ORDER = "validate_order"
CREATE_SALES_ORDER = "create_sales_order"
CANCEL_SALES_ORDER = "cancel_sales_order"
CREATE_BILLING_DOCUMENT = "create_billing_document"
CHECK_STOCK = "check_stock"
RESERVE_INVENTORY = "reserve_inventory"
RELEASE_INVENTORY = "release_inventory"
RELEASE_TO_WAREHOUSE = "release_to_warehouse"
RECALL_FROM_WAREHOUSE = "recall_from_warehouse"
HAND_LABEL_TO_WAREHOUSE = "hand_label_to_warehouse"
BUY_LABEL = "buy_label"
VOID_LABEL = "void_label"
RATE_SHOP = "rate_shop"
CREATE_OUTBOUND_DELIVERY = "create_outbound_delivery"
REJECT_ORDER_ITEMS = "reject_order_items"


class ValidateOrderInput(BaseModel):
    order_id: str
    submission: OrderSubmission


class ValidateOrderResult(BaseModel):
    """Either an accepted, priced `order`, or the `reasons` it was refused."""

    order: Order | None = None
    reasons: list[RejectionReason] = []


class CreateSalesOrderInput(BaseModel):
    idempotency_key: str
    order: Order


class CreateSalesOrderResult(BaseModel):
    sales_order: str
    created: bool


class CancelSalesOrderInput(BaseModel):
    """Undo the sales order made under `idempotency_key` (found by key when the
    number never reached us)."""

    idempotency_key: str
    sales_order: str = ""
    reason: str


class CancelSalesOrderResult(BaseModel):
    sales_order: str = ""
    cancelled: bool


class CreateBillingDocumentInput(BaseModel):
    """Bill what a shipment took out of the warehouse (`Shipment.outgoing_lines`)."""

    idempotency_key: str
    sales_order: str
    order: Order
    shipment: Shipment


class CreateBillingDocumentResult(BaseModel):
    invoice: Invoice


class CheckStockInput(BaseModel):
    skus: list[str]


class CheckStockResult(BaseModel):
    levels: list[StockLevel]


class ShipmentInput(BaseModel):
    """For steps that act on one shipment as a whole."""

    order_id: str
    shipment: Shipment
    ship_to: Address | None = None


class ShipmentStepResult(BaseModel):
    shipment_id: str
    status: str = ""


class HandLabelInput(BaseModel):
    shipment_id: str
    carrier: str
    tracking_number: str


class BuyLabelInput(BaseModel):
    """Buy the label the TMS chose (`carrier`, `service`; empty: the default one)."""

    order_id: str
    shipment: Shipment
    ship_to: Address
    carrier: str = ""
    service: str = ""


class BuyLabelResult(BaseModel):
    label_id: str
    carrier: str
    service: str
    tracking_number: str


class RateShopInput(BaseModel):
    """Quote a shipment with every carrier the TMS knows; the cheapest quote within
    `max_transit_days` wins."""

    shipment: Shipment
    ship_to: Address
    weight_kg: Decimal
    max_transit_days: int


class RateShopResult(BaseModel):
    carrier: str
    service: str
    mode: str
    price: Money
    transit_days: int


class CreateOutboundDeliveryInput(BaseModel):
    """An ERP outbound delivery for what a shipment took out of the warehouse."""

    idempotency_key: str
    sales_order: str
    customer_id: str
    shipment: Shipment


class CreateOutboundDeliveryResult(BaseModel):
    delivery_document: str


class ItemCut(BaseModel):
    """Cut order line `line_no` down to `keep_quantity` at `unit_price`."""

    line_no: int
    keep_quantity: Decimal
    unit_price: Decimal


class RejectOrderItemsInput(BaseModel):
    sales_order: str
    cuts: list[ItemCut]
    reason: str


class RejectOrderItemsResult(BaseModel):
    line_nos: list[int]
