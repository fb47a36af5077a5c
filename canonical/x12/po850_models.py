"""The 850 purchase order as read, and what mapping it to our order gives back.

These keep the buyer's words (line ids, units, prices, product ids as sent) because
every answer we owe (855, 856, 810) must echo them, whatever we turned them into.
"""

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from canonical.orders import OrderSubmission
from canonical.x12.parties import Party
from canonical.x12.values import Finding, ProductId, Reference


class DateRef(BaseModel):
    """A DTM: DTM01 qualifier (`002` delivery requested, `010` ship...), DTM02 date."""

    model_config = ConfigDict(frozen=True)

    qualifier: str
    date: date | None
    raw: str = ""


class Pack(BaseModel):
    """PO4: PO401 packs per outer, PO402 size of each, PO403 its unit."""

    model_config = ConfigDict(frozen=True)

    pack: Decimal | None = None
    size: Decimal | None = None
    uom: str = ""


class PO1Line(BaseModel):
    """One PO1 loop.

    Attributes:
        index: 1-based ordinal among the PO1 lines of the order.
        position: Position of the PO1 segment in the set (ST = 1), as AK302 wants.
        line_id: PO101 as sent; often empty, sometimes `000100001` or `item-1`.
        quantity / uom / unit_price / price_basis: PO102 / PO103 / PO104 / PO105.
        product_ids: PO106/PO107, PO108/PO109, ... in order.
    """

    model_config = ConfigDict(frozen=True)

    index: int
    position: int
    line_id: str = ""
    quantity: Decimal | None = None
    uom: str = ""
    unit_price: Decimal | None = None
    price_basis: str = ""
    product_ids: list[ProductId] = []
    description: str = ""
    pack: Pack | None = None
    currency: str | None = None
    requested_delivery: date | None = None
    dates: list[DateRef] = []
    references: list[Reference] = []
    parties: list[Party] = []
    notes: list[str] = []

    def product_id(self, qualifier: str) -> str | None:
        return next((p.id for p in self.product_ids if p.qualifier == qualifier), None)

    @property
    def id_pairs(self) -> list[tuple[str, str]]:
        return [(p.qualifier, p.id) for p in self.product_ids]


class PurchaseOrder850(BaseModel):
    """An 850 as the buyer wrote it.

    Attributes:
        purpose: BEG01 (`00` original, `05` replace, `01` cancellation...).
        order_type: BEG02 (`SA` stand-alone, `NE` new, `DS` drop ship, `BK`...).
        po_number / release / po_date: BEG03 / BEG04 / BEG05.
        requested_delivery: The first header DTM*002.
        declared_lines / hash_total: CTT01 / CTT02.
        findings: What is wrong with the content (a CTT that disagrees with the
            lines, a date that is not one); envelope problems are on the set.
    """

    model_config = ConfigDict(frozen=True)

    control_number: str
    purpose: str = ""
    order_type: str = ""
    po_number: str = ""
    release: str = ""
    po_date: date | None = None
    currency: str | None = None
    references: list[Reference] = []
    dates: list[DateRef] = []
    requested_delivery: date | None = None
    parties: list[Party] = []
    notes: list[str] = []
    lines: list[PO1Line] = []
    declared_lines: int | None = None
    hash_total: Decimal | None = None
    findings: list[Finding] = []

    def party(self, role: str) -> Party | None:
        return next((p for p in self.parties if p.role == role), None)

    @property
    def ship_to(self) -> Party | None:
        return self.party("ST")

    @property
    def bill_to(self) -> Party | None:
        return self.party("BT")


class SubmissionProblemCode(StrEnum):
    UNSUPPORTED_PURPOSE = "unsupported_purpose"
    NO_PO_NUMBER = "no_po_number"
    NO_SHIP_TO = "no_ship_to"
    NO_LINES = "no_lines"
    UNKNOWN_ITEM = "unknown_item"
    UNKNOWN_UNIT = "unknown_unit"
    BAD_QUANTITY = "bad_quantity"
    INVALID_ORDER = "invalid_order"


class SubmissionProblem(BaseModel):
    """Why an 850 cannot become an order; line problems name the PO1.

    Attributes:
        po1_index: 1-based ordinal of the PO1 line among the order's lines.
        position: Position of the PO1 segment in the set (ST = 1).
        line_id: PO101 as sent.
    """

    model_config = ConfigDict(frozen=True)

    code: SubmissionProblemCode
    message: str
    po1_index: int | None = None
    position: int | None = None
    line_id: str | None = None


class BuyerLine(BaseModel):
    """A line as the buyer wrote it, kept to echo in 855/856/810."""

    model_config = ConfigDict(frozen=True)

    po1_index: int
    line_id: str
    quantity: Decimal | None
    uom: str
    unit_price: Decimal | None = None
    price_basis: str = ""
    product_ids: list[ProductId] = []


class SubmissionResult(BaseModel):
    """The order to submit, or every reason there is none.

    Attributes:
        line_map: Our line numbers (10, 20, ...) to the buyer's lines, filled even
            when the order is refused, so the 855 can reject line by line.
    """

    model_config = ConfigDict(frozen=True)

    submission: OrderSubmission | None
    problems: list[SubmissionProblem] = []
    line_map: dict[int, BuyerLine] = {}

    @property
    def ok(self) -> bool:
        return self.submission is not None
