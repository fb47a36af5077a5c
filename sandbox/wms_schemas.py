"""Request and response bodies of the sandbox WMS API."""

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from canonical.address import Address
from canonical.quantities import UnitOfMeasure, is_whole

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


def _whole(value: Decimal) -> Decimal:
    if not is_whole(value):
        raise ValueError("the warehouse counts whole units; send base-unit quantities")
    # Normalised (5.0 -> 5) so that repeats of one request compare and echo alike.
    return value.to_integral_value()


# A quantity in whole units of the warehouse's stock unit (the caller converts).
WholeUnits = Annotated[Decimal, Field(max_digits=13), AfterValidator(_whole)]


class StockIn(BaseModel):
    """One row of a stock layout."""

    model_config = ConfigDict(extra="forbid")

    warehouse: Code
    sku: Code
    on_hand: int = Field(ge=0, le=10**12, strict=True)


class StockOut(BaseModel):
    """On-hand and available (not reserved) stock of one SKU in one warehouse.

    `available` goes negative when a new layout leaves less than is already reserved.
    """

    warehouse: str
    sku: str
    on_hand: int
    available: int


class LineIn(BaseModel):
    """One line to reserve."""

    line_no: int = Field(ge=0, le=999_999)
    sku: Code
    quantity: WholeUnits = Field(gt=0)
    uom: UnitOfMeasure


class ReservationIn(BaseModel):
    """Hold stock for one shipment in one warehouse."""

    order_id: str = Field(min_length=1, max_length=64)
    warehouse: Code
    lines: list[LineIn] = Field(min_length=1)


class LineOut(BaseModel):
    """A reservation line: `quantity` reserved, `picked` once the floor picked it."""

    line_no: int
    sku: str
    quantity: int
    uom: str
    picked: int | None = None


class ReservationOut(BaseModel):
    """A reservation and how far the floor has got with it."""

    shipment_id: str
    order_id: str
    warehouse: str
    status: str
    lines: list[LineOut]
    ship_to: Address | None
    carrier: str
    tracking_number: str
    created_at: str | None
    updated_at: str | None
    shipped_at: str | None


class ReleaseIn(BaseModel):
    ship_to: Address


class LabelAttachIn(BaseModel):
    carrier: str = Field(min_length=1, max_length=40)
    tracking_number: str = Field(min_length=1, max_length=60)


class ReceiptIn(BaseModel):
    """Stock arriving at a warehouse."""

    model_config = ConfigDict(extra="forbid")

    warehouse: Code
    sku: Code
    quantity: int = Field(gt=0, le=10**12, strict=True)


class ShortPickIn(BaseModel):
    """Arm a short pick: the next pick of `sku` (in `warehouse`, or any when omitted)
    comes up `quantity` short."""

    model_config = ConfigDict(extra="forbid")

    sku: Code
    quantity: int = Field(gt=0, le=10**12, strict=True)
    warehouse: Code | None = None


class ShortPickOut(BaseModel):
    """An armed short pick; `warehouse` None means any warehouse."""

    id: int
    sku: str
    quantity: int
    warehouse: str | None
    created_at: str | None
