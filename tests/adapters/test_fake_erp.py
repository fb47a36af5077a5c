"""The in-memory ERP keeps the same contract as the SAP adapter."""

from datetime import date
from decimal import Decimal

import pytest

from adapters.erp.fake import FakeErp
from adapters.erp.port import (
    BillingRequest,
    ClearingLine,
    ClearingRequest,
    DeliveryRequest,
    ErpOrderItem,
    ErpPort,
    ItemReduction,
    PartPaymentRequest,
    SalesOrderRequest,
)
from adapters.errors import NotFoundError, RejectionError, TransientError


def order(
    key: str = "wf-1/so", customer_id: str = "1000001", sku: str = "TG11"
) -> SalesOrderRequest:
    return SalesOrderRequest(
        idempotency_key=key,
        customer_id=customer_id,
        customer_po="PO-1",
        currency="EUR",
        items=[
            ErpOrderItem(
                line_no=10, sku=sku, quantity=Decimal(5), uom="PC", net_amount=Decimal("475.00")
            )
        ],
    )


def bill(sales_order: str, key: str = "wf-1/bill") -> BillingRequest:
    return BillingRequest(
        idempotency_key=key,
        sales_order=sales_order,
        customer_id="1000001",
        currency="EUR",
        items=order().items,
    )


def test_fake_is_an_erp_port() -> None:
    port: ErpPort = FakeErp()
    assert port is not None


async def test_seeded_lookups() -> None:
    erp = FakeErp()
    customer = await erp.get_customer("1000001")
    blocked = await erp.get_customer("1000099")
    assert customer is not None and not customer.blocked
    assert blocked is not None and blocked.blocked
    assert await erp.get_customer("9999999") is None
    product = await erp.get_product("TG12")
    assert product is not None and product.base_unit == "PC"
    assert await erp.get_product("NOPE") is None


async def test_create_is_idempotent_per_key() -> None:
    erp = FakeErp()
    first = await erp.create_sales_order(order())
    again = await erp.create_sales_order(order())
    other = await erp.create_sales_order(order(key="wf-2/so"))
    assert first.created and not again.created
    assert again.sales_order == first.sales_order
    assert other.sales_order != first.sales_order
    assert await erp.find_sales_order("wf-1/so") == first.sales_order
    assert await erp.find_sales_order("wf-3/so") is None
    assert list(erp.sales_orders) == [first.sales_order, other.sales_order]
    assert erp.calls_to("create_sales_order") == [
        ("create_sales_order", "wf-1/so"),
        ("create_sales_order", "wf-1/so"),
        ("create_sales_order", "wf-2/so"),
    ]


async def test_cancel_twice_is_fine_and_recorded_once() -> None:
    erp = FakeErp()
    ref = await erp.create_sales_order(order())
    await erp.cancel_sales_order(ref.sales_order, "payment declined")
    await erp.cancel_sales_order(ref.sales_order, "payment declined")
    await erp.cancel_sales_order("0000000404", "never existed")
    assert erp.sales_orders == {}
    assert await erp.find_sales_order("wf-1/so") is None
    assert erp.cancelled == [ref.sales_order]
    assert erp.cancel_reasons == {ref.sales_order: "payment declined"}
    assert len(erp.calls_to("cancel_sales_order")) == 3
    # like SAP, a deleted order takes its key with it
    assert (await erp.create_sales_order(order())).created


async def test_unknown_customer_or_product_is_rejected() -> None:
    erp = FakeErp()
    with pytest.raises(RejectionError) as caught:
        await erp.create_sales_order(order(customer_id="9999999"))
    assert caught.value.code == "ERP_REJECTED"
    with pytest.raises(RejectionError):
        await erp.create_sales_order(order(sku="NOPE"))
    assert erp.sales_orders == {}


async def test_billing_is_idempotent_per_key() -> None:
    erp = FakeErp()
    so = await erp.create_sales_order(order())
    first = await erp.create_billing_document(bill(so.sales_order))
    again = await erp.create_billing_document(bill(so.sales_order))
    second_shipment = await erp.create_billing_document(bill(so.sales_order, key="wf-1/bill-2"))
    assert first.created and not again.created
    assert again.billing_document == first.billing_document
    assert first.net_amount == Decimal("475.00")
    assert second_shipment.billing_document != first.billing_document
    assert len(erp.billing_documents) == 2
    with pytest.raises(RejectionError):
        await erp.create_billing_document(bill("0000000404", key="x"))


async def test_fail_next_fails_that_many_times_then_works() -> None:
    erp = FakeErp()
    erp.fail_next("get_customer", TransientError("busy"), times=2)
    for _ in range(2):
        with pytest.raises(TransientError):
            await erp.get_customer("1000001")
    assert await erp.get_customer("1000001") is not None
    assert len(erp.calls_to("get_customer")) == 3


