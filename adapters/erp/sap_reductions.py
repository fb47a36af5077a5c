"""Cutting sales order items down to what will ship: `SapErpAdapter.reject_items`.

An item cut to nothing is deleted (`DELETE A_SalesOrderItem(...)`; a 404 means an
earlier attempt already did it). mock-sap's `A_SalesOrderItem` has no rejection-reason
field (S/4HANA's `SalesDocumentRjcnReason`, ABGRU), and its `BAPI_SALESORDER_CHANGE`
knows none either (its `UPDATEFLAG D` deletes the item just the same), so deleting is
the one way to take an item out of the order there. An item cut to a smaller quantity
is patched: `RequestedQuantity` and `NetAmount` set to what is kept. SAP recalculates
the order's `TotalNetAmount` from its items after either.

The reason goes to SAP as a header text of the order (`A_SalesOrderText`, language from
settings), one per cut: `ordermesh:item 000010 rejected: <reason>` or
`ordermesh:item 000010 cut to 3: <reason>`. Its `LongTextID` is `R` and the last
three digits of the item number (`R010`), or the next free `Rnnn` when another item's
text holds that one (items 000010 and 001010 would share it).

Safe to repeat, including after a crash halfway: each cut writes its text first and
changes the item second; an item already at (or below) the quantity to keep is left
alone, as is its text, and a text that is already there is not written again.
"""

import logging
from collections.abc import Container, Sequence
from dataclasses import dataclass
from decimal import Decimal

from adapters.erp.port import ItemReduction
from adapters.erp.sap_checks import check_reductions, check_sales_order
from adapters.erp.sap_http import ConflictError, SapODataSession
from adapters.erp.sap_settings import SapSettings
from adapters.erp.sap_values import (
    IDEMPOTENCY_PREFIX,
    SALES_ORDER_SRV,
    SYSTEM,
    JsonObject,
    decimal_text,
    item_number,
    key_path,
    keys_path,
    parse_decimal,
    text,
)
from adapters.errors import NotFoundError, RejectionError, TransientError

logger = logging.getLogger(__name__)

TEXT_ID_PREFIX = "R"
"""First character of the `LongTextID` of a rejection text (four characters in all)."""


def reduction_marker(line_no: int, keep_quantity: Decimal) -> str:
    """What a rejection text for this cut starts with; how a repeat finds it."""
    item = item_number(line_no)
    if keep_quantity == 0:
        return f"{IDEMPOTENCY_PREFIX}item {item} rejected"
    return f"{IDEMPOTENCY_PREFIX}item {item} cut to {format(keep_quantity.normalize(), 'f')}"


def reduction_text(line_no: int, keep_quantity: Decimal, reason: str) -> str:
    """The header text that records a cut and its reason."""
    return f"{reduction_marker(line_no, keep_quantity)}: {reason.strip()}"


def text_id_for(line_no: int, taken: Container[str] = frozenset()) -> str:
    """`R` and the item number's last three digits; the next free one when it is taken."""
    preferred = line_no % 1000
    for offset in range(1000):
        candidate = f"{TEXT_ID_PREFIX}{(preferred + offset) % 1000:03d}"
        if candidate not in taken:
            return candidate
    raise RejectionError(
        f"no free text ID {TEXT_ID_PREFIX}000..{TEXT_ID_PREFIX}999 left for the reason",
        code="ERP_REJECTED",
        system=SYSTEM,
    )


@dataclass(frozen=True)
class _Cut:
    reduction: ItemReduction
    item: str

    @property
    def rejects(self) -> bool:
        return self.reduction.keep_quantity == 0


