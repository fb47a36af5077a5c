"""Invoices (ERP billing documents) and payments."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from canonical.money import Money


class InvoiceLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    line_no: int
    sku: str
    quantity: Decimal
    net: Money


class Invoice(BaseModel):
    """A billing document in the ERP.

    Attributes:
        billing_document: The ERP's number for it.
        net: Sum of the lines, before tax.
    """

    model_config = ConfigDict(frozen=True)

    billing_document: str
    sales_order: str
    shipment_id: str = ""
    net: Money
    lines: list[InvoiceLine]
    billed_on: date | None = None


class Payment(BaseModel):
    """Money received against an order's invoices."""

    model_config = ConfigDict(frozen=True)

    payment_id: str
    amount: Money
    value_date: date
    invoices: list[str]