async def test_fail_before_effect_creates_nothing() -> None:
    erp = FakeErp()
    erp.fail_next("create_sales_order", TransientError("no work process"))
    with pytest.raises(TransientError):
        await erp.create_sales_order(order())
    assert erp.sales_orders == {}
    assert (await erp.create_sales_order(order())).created


async def test_lost_response_then_retry_finds_the_order() -> None:
    erp = FakeErp()
    erp.fail_next("create_sales_order", TransientError("timeout"), after_effect=True)
    with pytest.raises(TransientError):
        await erp.create_sales_order(order())
    assert len(erp.sales_orders) == 1
    retry = await erp.create_sales_order(order())
    assert not retry.created
    assert list(erp.sales_orders) == [retry.sales_order]


def test_fail_next_refuses_unknown_methods() -> None:
    with pytest.raises(ValueError, match="no port method"):
        FakeErp().fail_next("create_invoice", TransientError("x"))


# -- deliveries and cuts -------------------------------------------------------------------


def two_lines(key: str = "wf-1/so") -> SalesOrderRequest:
    return order(key).model_copy(
        update={
            "items": [
                ErpOrderItem(
                    line_no=10, sku="TG11", quantity=Decimal(5), uom="PC", net_amount=Decimal(475)
                ),
                ErpOrderItem(
                    line_no=20, sku="TG12", quantity=Decimal(2), uom="PC", net_amount=Decimal(200)
                ),
            ]
        }
    )


def deliver(
    sales_order: str, key: str = "wf-1/dlv-1", line_no: int = 10, sku: str = "TG11"
) -> DeliveryRequest:
    return DeliveryRequest(
        idempotency_key=key,
        sales_order=sales_order,
        customer_id="1000001",
        shipping_point="W1",
        items=[
            ErpOrderItem(
                line_no=line_no, sku=sku, quantity=Decimal(3), uom="PC", net_amount=Decimal(0)
            )
        ],
    )


def cut(line_no: int, keep: int, net: str = "0") -> ItemReduction:
    return ItemReduction(line_no=line_no, keep_quantity=Decimal(keep), keep_net_amount=Decimal(net))


async def test_delivery_is_idempotent_per_key() -> None:
    erp = FakeErp()
    so = (await erp.create_sales_order(two_lines())).sales_order
    first = await erp.create_outbound_delivery(deliver(so))
    again = await erp.create_outbound_delivery(deliver(so.lstrip("0")))  # same key, ALPHA
    second = await erp.create_outbound_delivery(
        deliver(so, key="wf-1/dlv-2", line_no=20, sku="TG12")
    )
    assert first.created and not again.created and second.created
    assert again.delivery_document == first.delivery_document
    assert list(erp.deliveries) == [first.delivery_document, second.delivery_document]
    assert erp.deliveries[first.delivery_document] == deliver(so)
    assert erp.calls_to("create_outbound_delivery") == [
        ("create_outbound_delivery", "wf-1/dlv-1"),
        ("create_outbound_delivery", "wf-1/dlv-1"),
        ("create_outbound_delivery", "wf-1/dlv-2"),
    ]


async def test_delivery_for_what_the_order_does_not_have_is_rejected() -> None:
    erp = FakeErp()
    so = (await erp.create_sales_order(two_lines())).sales_order
    for request in (
        deliver("0000000404"),
        deliver(so, line_no=30),
        deliver(so, sku="TG12"),  # line 10 is TG11
    ):
        with pytest.raises(RejectionError) as caught:
            await erp.create_outbound_delivery(request)
        assert caught.value.code == "ERP_REJECTED"
    with pytest.raises(RejectionError) as invalid:
        await erp.create_outbound_delivery(
            deliver(so).model_copy(update={"items": []})  # nothing to deliver
        )
    assert invalid.value.code == "ERP_INVALID_REQUEST"
    assert erp.deliveries == {}


async def test_reject_items_cuts_and_removes_once() -> None:
    erp = FakeErp()
    so = (await erp.create_sales_order(two_lines())).sales_order
    await erp.reject_items(so, [cut(10, 3, "285.00"), cut(20, 0)], "backorder window passed")
    assert erp.items_of(so) == {10: Decimal(3)}
    [line_10] = erp.sales_orders[so].items
    assert line_10.net_amount == Decimal("285.00")
    assert erp.rejections == [
        (so, 10, Decimal(3), "backorder window passed"),
        (so, 20, Decimal(0), "backorder window passed"),
    ]
    # again, and with the number unpadded: nothing changes, nothing is recorded
    await erp.reject_items(so.lstrip("0"), [cut(10, 3, "285.00"), cut(20, 0)], "again")
    await erp.reject_items(so, [cut(10, 4, "380.00")], "never raises a quantity")
    assert erp.items_of(so) == {10: Decimal(3)}
    assert len(erp.rejections) == 2
    assert len(erp.calls_to("reject_items")) == 3


