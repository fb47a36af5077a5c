"""Shopify orders (the `orders/create` webhook) into the canonical order submission.

`to_submission` maps a `ShopifyOrder` (read by
`canonical.channels.shopify_payload.parse_order`) to an `OrderSubmission` for the ERP
customer the store's customer stands for, or refuses it with every reason at once,
each naming the field and, for a line, the line item.

What the mapping decides:

- one canonical line per line item, in Shopify's order, with the SKU, the quantity in
  pieces and a **net unit price**: the line's price less its discount allocations
  (`total_discount` for payloads without allocations), per unit, rounded half up to
  cents. When the shop's prices include tax (`taxes_included`) the line's own tax
  (its `tax_lines`) is taken out as well;
- **taxes and shipping are not order lines.** The ERP computes output tax itself
  (billing applies `ORDERMESH_SAP_OUTPUT_TAX_RATE`, 19 %), so Shopify's tax is carried
  as information (`MappedOrder.tax_total`), as are the shipping charges
  (`shipping_total`: the shipping lines' prices less their discount allocations);
- `customer_po` is the store's order name (`#1001`), or its id when the name is
  missing or longer than the ERP's 35 characters; the channel is `store`;
- `ship_to` is the shipping address with its ISO country code.

Refused: a cancelled order, no line items, a line without a SKU, a gift card or a line
that needs no shipping, a quantity of zero or less, discounts larger than the line, no
or an incomplete shipping address, and totals that disagree with the lines (the
listed line prices against `total_line_items_price`, the discounts on the lines
against `total_discounts`): a discount that no line carries leaves the net prices
unknown.

Typical usage example:

    order = parse_order(json.loads(body))  # NotAnOrder when it is none
    mapped = to_submission(order, customer_id="1000001")
    if isinstance(mapped, RefusedOrder):
        ...  # mapped.refusals say why
"""

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from canonical.address import Address
from canonical.channels.shopify_payload import (
    DiscountAllocation,
    LineItem,
    Refusal,
    RefusalCode,
    ShopifyAddress,
    ShopifyOrder,
    TaxLine,
    _path,
)
from canonical.money import Money, round_money
from canonical.orders import Channel, OrderSubmission, SubmittedLine

# As `OrderSubmission`, `Sku` and `CustomerPo` allow.
MAX_LINES = 500
MAX_SKU = 40
MAX_PO = 35

_ZERO = Decimal(0)


class MappedOrder(BaseModel):
    """A store order as Ordermesh submits it, with what is not an order line.

    Attributes:
        submission: What goes to the order workflow (its `order_id` is left to the
            caller: see `order_id_for`).
        store_order: The shop's name for the order (`#1001`); `store_order_id` its id.
        goods_net: The lines at their net unit prices: what the ERP is asked to bill,
            before the ERP's own tax.
        discount_total: The discounts taken off the lines' prices.
        shipping_total: The shipping lines' charges, less their discounts; not an
            order line.
        tax_total: The tax Shopify computed (`total_tax`), information only: the ERP
            computes output tax itself.
        store_total: What the shop charged the buyer (`total_price`), when it says.
    """

    model_config = ConfigDict(frozen=True)

    submission: OrderSubmission
    store_order: str
    store_order_id: str
    goods_net: Money
    discount_total: Money
    shipping_total: Money
    tax_total: Money
    taxes_included: bool = False
    store_total: Money | None = None
    financial_status: str = ""
    note: str = ""
    tags: tuple[str, ...] = ()
    test: bool = False


class RefusedOrder(BaseModel):
    """A store order that cannot be submitted, with every reason at once."""

    model_config = ConfigDict(frozen=True)

    store_order: str
    refusals: tuple[Refusal, ...] = Field(min_length=1)

    @property
    def detail(self) -> str:
        return f"store order {self.store_order} refused: " + "; ".join(
            r.message for r in self.refusals
        )


# -- mapping ---------------------------------------------------------------------------


