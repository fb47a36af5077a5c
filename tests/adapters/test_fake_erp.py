"""The in-memory ERP keeps the same contract as the SAP adapter."""

from decimal import Decimal

import pytest

from adapters.erp.fake import FakeErp
from adapters.erp.port import BillingRequest, ErpOrderItem, ErpPort, SalesOrderRequest
from adapters.errors import RejectionError, TransientError


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