class SapItemReductions:
    """`reject_items` for `adapters.erp.sap.SapErpAdapter`.

    Args:
        odata: The adapter's OData session.
        settings: Supplies the language of the texts.
    """

    def __init__(self, odata: SapODataSession, settings: SapSettings) -> None:
        self._odata = odata
        self._settings = settings

    async def reject_items(
        self, sales_order: str, reductions: Sequence[ItemReduction], reason: str
    ) -> None:
        """Cut the items as `reductions` say, recording `reason` (see the module).

        Every cut is checked against the order before anything is changed.

        Raises:
            RejectionError: `ERP_INVALID_REQUEST` for a request refused before anything
                is sent (no reductions, a line twice or out of 1..999999, a negative
                quantity or amount, no reason).
            NotFoundError: The sales order does not exist, or an item to keep some of
                does not.
        """
        check_reductions(reductions, reason)
        number = check_sales_order(sales_order, what="to reduce")
        order = key_path("A_SalesOrder", number)
        rows = await self._odata.read_collection(
            SALES_ORDER_SRV,
            f"{order}/to_Item",
            {"$select": "SalesOrderItem,RequestedQuantity"},
        )
        items = {text(row, "SalesOrderItem"): row for row in rows}
        cuts = [cut for r in reductions if (cut := self._plan(number, items, r)) is not None]
        if not cuts:
            logger.info("sales order %s: nothing left to cut (%s)", number, reason)
            return
        texts = await self._texts(order)
        for cut in cuts:
            await self._record(order, texts, cut, reason)
            await self._apply(number, cut)

    def _plan(
        self, sales_order: str, items: dict[str, JsonObject], reduction: ItemReduction
    ) -> _Cut | None:
        """The change one reduction needs, or None when the item is already there."""
        item = item_number(reduction.line_no)
        row = items.get(item)
        if row is None:
            if reduction.keep_quantity == 0:
                logger.info("item %s of sales order %s is already gone", item, sales_order)
                return None
            raise NotFoundError(
                f"Sales order {sales_order} has no item {item} to keep "
                f"{reduction.keep_quantity} of",
                system=SYSTEM,
            )
        if reduction.keep_quantity == 0:
            return _Cut(reduction, item)
        current = parse_decimal(row.get("RequestedQuantity"))
        if current < reduction.keep_quantity:
            logger.warning(
                "item %s of sales order %s has %s, less than the %s to keep: left alone",
                item,
                sales_order,
                current,
                reduction.keep_quantity,
            )
        return _Cut(reduction, item) if current > reduction.keep_quantity else None

    async def _texts(self, order: str) -> list[JsonObject]:
        return await self._odata.read_collection(
            SALES_ORDER_SRV, f"{order}/to_Text", {"$select": "Language,LongTextID,LongText"}
        )

    async def _record(self, order: str, texts: list[JsonObject], cut: _Cut, reason: str) -> None:
        """Write the cut's text unless it is there; `texts` is kept up to date."""
        marker = reduction_marker(cut.reduction.line_no, cut.reduction.keep_quantity)
        if _has_text(texts, marker):
            return
        language = self._settings.language
        taken = {
            text(row, "LongTextID")
            for row in texts
            if text(row, "Language").upper() == language.upper()
        }
        body: JsonObject = {
            "Language": language,
            "LongTextID": text_id_for(cut.reduction.line_no, taken),
            "LongText": reduction_text(cut.reduction.line_no, cut.reduction.keep_quantity, reason),
        }
        try:
            await self._odata.create(SALES_ORDER_SRV, f"{order}/to_Text", body)
        except ConflictError:
            # The ID was taken between reading and writing: by this very text (a
            # concurrent attempt), or by another, and then a retry picks the next ID.
            texts[:] = await self._texts(order)
            if _has_text(texts, marker):
                return
            raise TransientError(
                f"text ID {body['LongTextID']} was taken while recording {marker!r}",
                system=SYSTEM,
            ) from None
        texts.append(body)

    async def _apply(self, sales_order: str, cut: _Cut) -> None:
        path = keys_path(
            "A_SalesOrderItem", {"SalesOrder": sales_order, "SalesOrderItem": cut.item}
        )
        if cut.rejects:
            deleted = await self._odata.delete(SALES_ORDER_SRV, path)
            logger.info(
                "item %s of sales order %s %s",
                cut.item,
                sales_order,
                "rejected (deleted)" if deleted else "was already gone",
            )
            return
        keep = cut.reduction
        found = await self._odata.update(
            SALES_ORDER_SRV,
            path,
            {
                "RequestedQuantity": decimal_text(keep.keep_quantity),
                "NetAmount": decimal_text(keep.keep_net_amount),
            },
        )
        if not found:
            raise NotFoundError(
                f"item {cut.item} of sales order {sales_order} disappeared before it "
                f"could be cut to {keep.keep_quantity}",
                system=SYSTEM,
            )
        logger.info(
            "item %s of sales order %s cut to %s", cut.item, sales_order, keep.keep_quantity
        )


def _has_text(texts: list[JsonObject], marker: str) -> bool:
    return any(
        (long_text := text(row, "LongText")) == marker or long_text.startswith(marker + ":")
        for row in texts
    )