async def test_reject_items_refuses_before_changing_anything() -> None:
    erp = FakeErp()
    so = (await erp.create_sales_order(two_lines())).sales_order
    with pytest.raises(NotFoundError):  # line 30 is not there to keep 1 of
        await erp.reject_items(so, [cut(10, 0), cut(30, 1)], "x")
    with pytest.raises(NotFoundError):
        await erp.reject_items("0000000404", [cut(10, 0)], "x")
    for reductions, reason in (
        ([], "x"),
        ([cut(10, 0)], " "),
        ([cut(10, 0), cut(10, 1)], "x"),
        ([cut(0, 0)], "x"),
        ([cut(10, -1)], "x"),
        ([cut(10, 1, "-1")], "x"),
    ):
        with pytest.raises(RejectionError) as caught:
            await erp.reject_items(so, reductions, reason)
        assert caught.value.code == "ERP_INVALID_REQUEST"
    assert erp.items_of(so) == {10: Decimal(5), 20: Decimal(2)}
    assert erp.rejections == []
    assert erp.items_of("0000000404") == {}


async def test_fail_next_works_for_deliveries_and_cuts() -> None:
    erp = FakeErp()
    so = (await erp.create_sales_order(two_lines())).sales_order
    erp.fail_next("create_outbound_delivery", TransientError("no work process"))
    erp.fail_next("reject_items", TransientError("timeout"), after_effect=True)
    with pytest.raises(TransientError):
        await erp.create_outbound_delivery(deliver(so))
    assert erp.deliveries == {}
    with pytest.raises(TransientError):  # the cut happened, the answer was lost
        await erp.reject_items(so, [cut(20, 0)], "window passed")
    assert erp.items_of(so) == {10: Decimal(5)}
    await erp.reject_items(so, [cut(20, 0)], "window passed")  # the retry changes nothing
    assert len(erp.rejections) == 1
    assert (await erp.create_outbound_delivery(deliver(so))).created


# -- receivables -------------------------------------------------------------------------


def paid(statement_id: str, amount: Decimal, *billing_documents: str) -> ClearingRequest:
    return ClearingRequest(
        statement_id=statement_id,
        posting_date=date(2026, 12, 1),
        bank_account="DE89370400440532013000",
        currency="EUR",
        lines=[ClearingLine(line_id="1", amount=amount, billing_documents=list(billing_documents))],
    )


async def test_billing_records_a_taxed_receivable_due_under_its_terms() -> None:
    erp = FakeErp(output_tax_rate=Decimal("0.07"), today=lambda: date(2026, 11, 20))
    so = await erp.create_sales_order(order(key="order-9:create_sales_order"))
    ref = await erp.create_billing_document(bill(so.sales_order))

    assert (ref.tax_amount, ref.gross_amount, ref.payment_terms) == (
        Decimal("33.25"),
        Decimal("508.25"),
        "NT30",
    )
    receivable = erp.receivables[ref.billing_document]
    assert (receivable.sales_order, receivable.order_workflow_id, receivable.due_on) == (
        so.sales_order,
        "order-9",
        date(2026, 12, 20),
    )
    assert receivable.accounting_document == ref.accounting_document


async def test_a_lost_clearing_answer_then_a_retry_clears_once() -> None:
    erp = FakeErp()
    so = await erp.create_sales_order(order())
    ref = await erp.create_billing_document(bill(so.sales_order))
    erp.fail_next("clear_receivables", TransientError("lost"), after_effect=True)
    request = paid("ST-1", ref.gross_amount, ref.billing_document)

    with pytest.raises(TransientError):
        await erp.clear_receivables(request)
    result = await erp.clear_receivables(request)

    [item] = result.cleared
    assert erp.ledger.cleared[ref.billing_document].clearing_document == item.clearing_document
    assert erp.clearings == [request, request]
    assert erp.calls_to("clear_receivables") == [("clear_receivables", "ST-1")] * 2
    assert await erp.open_receivables() == []


async def test_part_payments_are_recorded_and_fail_on_demand() -> None:
    erp = FakeErp()
    so = await erp.create_sales_order(order())
    ref = await erp.create_billing_document(bill(so.sales_order))
    request = PartPaymentRequest(
        idempotency_key="entry-1:x",
        customer_id="1000001",
        billing_document=ref.billing_document,
        amount=Decimal("100.00"),
        currency="EUR",
        posting_date=date(2026, 12, 1),
    )
    erp.fail_next("post_part_payment", TransientError("busy"))

    with pytest.raises(TransientError):
        await erp.post_part_payment(request)
    posted = await erp.post_part_payment(request)

    assert posted.created and erp.part_payments == [request]
    assert [r.billing_document for r in erp.open_receivables_now("1000001")] == [
        ref.billing_document
    ]
    assert erp.calls_to("open_receivables") == []
