"""Orders: what a channel submits, and the canonical order Ordermesh runs."""

import hashlib
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from canonical.address import Address
from canonical.money import CurrencyCode, Money
from canonical.payment_terms import DEFAULT_PAYMENT_TERMS
from canonical.quantities import PositiveQuantity, UnitOfMeasure

OrderId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
CustomerId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
# SAP's customer reference (BSTKD) holds 35 characters.
CustomerPo = Annotated[str, StringConstraints(strip_whitespace=True, max_length=35)]


class Channel(StrEnum):
    PORTAL = "portal"
    STORE = "store"
    EDI = "edi"
    API = "api"


class FulfillmentPolicy(StrEnum):
    """How an order that no single warehouse can fill ships.

    `ship_available`: ship what is in stock now, from the fewest warehouses, and
    backorder the rest. `ship_complete`: wait until everything can ship together, in
    one shipment.
    """

    SHIP_AVAILABLE = "ship_available"
    SHIP_COMPLETE = "ship_complete"


class ServiceLevel(StrEnum):
    """How fast the customer wants it: the most transit days a carrier may take."""

    STANDARD = "standard"
    EXPRESS = "express"


MAX_TRANSIT_DAYS = {ServiceLevel.STANDARD: 5, ServiceLevel.EXPRESS: 1}


class SubmittedLine(BaseModel):
    """One line as a channel sends it.

    Attributes:
        quantity: Strictly positive; whole for counted units.
        unit_price: Net price per `uom` in the order's currency; when absent the
            price list decides.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: Sku
    quantity: PositiveQuantity
    uom: UnitOfMeasure = UnitOfMeasure.PC
    unit_price: Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=4)] | None = None


class OrderSubmission(BaseModel):
    """An order as submitted by the portal, a store or an EDI partner.

    Attributes:
        order_id: The caller's id for the order; when absent it is derived from the
            `Idempotency-Key` header.
        customer_id: The ERP customer (SAP business partner) that buys.
        customer_po: The buyer's purchase order number, carried to the ERP.
        fulfillment_policy: When absent, the customer's configured policy, else
            `ship_available`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    order_id: OrderId | None = None
    customer_id: CustomerId
    lines: Annotated[list[SubmittedLine], Field(min_length=1, max_length=500)]
    ship_to: Address
    requested_date: date | None = None
    channel: Channel = Channel.PORTAL
    customer_po: CustomerPo = ""
    currency: CurrencyCode = "EUR"
    fulfillment_policy: FulfillmentPolicy | None = None
    service_level: ServiceLevel = ServiceLevel.STANDARD

    def fingerprint(self) -> str:
        """A digest of what was asked, to tell a true retry from a reused key."""
        body = self.model_dump_json(exclude={"order_id"})
        return hashlib.sha256(body.encode()).hexdigest()


class OrderLine(BaseModel):
    """An accepted, priced line.

    Attributes:
        line_no: 10, 20, 30...; the ERP item number is derived from it.
        net: `quantity` x `unit_price`, rounded to cents.
    """

    model_config = ConfigDict(frozen=True)

    line_no: int
    sku: Sku
    description: str = ""
    quantity: Decimal
    uom: UnitOfMeasure
    unit_price: Money
    net: Money


class Order(BaseModel):
    """The canonical order, as accepted."""

    model_config = ConfigDict(frozen=True)

    order_id: OrderId
    customer_id: CustomerId
    customer_name: str = ""
    customer_po: CustomerPo = ""
    channel: Channel = Channel.PORTAL
    currency: CurrencyCode = "EUR"
    ship_to: Address
    requested_date: date | None = None
    lines: list[OrderLine]
    fulfillment_policy: FulfillmentPolicy = FulfillmentPolicy.SHIP_AVAILABLE
    service_level: ServiceLevel = ServiceLevel.STANDARD
    payment_terms: str = DEFAULT_PAYMENT_TERMS

    @property
    def total(self) -> Money:
        total = Money.zero(self.currency)
        for line in self.lines:
            total = total + line.net
        return total


class RejectionCode(StrEnum):
    UNKNOWN_CUSTOMER = "UNKNOWN_CUSTOMER"
    CUSTOMER_BLOCKED = "CUSTOMER_BLOCKED"
    UNKNOWN_ITEM = "UNKNOWN_ITEM"
    ITEM_BLOCKED = "ITEM_BLOCKED"
    INVALID_UNIT = "INVALID_UNIT"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    NO_PRICE = "NO_PRICE"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"


class RejectionReason(BaseModel):
    """Why an order was refused; `line_no` names the line when one is at fault."""

    model_config = ConfigDict(frozen=True)

    code: RejectionCode
    message: str
    line_no: int | None = None
