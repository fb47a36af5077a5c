"""Shopify's order payload (the `orders/create` webhook), read into a model.

`parse_order` reads the webhook's JSON into `ShopifyOrder`, a model of the parts of
Shopify's order that Ordermesh uses (everything else is ignored); anything that is not
an order (a refund, a return, a fulfillment order, a JSON array) is refused as
`NOT_AN_ORDER`, a field of the wrong shape as `INVALID_FIELD` naming it. The refusals
(`Refusal`, `RefusalCode`) are shared with the mapping (`canonical.channels.shopify`).

The order's identity is Shopify's order id, read from `admin_graphql_api_id` when
present: that is a string, which no JSON tool on the way can round, where the
numeric `id` (up to 2^63) loses its last digits in JavaScript.
"""

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from canonical.money import CurrencyCode

# -- the payload -----------------------------------------------------------------------


def _id_text(value: object) -> object:
    """Shopify ids are JSON integers; they are kept as text (a bool is no id)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _empty_if_null(value: object) -> object:
    return [] if value is None else value


T = TypeVar("T")

StoreId = Annotated[str, BeforeValidator(_id_text), Field(min_length=1, max_length=64)]
# Money as Shopify sends it: a decimal string ("199.00"), sometimes a JSON number.
Amount = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=4)]
# A list Shopify may send as null.
Many = Annotated[list[T], BeforeValidator(_empty_if_null)]


class _Tolerant(BaseModel):
    """Shopify adds fields with every API version: those Ordermesh does not use are
    ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class DiscountAllocation(_Tolerant):
    amount: Amount


class TaxLine(_Tolerant):
    price: Amount
    rate: Decimal | None = None
    title: str | None = None


class LineItem(_Tolerant):
    """One line item. `price` is per unit, before discounts."""

    id: StoreId | None = None
    sku: str | None = None
    name: str | None = None
    title: str | None = None
    quantity: int
    price: Amount
    total_discount: Amount | None = None
    discount_allocations: Many[DiscountAllocation] = []
    tax_lines: Many[TaxLine] = []
    gift_card: bool = False
    requires_shipping: bool = True


class ShippingLine(_Tolerant):
    title: str | None = None
    code: str | None = None
    price: Amount
    discount_allocations: Many[DiscountAllocation] = []


class ShopifyAddress(_Tolerant):
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    zip: str | None = None
    province: str | None = None
    province_code: str | None = None
    country: str | None = None
    country_code: str | None = None


class ShopifyCustomer(_Tolerant):
    id: StoreId | None = None
    admin_graphql_api_id: str | None = None
    email: str | None = None


class ShopifyOrder(_Tolerant):
    """The parts of a Shopify order (REST / webhook shape) that Ordermesh uses.

    Attributes:
        name: The shop's order name, e.g. `#1001`.
        tags: Comma-separated, as Shopify sends them.
    """

    id: StoreId
    admin_graphql_api_id: str | None = None
    name: str | None = None
    email: str | None = None
    contact_email: str | None = None
    currency: CurrencyCode
    line_items: list[LineItem]
    shipping_lines: Many[ShippingLine] = []
    shipping_address: ShopifyAddress | None = None
    customer: ShopifyCustomer | None = None
    tax_lines: Many[TaxLine] = []
    taxes_included: bool = False
    total_price: Amount | None = None
    total_tax: Amount | None = None
    total_discounts: Amount | None = None
    total_line_items_price: Amount | None = None
    financial_status: str | None = None
    cancelled_at: str | None = None
    cancel_reason: str | None = None
    note: str | None = None
    tags: str | None = None
    test: bool = False

    @property
    def order_id(self) -> str:
        """Shopify's order id, from the GraphQL id when there is one (see the module)."""
        return _gid_number(self.admin_graphql_api_id, "Order") or self.id

    @property
    def store_customer_id(self) -> str | None:
        if self.customer is None:
            return None
        return _gid_number(self.customer.admin_graphql_api_id, "Customer") or self.customer.id

    @property
    def buyer_email(self) -> str | None:
        """The customer's email, else the order's."""
        for email in (
            self.customer.email if self.customer else None,
            self.email,
            self.contact_email,
        ):
            if email and email.strip():
                return email.strip()
        return None

    @property
    def reference(self) -> str:
        """How the shop names the order: its name, else its id."""
        return (self.name or "").strip() or self.order_id


def _gid_number(gid: str | None, kind: str) -> str | None:
    match = re.fullmatch(rf"gid://shopify/{kind}/(\d{{1,30}})", (gid or "").strip())
    return match.group(1) if match else None


