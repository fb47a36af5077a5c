"""Judging a submission against what the ERP knows: the verdict, with no I/O.

Kept apart from the activity so every rule is unit-tested directly.
"""

from decimal import Decimal

from adapters.erp.port import ErpCustomer, ErpProduct
from canonical.money import Money, round_money
from canonical.orders import (
    FulfillmentPolicy,
    Order,
    OrderLine,
    OrderSubmission,
    RejectionCode,
    RejectionReason,
)
from canonical.payment_terms import DEFAULT_PAYMENT_TERMS
from canonical.pricing import PriceList
from canonical.quantities import COUNTED_UNITS, is_whole


def judge(
    order_id: str,
    submission: OrderSubmission,
    customer: ErpCustomer | None,
    products: dict[str, ErpProduct | None],
    prices: PriceList,
    default_policy: FulfillmentPolicy = FulfillmentPolicy.SHIP_AVAILABLE,
    payment_terms: str = DEFAULT_PAYMENT_TERMS,
) -> tuple[Order | None, list[RejectionReason]]:
    """The accepted, priced order, or every reason it is refused (all at once, so
    the submitter can fix everything in one go).

    The order's payment terms are the ERP's for the customer when it keeps them,
    else `payment_terms` (configured per customer, or the default)."""
    reasons: list[RejectionReason] = []
    if customer is None:
        reasons.append(
            RejectionReason(
                code=RejectionCode.UNKNOWN_CUSTOMER,
                message=f"customer {submission.customer_id} does not exist in the ERP",
            )
        )
    elif customer.blocked:
        reasons.append(
            RejectionReason(
                code=RejectionCode.CUSTOMER_BLOCKED,
                message=f"customer {submission.customer_id} is blocked for orders",
            )
        )

    lines: list[OrderLine] = []
    for index, submitted in enumerate(submission.lines):
        line_no = (index + 1) * 10
        product = products.get(submitted.sku)
        reason = _line_problem(line_no, submitted.sku, product, submitted.uom, submitted.quantity)
        if reason is not None:
            reasons.append(reason)
            continue
        assert product is not None
        unit_price = submitted.unit_price
        if unit_price is None:
            if prices.currency != submission.currency:
                reasons.append(
                    RejectionReason(
                        code=RejectionCode.CURRENCY_MISMATCH,
                        message=(
                            f"line {line_no}: no {submission.currency} price for {submitted.sku};"
                            f" the price list is in {prices.currency}"
                        ),
                        line_no=line_no,
                    )
                )
                continue
            unit_price = prices.price_of(submitted.sku)
        if unit_price is None:
            reasons.append(
                RejectionReason(
                    code=RejectionCode.NO_PRICE,
                    message=f"line {line_no}: no price for item {submitted.sku}",
                    line_no=line_no,
                )
            )
            continue
        lines.append(
            OrderLine(
                line_no=line_no,
                sku=submitted.sku,
                description=product.description,
                quantity=submitted.quantity,
                uom=submitted.uom,
                unit_price=Money(amount=unit_price, currency=submission.currency),
                net=Money(
                    amount=round_money(unit_price * submitted.quantity),
                    currency=submission.currency,
                ),
            )
        )

    if reasons or customer is None:
        return None, reasons
    order = Order(
        order_id=order_id,
        customer_id=submission.customer_id,
        customer_name=customer.name,
        customer_po=submission.customer_po,
        channel=submission.channel,
        currency=submission.currency,
        ship_to=submission.ship_to,
        requested_date=submission.requested_date,
        lines=lines,
        fulfillment_policy=submission.fulfillment_policy or default_policy,
        service_level=submission.service_level,
        payment_terms=customer.payment_terms or payment_terms,
    )
    return order, []


def _line_problem(
    line_no: int, sku: str, product: ErpProduct | None, uom: str, quantity: Decimal
) -> RejectionReason | None:
    if product is None:
        return RejectionReason(
            code=RejectionCode.UNKNOWN_ITEM,
            message=f"line {line_no}: item {sku} does not exist in the ERP",
            line_no=line_no,
        )
    if product.blocked:
        return RejectionReason(
            code=RejectionCode.ITEM_BLOCKED,
            message=f"line {line_no}: item {sku} is blocked for sales",
            line_no=line_no,
        )
    if uom != product.base_unit:
        # Unit conversions (a case of 12) come from partner cross-references; without
        # one, selling in another unit than the item's base unit is refused.
        return RejectionReason(
            code=RejectionCode.INVALID_UNIT,
            message=(f"line {line_no}: item {sku} is sold in {product.base_unit}, not {uom}"),
            line_no=line_no,
        )
    if uom in COUNTED_UNITS and not is_whole(quantity):
        return RejectionReason(
            code=RejectionCode.INVALID_QUANTITY,
            message=f"line {line_no}: {quantity} {uom} is not a whole number of {uom}",
            line_no=line_no,
        )
    return None
