"""How `adapters.erp.fake.FakeErp.reject_items` cuts a sales order's items down, as
`adapters.erp.sap_reductions` does in SAP."""

from collections.abc import Sequence
from decimal import Decimal

from adapters.erp.port import ErpOrderItem, ItemReduction
from adapters.errors import NotFoundError

SYSTEM = "erp"


def reduce_items(
    number: str, items: Sequence[ErpOrderItem], reductions: Sequence[ItemReduction]
) -> tuple[list[ErpOrderItem], list[tuple[int, Decimal]]]:
    """The order's items after the cuts, and `(line_no, keep_quantity)` of each item
    actually cut, in item order.

    A reduction to 0 removes the item (as SAP deletes it); an item already at or below
    the quantity to keep, or already gone, is left alone, so a repeat cuts nothing. An
    item to keep some of that is not there is a `NotFoundError`; every reduction is
    checked before any is applied."""
    by_line = {item.line_no: item for item in items}
    cuts: dict[int, ItemReduction] = {}
    for reduction in reductions:
        item = by_line.get(reduction.line_no)
        if item is None and reduction.keep_quantity > 0:
            raise NotFoundError(
                f"Sales order {number} has no item {reduction.line_no:06d} to keep "
                f"{reduction.keep_quantity} of",
                system=SYSTEM,
            )
        if item is not None and (
            reduction.keep_quantity == 0 or item.quantity > reduction.keep_quantity
        ):
            cuts[reduction.line_no] = reduction
    kept: list[ErpOrderItem] = []
    cut: list[tuple[int, Decimal]] = []
    for item in items:
        to = cuts.get(item.line_no)
        if to is None:
            kept.append(item)
            continue
        cut.append((item.line_no, to.keep_quantity))
        if to.keep_quantity > 0:
            kept.append(
                item.model_copy(
                    update={"quantity": to.keep_quantity, "net_amount": to.keep_net_amount}
                )
            )
    return kept, cut
