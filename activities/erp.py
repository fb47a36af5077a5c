"""ERP activities: the verdict on a submission, sales orders, billing."""

import asyncio
from collections.abc import Mapping
from decimal import Decimal

from temporalio import activity

from activities.contracts import (
    CANCEL_SALES_ORDER,
    CREATE_BILLING_DOCUMENT,
    CREATE_OUTBOUND_DELIVERY,
    CREATE_SALES_ORDER,
    REJECT_ORDER_ITEMS,
    VALIDATE_ORDER,
    CancelSalesOrderInput,
    CancelSalesOrderResult,
    CreateBillingDocumentInput,
    CreateBillingDocumentResult,
    CreateOutboundDeliveryInput,
    CreateOutboundDeliveryResult,
    CreateSalesOrderInput,
    CreateSalesOrderResult,
    RejectOrderItemsInput,
    RejectOrderItemsResult,
    ValidateOrderInput,
    ValidateOrderResult,
)
from activities.errors import rejections_as_application_errors
from activities.order_validation import judge
from adapters.erp.port import (
    BillingRequest,
    DeliveryRequest,
    ErpLookups,
    ErpOrderItem,
    ErpPort,
    ErpProduct,
    ItemReduction,
    SalesOrderRequest,
)
from canonical.invoices import Invoice, InvoiceLine
from canonical.money import Money, round_money
from canonical.orders import FulfillmentPolicy, Order
from canonical.payment_terms import DEFAULT_PAYMENT_TERMS
from canonical.pricing import PriceList
from canonical.shipments import ShipmentLine