# -- refusals --------------------------------------------------------------------------


class RefusalCode(StrEnum):
    NOT_AN_ORDER = "NOT_AN_ORDER"
    INVALID_FIELD = "INVALID_FIELD"
    CANCELLED = "CANCELLED"
    NO_LINES = "NO_LINES"
    TOO_MANY_LINES = "TOO_MANY_LINES"
    NO_SKU = "NO_SKU"
    INVALID_SKU = "INVALID_SKU"
    GIFT_CARD = "GIFT_CARD"
    NOT_SHIPPABLE = "NOT_SHIPPABLE"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_PRICE = "INVALID_PRICE"
    NO_SHIPPING_ADDRESS = "NO_SHIPPING_ADDRESS"
    INVALID_SHIPPING_ADDRESS = "INVALID_SHIPPING_ADDRESS"
    TOTALS_DISAGREE = "TOTALS_DISAGREE"
    TAX_UNKNOWN = "TAX_UNKNOWN"
    UNMAPPED_CUSTOMER = "UNMAPPED_CUSTOMER"


class Refusal(BaseModel):
    """Why a store order cannot become an Ordermesh order.

    Attributes:
        field: Where in the payload, e.g. `line_items[1].sku`; `body` for the whole.
        line_item_id: The Shopify line item at fault, when one is.
    """

    model_config = ConfigDict(frozen=True)

    code: RefusalCode
    message: str
    field: str = "body"
    line_item_id: str | None = None


class NotAnOrder(ValueError):
    """The payload is not a Shopify order, or a field of it has the wrong shape."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        super().__init__("; ".join(r.message for r in refusals))
        self.refusals = tuple(refusals)


# -- parsing ---------------------------------------------------------------------------

# Other Shopify resources, by the field that gives them away.
_OTHER_RESOURCES = (
    ("refund_line_items", "a refund (refunds/create)"),
    ("return_line_items", "a return (returns/request)"),
    ("fulfillment_order_line_items", "a fulfillment order"),
)


def parse_order(payload: object) -> ShopifyOrder:
    """The order in a webhook's decoded JSON.

    Raises:
        NotAnOrder: The payload is another resource, not an object, or a field the
            mapping needs has the wrong shape (each refusal names the field).
    """
    if not isinstance(payload, Mapping):
        raise NotAnOrder([_not_an_order("body", f"the body is {_json_kind(payload)}")])
    if "line_items" not in payload:
        raise NotAnOrder([_not_an_order("line_items", _what_it_is(payload))])
    try:
        return ShopifyOrder.model_validate(payload)
    except ValidationError as err:
        raise NotAnOrder(
            [
                Refusal(
                    code=RefusalCode.INVALID_FIELD,
                    field=_path(error.get("loc", ())),
                    message=f"{_path(error.get('loc', ()))}: {error.get('msg', 'invalid')}",
                )
                for error in err.errors()
            ]
        ) from None


def _json_kind(payload: object) -> str:
    if not isinstance(payload, list):
        kind = {str: "string", bool: "boolean", type(None): "null"}.get(type(payload), "number")
        return f"a JSON {kind}, not an order object"
    kinds = {_resource(item) if isinstance(item, Mapping) else None for item in payload}
    each = f", each {kinds.pop()}" if len(kinds) == 1 and None not in kinds else ""
    return f"a JSON array of {len(payload)} items{each}, not an order object"


def _not_an_order(field: str, why: str) -> Refusal:
    return Refusal(code=RefusalCode.NOT_AN_ORDER, field=field, message=f"not an order: {why}")


def _resource(payload: Mapping[Any, Any]) -> str | None:
    """Which other Shopify resource the payload is, if it shows."""
    for marker, resource in _OTHER_RESOURCES:
        if marker in payload:
            return resource
    return None


def _what_it_is(payload: Mapping[Any, Any]) -> str:
    resource = _resource(payload)
    if resource is not None:
        of = _order_of(payload)
        return f"this is {resource}{f' of order {of}' if of else ''}; it has no line_items"
    if isinstance(payload.get("order"), Mapping) and "line_items" in payload["order"]:
        return (
            'the order is wrapped in {"order": ...}, as the REST Admin API answers;'
            " a webhook sends the order itself"
        )
    return "it has no line_items"


def _order_of(payload: Mapping[Any, Any]) -> str:
    order = payload.get("order")
    found = payload.get("order_id") or (order.get("id") if isinstance(order, Mapping) else None)
    return str(found) if isinstance(found, int | str) and not isinstance(found, bool) else ""


def _path(loc: Sequence[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"
