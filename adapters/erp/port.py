"""What Ordermesh asks of an ERP, independent of which ERP it is."""

from datetime import date
from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel, ConfigDict


class ErpCustomer(BaseModel):
    """A sold-to party.

    Attributes:
        blocked: Centrally blocked (no orders may be taken).
        payment_terms: The ERP's terms key, e.g. `NT30`; empty when unset.
    """

    model_config = ConfigDict(frozen=True)

    customer_id: str
    name: str
    blocked: bool = False
    payment_terms: str = ""


class ErpProduct(BaseModel):
    """A material.

    Attributes:
        base_unit: The unit stock and prices are kept in, e.g. `PC`.
        blocked: Marked for deletion or blocked for sales.
    """

    model_config = ConfigDict(frozen=True)

    sku: str
    description: str = ""
    base_unit: str
    blocked: bool = False


class ErpOrderItem(BaseModel):
    """One sales order item; `line_no` becomes the ERP item number (10 -> 000010)."""

    model_config = ConfigDict(frozen=True)

    line_no: int
    sku: str
    quantity: Decimal
    uom: str
    net_amount: Decimal


class SalesOrderRequest(BaseModel):
    """A sales order to create.

    Attributes:
        idempotency_key: Derived from the workflow id and the step; the same key
            never creates a second sales order, even after a lost response.
        customer_po: Written to the ERP's customer reference (SAP
            `PurchaseOrderByCustomer`).
    """

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    customer_id: str
    customer_po: str
    currency: str
    requested_date: date | None = None
    items: list[ErpOrderItem]


class SalesOrderRef(BaseModel):
    """The created (or found) sales order; `created` is False when it already existed."""

    model_config = ConfigDict(frozen=True)

    sales_order: str
    created: bool = True


class BillingRequest(BaseModel):
    """What to bill: the shipped quantities of some sales order items."""

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    sales_order: str
    customer_id: str
    currency: str
    items: list[ErpOrderItem]


class BillingDocumentRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    billing_document: str
    net_amount: Decimal
    created: bool = True


class DeliveryRequest(BaseModel):
    """An outbound delivery for what one shipment took out of the warehouse.

    Attributes:
        idempotency_key: One per shipment; the same key never makes a second delivery.
        items: Shipped quantities, by order line (`line_no` names the sales order item).
    """

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    sales_order: str
    customer_id: str
    shipping_point: str
    items: list[ErpOrderItem]


class DeliveryRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    delivery_document: str
    created: bool = True


class ItemReduction(BaseModel):
    """Cut a sales order item down to `keep_quantity` (0: reject it entirely).

    Attributes:
        keep_net_amount: The item's net value after the cut.
    """

    model_config = ConfigDict(frozen=True)

    line_no: int
    keep_quantity: Decimal
    keep_net_amount: Decimal


class ErpPort(Protocol):
    """The ERP. Lookups return None for "no such thing"; writes raise
    `adapters.errors.RejectionError` or `TransientError` (see that module)."""

    async def get_customer(self, customer_id: str) -> ErpCustomer | None: ...

    async def get_product(self, sku: str) -> ErpProduct | None: ...

    async def create_sales_order(self, request: SalesOrderRequest) -> SalesOrderRef: ...

    async def find_sales_order(self, idempotency_key: str) -> str | None:
        """The sales order created under `idempotency_key`, if any: how a compensation
        finds an order whose creation response was lost."""
        ...

    async def cancel_sales_order(self, sales_order: str, reason: str) -> None:
        """Undo a sales order. Idempotent: an order already gone is not an error."""
        ...

    async def create_billing_document(self, request: BillingRequest) -> BillingDocumentRef: ...

    async def create_outbound_delivery(self, request: DeliveryRequest) -> DeliveryRef: ...

    async def reject_items(
        self, sales_order: str, reductions: list[ItemReduction], reason: str
    ) -> None:
        """Cancel what will never ship (a backorder whose window passed), with the
        reason recorded in the ERP. Idempotent: an item already cut is left alone."""
        ...
