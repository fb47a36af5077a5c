"""ERP activities: the verdict on a submission, sales orders, billing."""

import asyncio

from temporalio import activity

from activities.contracts import (
    CANCEL_SALES_ORDER,
    CREATE_BILLING_DOCUMENT,
    CREATE_SALES_ORDER,
    VALIDATE_ORDER,
    CancelSalesOrderInput,
    CancelSalesOrderResult,
    CreateBillingDocumentInput,
    CreateBillingDocumentResult,
    CreateSalesOrderInput,
    CreateSalesOrderResult,
    ValidateOrderInput,
    ValidateOrderResult,
)
from activities.errors import rejections_as_application_errors
from activities.order_validation import judge
from adapters.erp.port import (
    BillingRequest,
    ErpOrderItem,
    ErpPort,
    ErpProduct,
    SalesOrderRequest,
)
from canonical.invoices import Invoice, InvoiceLine
from canonical.money import Money, round_money
from canonical.pricing import PriceList


class ErpActivities:
    """Activities that talk to the ERP.

    Args:
        erp: The ERP port (SAP in production, `FakeErp` in unit tests).
        prices: List prices for lines submitted without one.
    """

    def __init__(self, erp: ErpPort, prices: PriceList) -> None:
        self._erp = erp
        self._prices = prices

    @activity.defn(name=VALIDATE_ORDER)
    async def validate_order(self, input: ValidateOrderInput) -> ValidateOrderResult:
        submission = input.submission
        skus = sorted({line.sku for line in submission.lines})
        with rejections_as_application_errors():
            # Lookups in parallel: the verdict is on the submitter's critical path.
            customer, found = await asyncio.gather(
                self._erp.get_customer(submission.customer_id),
                asyncio.gather(*(self._erp.get_product(sku) for sku in skus)),
            )
        products: dict[str, ErpProduct | None] = dict(zip(skus, found, strict=True))
        order, reasons = judge(input.order_id, submission, customer, products, self._prices)
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
        prices = {line.line_no: line for line in order.lines}
        items = [
            ErpOrderItem(
                line_no=shipped.line_no,
                sku=shipped.sku,
                quantity=shipped.quantity,
                uom=shipped.uom,
                net_amount=round_money(
                    prices[shipped.line_no].unit_price.amount * shipped.quantity
                ),
            )
            for shipped in shipment.lines
        ]
        with rejections_as_application_errors():
            ref = await self._erp.create_billing_document(
                BillingRequest(
                    idempotency_key=input.idempotency_key,
                    sales_order=input.sales_order,
                    customer_id=order.customer_id,
                    currency=order.currency,
                    items=items,
                )
            )
        invoice = Invoice(
            billing_document=ref.billing_document,
            sales_order=input.sales_order,
            shipment_id=shipment.shipment_id,
            net=Money(amount=ref.net_amount, currency=order.currency),
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
