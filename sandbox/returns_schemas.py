"""Request and response bodies of the sandbox's returns API: return labels at the
carrier, return receipts and dispositions at the warehouse."""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from canonical.address import Address
from sandbox.wms_schemas import Code, WholeUnits

RmaId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class ReturnLabelIn(BaseModel):
    """A return label: from the customer (`ship_from`) to one of our warehouses; an
    empty `carrier` is the default carrier."""

    order_id: str = Field(min_length=1, max_length=64)
    ship_from: Address
    to_warehouse: Code
    weight_kg: Decimal = Field(default=Decimal("1"), gt=0, le=1000, max_digits=10)
    carrier: str = Field(default="", max_length=40)


class ReturnLabelOut(BaseModel):
    """A return label as the carrier returns it; `status` is `ISSUED` or `VOIDED`."""

    label_id: str
    carrier: str
    service: str
    tracking_number: str
    rma_id: str
    order_id: str
    to_warehouse: str
    status: str
    weight_kg: str
    created_at: str | None


class ReturnLineIn(BaseModel):
    """What arrived of one order line, in one condition; 0 means none of it came."""

    model_config = ConfigDict(extra="forbid")

    line_no: int = Field(ge=0, le=999_999)
    sku: Code
    quantity: WholeUnits = Field(ge=0)
    condition: Literal["sellable", "damaged"]


class ReturnReceiptIn(BaseModel):
    """The receiving dock's count of one RMA's parcel; empty `lines`: nothing came.

    `event_id` lets the sender choose the id of the `return_received` event, so a
    resent receipt is recognisable as the same one.
    """

    model_config = ConfigDict(extra="forbid")

    rma_id: RmaId
    order_id: str = Field(min_length=1, max_length=64)
    warehouse: Code
    lines: list[ReturnLineIn]
    event_id: str | None = Field(default=None, min_length=1, max_length=100)


class ReturnReceiptOut(BaseModel):
    """A recorded return receipt and the id of the event that reported it."""

    rma_id: str
    order_id: str
    warehouse: str
    lines: list[ReturnLineIn]
    event_id: str
    received_at: str | None


class DispositionIn(BaseModel):
    """Restock or scrap returned goods, once per `idempotency_key`."""

    model_config = ConfigDict(extra="forbid")

    idempotency_key: str = Field(min_length=1, max_length=100)
    rma_id: RmaId
    warehouse: Code
    sku: Code
    quantity: WholeUnits = Field(gt=0)


class DispositionOut(BaseModel):
    """A booked disposition; `kind` is `RESTOCK` or `SCRAP`."""

    idempotency_key: str
    kind: str
    rma_id: str
    warehouse: str
    sku: str
    quantity: int
    created_at: str | None
