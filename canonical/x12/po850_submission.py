"""Mapping a read 850 to our `OrderSubmission`.

Cross-references are the caller's (they live in the store): `resolve_item` finds our
SKU from the line's qualifier/id pairs and `to_base_unit` converts the buyer's unit
(2 CA of an item packed 12 to a case are 24 PC). Everything that stops the order is
reported, every bad line with its PO1 position and line id, not only the first.
Only originals (BEG01 `00`) become orders: a replace or a cancellation of an order we
may already run is a change, and creating a second order from it would ship twice.
"""

from collections.abc import Callable, Sequence
from decimal import Decimal

from pydantic import ValidationError

from canonical.address import Address
from canonical.orders import Channel, OrderSubmission, SubmittedLine
from canonical.quantities import COUNTED_UNITS, UnitOfMeasure, is_whole
from canonical.x12.parties import Party
from canonical.x12.po850_models import (
    BuyerLine,
    PO1Line,
    PurchaseOrder850,
    SubmissionProblem,
    SubmissionProblemCode,
    SubmissionResult,
)

ResolveItem = Callable[[Sequence[tuple[str, str]]], str | None]
ToBaseUnit = Callable[[str, str, Decimal], tuple[Decimal, UnitOfMeasure] | None]
ResolveShipTo = Callable[[Party], Address | None]

_PRICE_PLACES = Decimal("0.0001")  # SubmittedLine.unit_price holds 4 decimals
_QUANTITY_PLACES = Decimal("0.001")  # PositiveQuantity holds 3
Code = SubmissionProblemCode


def to_submission(
    po: PurchaseOrder850,
    *,
    customer_id: str,
    resolve_item: ResolveItem,
    to_base_unit: ToBaseUnit,
    channel: Channel | str = Channel.EDI,
    resolve_ship_to: ResolveShipTo | None = None,
    default_currency: str = "USD",
) -> SubmissionResult:
    """Our order submission for a PO, or every reason it cannot be one.

    Args:
        resolve_item: The line's (qualifier, id) pairs to our SKU, None if unknown.
        to_base_unit: (SKU, buyer's unit code, quantity) to the quantity in one of
            our units, None when no conversion is known.
        resolve_ship_to: For a ship-to given by id only (a store or DC number).
        default_currency: When the PO has no CUR; X12 partners are mostly in the US.
    """
    problems: list[SubmissionProblem] = []
    if po.purpose != "00":
        problems.append(
            SubmissionProblem(
                code=Code.UNSUPPORTED_PURPOSE,
                message=f"BEG01 {po.purpose!r} is not an original order (00)",
            )
        )
    if not po.po_number:
        problems.append(SubmissionProblem(code=Code.NO_PO_NUMBER, message="BEG03 is empty"))
    ship_to = _ship_to(po.ship_to, resolve_ship_to, problems)
    if not po.lines:
        problems.append(SubmissionProblem(code=Code.NO_LINES, message="the order has no PO1"))
    line_map: dict[int, BuyerLine] = {}
    submitted: list[SubmittedLine] = []
    for line in po.lines:
        line_no = line.index * 10
        line_map[line_no] = BuyerLine(
            po1_index=line.index,
            line_id=line.line_id,
            quantity=line.quantity,
            uom=line.uom,
            unit_price=line.unit_price,
            price_basis=line.price_basis,
            product_ids=line.product_ids,
        )
        mapped = _map_line(line, resolve_item, to_base_unit, problems)
        if mapped is not None:
            submitted.append(mapped)
    if problems or ship_to is None:
        return SubmissionResult(submission=None, problems=problems, line_map=line_map)
    # Some buyers date each line and not the order: the earliest line date then.
    requested = po.requested_delivery or min(
        (d for d in (line.requested_delivery for line in po.lines) if d), default=None
    )
    # CUR may sit in each PO1 loop instead of the header; one currency for all is fine.
    line_currencies = {line.currency for line in po.lines if line.currency}
    line_currency = line_currencies.pop() if len(line_currencies) == 1 else None
    try:
        submission = OrderSubmission(
            customer_id=customer_id,
            lines=submitted,
            ship_to=ship_to,
            requested_date=requested,
            channel=Channel(channel),
            customer_po=po.po_number,
            currency=po.currency or line_currency or default_currency,
        )
    except ValidationError as error:
        problems.append(SubmissionProblem(code=Code.INVALID_ORDER, message=_describe(error)))
        return SubmissionResult(submission=None, problems=problems, line_map=line_map)
    return SubmissionResult(submission=submission, line_map=line_map)


def _map_line(
    line: PO1Line,
    resolve_item: ResolveItem,
    to_base_unit: ToBaseUnit,
    problems: list[SubmissionProblem],
) -> SubmittedLine | None:
    def refuse(code: SubmissionProblemCode, what: str) -> None:
        label = f"PO1 line {line.index}" + (f" ({line.line_id})" if line.line_id else "")
        problems.append(
            SubmissionProblem(
                code=code,
                message=f"{label}: {what}",
                po1_index=line.index,
                position=line.position,
                line_id=line.line_id,
            )
        )

    if line.quantity is None or line.quantity <= 0:
        refuse(Code.BAD_QUANTITY, f"PO102 {line.quantity} is not a positive quantity")
        return None
    sku = resolve_item(line.id_pairs)
    if sku is None:
        ids = ", ".join(f"{q} {v}" for q, v in line.id_pairs) or "no product ids"
        refuse(Code.UNKNOWN_ITEM, f"no item of ours for {ids}")
        return None
    converted = to_base_unit(sku, line.uom, line.quantity)
    if converted is None:
        refuse(
            Code.UNKNOWN_UNIT,
            f"no conversion of {line.quantity} {line.uom or '(no unit)'}"
            f" to a unit of ours for {sku}",
        )
        return None
    quantity, uom = converted
    if (
        quantity <= 0
        or quantity != quantity.quantize(_QUANTITY_PLACES)
        or (uom in COUNTED_UNITS and not is_whole(quantity))
    ):
        refuse(
            Code.BAD_QUANTITY,
            f"{line.quantity} {line.uom} is {quantity} {uom}, not a quantity we can ship",
        )
        return None
    price = None
    if line.unit_price is not None:
        # Per our unit now; kept only when exact, else the price list decides and the
        # buyer's price stays in the line map for the 855 to echo.
        per_unit = line.unit_price * line.quantity / quantity
        price = per_unit if per_unit == per_unit.quantize(_PRICE_PLACES) else None
    try:
        return SubmittedLine(sku=sku, quantity=quantity, uom=uom, unit_price=price)
    except ValidationError as error:
        refuse(Code.INVALID_ORDER, _describe(error))
        return None


def _describe(error: ValidationError) -> str:
    """Pydantic's first complaint, as one line a partner can read."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def _ship_to(
    party: Party | None,
    resolve: ResolveShipTo | None,
    problems: list[SubmissionProblem],
) -> Address | None:
    if party is None:
        problems.append(SubmissionProblem(code=Code.NO_SHIP_TO, message="no N1*ST loop"))
        return None
    address = party.address() or (resolve(party) if resolve else None)
    if address is None:
        who = party.name or f"{party.id_qualifier} {party.id}"
        problems.append(
            SubmissionProblem(
                code=Code.NO_SHIP_TO,
                message=f"the ship-to {who!r} has no street and city we can ship to",
            )
        )
    return address
