"""`FakeErp` and `SapErpAdapter` (against mock-sap) keep one contract for returns orders,
their cancellation and credit memos: every test here runs against both, but the last
few, which are about the fake alone (what it records, its scripted failures)."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from adapters.erp.fake import FakeErp
from adapters.erp.port import (
    BillingDocumentRef,
    ErpOrderItem,
    ErpPort,
)
from adapters.errors import RejectionError, TransientError
from tests.adapters.conftest import (
    TODAY,
    credit_memo_request,
    returned,
    returns_request,
    sold_and_billed,
)

KEY = "rma-RMA-1:returns_order"


@dataclass
class Erp:
    """The port under test, and the sales order a return comes from."""

    port: ErpPort
    sales_order: str = ""

    async def sold_and_billed(self) -> BillingDocumentRef:
        self.sales_order, invoice = await sold_and_billed(self.port)
        return invoice


@pytest.fixture
def erp(either_erp: ErpPort) -> Erp:
    return Erp(either_erp)


async def test_a_returns_order_is_made_once_per_key(erp: Erp) -> None:
    await erp.sold_and_billed()

    first = await erp.port.create_returns_order(returns_request(erp.sales_order))
    again = await erp.port.create_returns_order(returns_request(erp.sales_order))
    other = await erp.port.create_returns_order(
        returns_request(erp.sales_order, key="rma-RMA-6:returns_order")
    )

    assert first.created is True and first.returns_order
    assert again == first.model_copy(update={"created": False})
    assert other.created is True and other.returns_order != first.returns_order


@pytest.mark.parametrize(
    "wrong", [returned(line_no=20), returned(sku="TG12")], ids=["no such line", "another material"]
)
async def test_returning_what_the_order_does_not_have_is_rejected(
    erp: Erp, wrong: ErpOrderItem
) -> None:
    await erp.sold_and_billed()

    with pytest.raises(RejectionError) as caught:
        await erp.port.create_returns_order(returns_request(erp.sales_order, wrong))

    assert caught.value.code == "ERP_REJECTED"


async def test_a_return_against_an_order_that_does_not_exist_is_rejected(erp: Erp) -> None:
    erp.sales_order = "0009999999"

    with pytest.raises(RejectionError) as caught:
        await erp.port.create_returns_order(returns_request(erp.sales_order))

    assert caught.value.code == "ERP_REJECTED"


async def test_cancel_is_idempotent_and_finds_a_lost_order_by_its_key(erp: Erp) -> None:
    await erp.sold_and_billed()
    first = await erp.port.create_returns_order(returns_request(erp.sales_order))
    lost = await erp.port.create_returns_order(
        returns_request(erp.sales_order, key="rma-RMA-6:returns_order")
    )

    await erp.port.cancel_returns_order(first.returns_order, KEY)
    await erp.port.cancel_returns_order(first.returns_order, KEY)
    await erp.port.cancel_returns_order("", "rma-RMA-6:returns_order")
    await erp.port.cancel_returns_order("", "rma-RMA-7:returns_order")  # never made

    # both are gone: their keys make new orders now
    assert (await erp.port.create_returns_order(returns_request(erp.sales_order))).created is True
    again = await erp.port.create_returns_order(
        returns_request(erp.sales_order, key="rma-RMA-6:returns_order")
    )
    assert again.created is True and again.returns_order != lost.returns_order


async def test_cancel_refuses_an_ordinary_sales_order(erp: Erp) -> None:
    await erp.sold_and_billed()

    with pytest.raises(RejectionError) as caught:
        await erp.port.cancel_returns_order(erp.sales_order, KEY)

    assert caught.value.code == "ERP_INVALID_REQUEST"
    assert await erp.port.find_sales_order("order-ORD-9:create_sales_order") == erp.sales_order


async def test_a_credit_memo_is_the_items_less_the_fee_with_tax_made_once(erp: Erp) -> None:
    invoice = await erp.sold_and_billed()
    rma = await erp.port.create_returns_order(returns_request(erp.sales_order))

    first = await erp.port.create_credit_memo(
        credit_memo_request(rma.returns_order, invoice.billing_document)
    )
    again = await erp.port.create_credit_memo(
        credit_memo_request(rma.returns_order, invoice.billing_document)
    )

    assert (first.net_amount, first.tax_amount, first.gross_amount) == (
        Decimal("180.00"),
        Decimal("34.20"),
        Decimal("214.20"),
    )
    assert first.created is True and first.credit_memo and first.accounting_document
    assert first.accounting_document != invoice.accounting_document
    assert again == first.model_copy(update={"created": False})
    # the credit is no receivable and pays nothing: the invoice is owed in full
    [owed] = await erp.port.open_receivables("1000001")
    assert (owed.billing_document, owed.open_amount) == (
        invoice.billing_document,
        Decimal("1071.00"),
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"original_billing_document": "0090999999"}, "ERP_REJECTED"),
        ({"customer_id": "1000002"}, "ERP_REJECTED"),
        ({"currency": "USD"}, "ERP_REJECTED"),
        ({"fee": Decimal("200.00")}, "ERP_INVALID_REQUEST"),
        ({"fee": Decimal("-5.00")}, "ERP_INVALID_REQUEST"),
        ({"items": []}, "ERP_INVALID_REQUEST"),
    ],
)
async def test_a_credit_memo_that_does_not_fit_its_invoice_is_refused(
    erp: Erp, changes: dict[str, object], code: str
) -> None:
    invoice = await erp.sold_and_billed()
    rma = await erp.port.create_returns_order(returns_request(erp.sales_order))

    with pytest.raises(RejectionError) as caught:
        await erp.port.create_credit_memo(
            credit_memo_request(rma.returns_order, invoice.billing_document).model_copy(
                update=changes
            )
        )

    assert caught.value.code == code


# -- FakeErp's own: what it records, and failures on demand --------------------------------


async def test_the_fake_records_returns_and_a_lost_answer_is_found_by_the_retry() -> None:
    erp = FakeErp(today=lambda: TODAY)
    order, invoice = await sold_and_billed(erp)
    erp.fail_next("create_returns_order", TransientError("timeout"), after_effect=True)
    erp.fail_next("create_credit_memo", TransientError("timeout"), after_effect=True)

    with pytest.raises(TransientError):
        await erp.create_returns_order(returns_request(order))
    rma = await erp.create_returns_order(returns_request(order))
    memo_request = credit_memo_request(rma.returns_order, invoice.billing_document)
    with pytest.raises(TransientError):
        await erp.create_credit_memo(memo_request)
    memo = await erp.create_credit_memo(memo_request)

    assert rma.created is False and memo.created is False
    assert erp.returns_orders == {rma.returns_order: returns_request(order)}
    assert erp.credit_memos == {memo.credit_memo: memo_request}
    assert (
        erp.calls_to("create_credit_memo") == [("create_credit_memo", "rma-RMA-1:credit_memo")] * 2
    )


async def test_the_fake_fails_before_the_effect_and_records_a_cancel_once() -> None:
    erp = FakeErp(today=lambda: TODAY)
    order, _ = await sold_and_billed(erp)
    erp.fail_next("create_returns_order", RejectionError("no", code="ERP_REJECTED"))
    erp.fail_next("cancel_returns_order", TransientError("busy"))

    with pytest.raises(RejectionError):
        await erp.create_returns_order(returns_request(order))
    assert erp.returns_orders == {}
    rma = await erp.create_returns_order(returns_request(order))
    with pytest.raises(TransientError):
        await erp.cancel_returns_order("", KEY)
    assert list(erp.returns_orders) == [rma.returns_order]  # failed before its effect
    await erp.cancel_returns_order("", KEY)
    await erp.cancel_returns_order(rma.returns_order, KEY)

    assert erp.returns_orders == {} and erp.cancelled_returns == [rma.returns_order]
    assert erp.calls_to("cancel_returns_order")[-1] == (
        "cancel_returns_order",
        rma.returns_order,
        KEY,
    )


async def test_the_fake_wants_the_returns_order_a_credit_memo_follows() -> None:
    # SAP would refuse a G2 without its reference; mock-sap stores it, so this one is
    # the fake's alone
    erp = FakeErp(today=lambda: TODAY)
    order, invoice = await sold_and_billed(erp)
    rma = await erp.create_returns_order(returns_request(order))
    await erp.cancel_returns_order(rma.returns_order, KEY)

    with pytest.raises(RejectionError) as caught:
        await erp.create_credit_memo(
            credit_memo_request(rma.returns_order, invoice.billing_document)
        )

    assert caught.value.code == "ERP_REJECTED" and erp.credit_memos == {}
