"""What each return authorized, per order line: so a second return of the same order
can only take what the first did not."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.clock import utc_now


class ReturnAuthorization(SQLModel, table=True):
    """One line of one RMA.

    Attributes:
        quantity: Authorized; lowered to what arrived once the goods are received, and
            to 0 when the return is denied, expires or is cancelled before receipt.
        state: `authorized`, `received`, `released` (nothing will come back).
    """

    __tablename__ = "return_authorization"
    __table_args__ = (UniqueConstraint("rma_id", "line_no", name="uq_return_line"),)

    id: int | None = Field(default=None, primary_key=True)
    rma_id: str = Field(max_length=64, index=True)
    order_id: str = Field(max_length=64, index=True)
    line_no: int
    quantity: Decimal = Field(sa_column=Column(Numeric(16, 3), nullable=False))
    state: str = Field(default="authorized", max_length=20)
    created_at: datetime = Field(default_factory=utc_now)