class ErpActivities:
    """Activities that talk to the ERP.

    Args:
        erp: The ERP port (SAP in production, `FakeErp` in unit tests).
        prices: List prices for lines submitted without one.
        customer_policies: Fulfillment policy per customer, for orders that name none.
        payment_terms: Payment terms per customer, where the ERP keeps none.
        default_payment_terms: For customers with terms neither in the ERP nor here.
        lookups: Where the verdict looks customers and items up; `erp` itself unless
            given (a worker passes `adapters.erp.cached_lookups.CachedErpLookups`
            around `erp`). Writes always go to `erp`.
    """

    def __init__(
        self,
        erp: ErpPort,
        prices: PriceList,
        customer_policies: Mapping[str, FulfillmentPolicy] | None = None,
        payment_terms: Mapping[str, str] | None = None,
        default_payment_terms: str = DEFAULT_PAYMENT_TERMS,
        *,
        lookups: ErpLookups | None = None,
    ) -> None:
        self._erp = erp
        self._lookups: ErpLookups = erp if lookups is None else lookups
        self._prices = prices
        self._policies = dict(customer_policies or {})
        self._terms = dict(payment_terms or {})
        self._default_terms = default_payment_terms

    @activity.defn(name=VALIDATE_ORDER)
    async def validate_order(self, input: ValidateOrderInput) -> ValidateOrderResult:
        submission = input.submission
        skus = sorted({line.sku for line in submission.lines})
        with rejections_as_application_errors():
            # Lookups in parallel: the verdict is on the submitter's critical path.
            customer, found = await asyncio.gather(
                self._lookups.get_customer(submission.customer_id),
                asyncio.gather(*(self._lookups.get_product(sku) for sku in skus)),
            )
        products: dict[str, ErpProduct | None] = dict(zip(skus, found, strict=True))
        policy = self._policies.get(submission.customer_id, FulfillmentPolicy.SHIP_AVAILABLE)
        terms = self._terms.get(submission.customer_id, self._default_terms)
        order, reasons = judge(
            input.order_id, submission, customer, products, self._prices, policy, terms
        )
        return ValidateOrderResult(order=order, reasons=reasons)

    @activity.defn(name=CREATE_SALES_ORDER)
    async def create_sales_order(self, input: CreateSalesOrderInput) -> CreateSalesOrderResult:
        order = input.order
        request = SalesOrderRequest(
            idempotency_key=input.idempotency_key,
            customer_id=order.customer_id,
            customer_po=order.customer_po or order.order_id,
            currency=order.currency,
            requested_date=order.requested_date,
            items=[
                ErpOrderItem(
                    line_no=line.line_no,
                    sku=line.sku,
                    quantity=line.quantity,
                    uom=line.uom,
                    net_amount=line.net.amount,
                )
                for line in order.lines
            ],
        )
        with rejections_as_application_errors():
            ref = await self._erp.create_sales_order(request)
        return CreateSalesOrderResult(sales_order=ref.sales_order, created=ref.created)

    @activity.defn(name=CANCEL_SALES_ORDER)
    async def cancel_sales_order(self, input: CancelSalesOrderInput) -> CancelSalesOrderResult:
        with rejections_as_application_errors():
            sales_order = input.sales_order or (
                await self._erp.find_sales_order(input.idempotency_key) or ""
            )
            if not sales_order:
                # The create never reached the ERP: nothing to undo.
                return CancelSalesOrderResult(cancelled=False)
            await self._erp.cancel_sales_order(sales_order, input.reason)
        return CancelSalesOrderResult(sales_order=sales_order, cancelled=True)

    @activity.defn(name=CREATE_BILLING_DOCUMENT)
    async def create_billing_document(
        self, input: CreateBillingDocumentInput
    ) -> CreateBillingDocumentResult:
        order, shipment = input.order, input.shipment
        items = _erp_items(shipment.outgoing_lines, order)
        with rejections_as_application_errors():
            ref = await self._erp.create_billing_document(
                BillingRequest(
                    idempotency_key=input.idempotency_key,
                    sales_order=input.sales_order,
                    customer_id=order.customer_id,
                    currency=order.currency,
                    items=items,
                    payment_terms=order.payment_terms,
                )
            )
        currency = order.currency
        invoice = Invoice(
            billing_document=ref.billing_document,
            accounting_document=ref.accounting_document,
            sales_order=input.sales_order,
            shipment_id=shipment.shipment_id,
            net=Money(amount=ref.net_amount, currency=currency),
            tax=Money(amount=ref.tax_amount, currency=currency),
            gross=Money(amount=ref.gross_amount or ref.net_amount, currency=currency),
            payment_terms=ref.payment_terms or order.payment_terms,
            lines=[
                InvoiceLine(
                    line_no=item.line_no,
                    sku=item.sku,
                    quantity=item.quantity,
                    net=Money(amount=item.net_amount, currency=order.currency),
                )
                for item in items
            ],
        )
        return CreateBillingDocumentResult(invoice=invoice)

    @activity.defn(name=CREATE_OUTBOUND_DELIVERY)
    async def create_outbound_delivery(
        self, input: CreateOutboundDeliveryInput
    ) -> CreateOutboundDeliveryResult:
        shipment = input.shipment
        with rejections_as_application_errors():
            ref = await self._erp.create_outbound_delivery(
                DeliveryRequest(
                    idempotency_key=input.idempotency_key,
                    sales_order=input.sales_order,
                    customer_id=input.customer_id,
                    shipping_point=shipment.warehouse,
                    items=_erp_items(shipment.outgoing_lines),
                )
            )
        return CreateOutboundDeliveryResult(delivery_document=ref.delivery_document)

    @activity.defn(name=REJECT_ORDER_ITEMS)
    async def reject_order_items(self, input: RejectOrderItemsInput) -> RejectOrderItemsResult:
        with rejections_as_application_errors():
            await self._erp.reject_items(
                input.sales_order,
                [
                    ItemReduction(
                        line_no=cut.line_no,
                        keep_quantity=cut.keep_quantity,
                        keep_net_amount=round_money(cut.keep_quantity * cut.unit_price),
                    )
                    for cut in input.cuts
                ],
                input.reason,
            )
        return RejectOrderItemsResult(line_nos=[cut.line_no for cut in input.cuts])


def _erp_items(lines: list[ShipmentLine], priced_by: Order | None = None) -> list[ErpOrderItem]:
    """Shipment lines as ERP items, at the order's unit prices when one is given
    (a delivery moves goods and carries no value; a billing document does). A line
    the order does not have cannot be priced, and fails."""
    prices = (
        {line.line_no: line.unit_price.amount for line in priced_by.lines} if priced_by else None
    )
    return [
        ErpOrderItem(
            line_no=line.line_no,
            sku=line.sku,
            quantity=line.quantity,
            uom=line.uom,
            net_amount=Decimal(0)
            if prices is None
            else round_money(prices[line.line_no] * line.quantity),
        )
        for line in lines
    ]