def to_submission(order: ShopifyOrder, customer_id: str) -> MappedOrder | RefusedOrder:
    """Map a store order for the ERP customer `customer_id`; never raises.

    Returns:
        The submission with what is not a line (tax, shipping, totals), or every
        reason it cannot be submitted.
    """
    refusals: list[Refusal] = []
    if order.cancelled_at:
        because = f" ({order.cancel_reason})" if order.cancel_reason else ""
        refusals.append(
            Refusal(
                code=RefusalCode.CANCELLED,
                field="cancelled_at",
                message=f"the store order was cancelled at {order.cancelled_at}{because}",
            )
        )
    if not order.line_items:
        refusals.append(
            Refusal(code=RefusalCode.NO_LINES, field="line_items", message="it has no line items")
        )
    elif len(order.line_items) > MAX_LINES:
        refusals.append(
            Refusal(
                code=RefusalCode.TOO_MANY_LINES,
                field="line_items",
                message=f"it has {len(order.line_items)} line items; an order takes {MAX_LINES}",
            )
        )

    lines: list[SubmittedLine] = []
    listed = line_discounts = goods = _ZERO
    for index, item in enumerate(order.line_items):
        line, problems = _line(index, item, order.taxes_included)
        refusals.extend(problems)
        listed += item.price * item.quantity
        line_discounts += _discount_of(item)
        if line is not None:
            lines.append(line)
            goods += (line.unit_price or _ZERO) * line.quantity

    shipping_discounts = sum((_sum(s.discount_allocations) for s in order.shipping_lines), _ZERO)
    shipping = sum((s.price for s in order.shipping_lines), _ZERO) - shipping_discounts
    refusals.extend(_totals_disagree(order, listed, line_discounts, shipping_discounts))
    untaxed = not any(item.tax_lines for item in order.line_items)
    if order.taxes_included and (order.total_tax or _ZERO) > 0 and untaxed:
        refusals.append(
            Refusal(
                code=RefusalCode.TAX_UNKNOWN,
                field="line_items",
                message=(
                    f"the prices include tax (taxes_included, total_tax {order.total_tax})"
                    " but no line item says its tax, so no net price can be known"
                ),
            )
        )
    ship_to = _ship_to(order.shipping_address, refusals)
    if refusals or ship_to is None:
        return RefusedOrder(store_order=order.reference, refusals=tuple(refusals))
    try:
        return _mapped(order, customer_id, lines, ship_to, goods, line_discounts, shipping)
    except ValidationError as err:  # what the checks above did not foresee
        return RefusedOrder(
            store_order=order.reference,
            refusals=tuple(
                Refusal(
                    code=RefusalCode.INVALID_FIELD,
                    field=_path(e.get("loc", ())),
                    message=f"{_path(e.get('loc', ()))}: {e.get('msg', 'invalid')}",
                )
                for e in err.errors()
            ),
        )


def _mapped(
    order: ShopifyOrder,
    customer_id: str,
    lines: list[SubmittedLine],
    ship_to: Address,
    goods: Decimal,
    line_discounts: Decimal,
    shipping: Decimal,
) -> MappedOrder:
    currency = order.currency
    submission = OrderSubmission(
        customer_id=customer_id,
        lines=lines,
        ship_to=ship_to,
        channel=Channel.STORE,
        customer_po=_customer_po(order),
        currency=currency,
    )
    tax = order.total_tax if order.total_tax is not None else _sum(order.tax_lines)
    return MappedOrder(
        submission=submission,
        store_order=order.reference,
        store_order_id=order.order_id,
        goods_net=Money(amount=round_money(goods), currency=currency),
        discount_total=Money(amount=round_money(line_discounts), currency=currency),
        shipping_total=Money(amount=round_money(shipping), currency=currency),
        tax_total=Money(amount=round_money(tax), currency=currency),
        taxes_included=order.taxes_included,
        store_total=(
            None
            if order.total_price is None
            else Money(amount=round_money(order.total_price), currency=currency)
        ),
        financial_status=order.financial_status or "",
        note=order.note or "",
        tags=tuple(tag.strip() for tag in (order.tags or "").split(",") if tag.strip()),
        test=order.test,
    )


def _sum(parts: Sequence[DiscountAllocation] | Sequence[TaxLine]) -> Decimal:
    total = _ZERO
    for part in parts:
        total += part.amount if isinstance(part, DiscountAllocation) else part.price
    return total


def _discount_of(item: LineItem) -> Decimal:
    """The discounts on a line: its allocations, else (older payloads) `total_discount`."""
    if item.discount_allocations:
        return _sum(item.discount_allocations)
    return item.total_discount or _ZERO


def _line(
    index: int, item: LineItem, taxes_included: bool
) -> tuple[SubmittedLine | None, list[Refusal]]:
    where = f"line_items[{index}]"
    named = f"{where} {item.name or item.title or 'untitled'!r}" + (
        f" (id {item.id})" if item.id else ""
    )
    problems: list[Refusal] = []

    def refuse(code: RefusalCode, field: str, why: str) -> None:
        problems.append(
            Refusal(
                code=code,
                field=f"{where}.{field}",
                message=f"{named} {why}",
                line_item_id=item.id,
            )
        )

    if item.gift_card:
        refuse(RefusalCode.GIFT_CARD, "gift_card", "is a gift card, which no warehouse ships")
    elif not item.requires_shipping:
        refuse(
            RefusalCode.NOT_SHIPPABLE,
            "requires_shipping",
            "needs no shipping (a service or digital item); Ordermesh orders ship goods",
        )
    sku = (item.sku or "").strip()
    if not sku:
        refuse(RefusalCode.NO_SKU, "sku", "has no SKU; the ERP knows items by SKU")
    elif len(sku) > MAX_SKU:
        refuse(RefusalCode.INVALID_SKU, "sku", f"has a SKU longer than {MAX_SKU} characters")
    if item.quantity <= 0:
        refuse(RefusalCode.INVALID_QUANTITY, "quantity", f"has quantity {item.quantity}")
        return None, problems

    gross = item.price * item.quantity
    discount = _discount_of(item)
    tax = _sum(item.tax_lines) if taxes_included else _ZERO
    net = gross - discount - tax
    if net < 0:
        less = f"discounts of {_cents(discount)}" + (f" and tax of {_cents(tax)}" if tax else "")
        refuse(
            RefusalCode.INVALID_PRICE,
            "discount_allocations",
            f"has {less}, more than its {item.quantity} x {item.price} = {_cents(gross)}",
        )
    if problems:
        return None, problems
    unit_price = round_money(net / item.quantity)
    try:
        return SubmittedLine(sku=sku, quantity=Decimal(item.quantity), unit_price=unit_price), []
    except ValidationError as err:  # beyond what an order line holds
        for error in err.errors():
            ours = str(error.get("loc", ("",))[0])
            code, field = _LINE_FIELDS.get(ours, (RefusalCode.INVALID_FIELD, ours))
            refuse(code, field, f"cannot be an order line: {ours} {error.get('msg', 'invalid')}")
        return None, problems


# The canonical line's fields: the refusal and the Shopify field they come from.
_LINE_FIELDS = {
    "quantity": (RefusalCode.INVALID_QUANTITY, "quantity"),
    "unit_price": (RefusalCode.INVALID_PRICE, "price"),
    "sku": (RefusalCode.INVALID_SKU, "sku"),
}


def _totals_disagree(
    order: ShopifyOrder, listed: Decimal, line_discounts: Decimal, shipping_discounts: Decimal
) -> list[Refusal]:
    found: list[Refusal] = []
    if order.total_line_items_price is not None and order.total_line_items_price != listed:
        found.append(
            Refusal(
                code=RefusalCode.TOTALS_DISAGREE,
                field="total_line_items_price",
                message=(
                    f"total_line_items_price is {order.total_line_items_price} but the line"
                    f" items' prices x quantities come to {_cents(listed)}"
                ),
            )
        )
    # Shopify counts shipping discounts in `total_discounts` or not, by API version.
    allowed = {line_discounts, line_discounts + shipping_discounts}
    if order.total_discounts is not None and order.total_discounts not in allowed:
        found.append(
            Refusal(
                code=RefusalCode.TOTALS_DISAGREE,
                field="total_discounts",
                message=(
                    f"total_discounts is {order.total_discounts} but the line items carry"
                    f" {_cents(line_discounts)} of discounts (discount_allocations):"
                    " a discount on no line leaves the lines' net prices unknown"
                ),
            )
        )
    return found


# The canonical address's fields, and the Shopify fields they come from.
_ADDRESS_FIELDS = {
    "name": "name",
    "street": "address1",
    "city": "city",
    "postal_code": "zip",
    "country": "country_code",
    "region": "province_code",
}


def _ship_to(address: ShopifyAddress | None, refusals: list[Refusal]) -> Address | None:
    if address is None:
        refusals.append(
            Refusal(
                code=RefusalCode.NO_SHIPPING_ADDRESS,
                field="shipping_address",
                message="it has no shipping_address (a pickup or digital order?); an order ships",
            )
        )
        return None
    person = _text(address.name) or " ".join(
        part for part in (_text(address.first_name), _text(address.last_name)) if part
    )
    company = _text(address.company)
    name = f"{person}, {company}" if person and company and company != person else person or company
    street = ", ".join(part for part in (_text(address.address1), _text(address.address2)) if part)
    fields = {
        "name": name,
        "street": street,
        "city": _text(address.city),
        "postal_code": _text(address.zip),
        "country": _text(address.country_code).upper(),
        "region": _text(address.province_code) or _text(address.province),
    }
    try:
        return Address.model_validate(fields)
    except ValidationError as err:
        for error in err.errors():
            ours = str(error.get("loc", ("",))[0])
            theirs = f"shipping_address.{_ADDRESS_FIELDS.get(ours, ours)}"
            value = fields.get(ours, "")
            why = "is missing" if not value else f"{value!r}: {error.get('msg', 'invalid')}"
            if ours == "country" and value:
                why = f"{value!r} is not an ISO 3166-1 alpha-2 country code"
            refusals.append(
                Refusal(
                    code=RefusalCode.INVALID_SHIPPING_ADDRESS,
                    field=theirs,
                    message=f"{theirs} {why}",
                )
            )
        return None


def _cents(amount: Decimal) -> str:
    """An amount for a message, in cents when it can be."""
    try:
        return str(round_money(amount))
    except InvalidOperation:  # more digits than the decimal context holds
        return str(amount)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _customer_po(order: ShopifyOrder) -> str:
    name = (order.name or "").strip()
    return name if name and len(name) <= MAX_PO else order.order_id
