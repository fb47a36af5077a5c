"""ERP activities over `FakeErp`, run in Temporal's `ActivityEnvironment`."""

from decimal import Decimal

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.contracts import (
    CancelSalesOrderInput,
    CreateBillingDocumentInput,
    CreateSalesOrderInput,
    ValidateOrderInput,
)
from activities.erp import ErpActivities
from adapters.erp.fake import FakeErp
from adapters.errors import NotFoundError, RejectionError, TransientError
from canonical.money import Money
from canonical.orders import RejectionCode
from canonical.pricing import DEMO_PRICE_LIST
from canonical.quantities import UnitOfMeasure
from canonical.shipments import Shipment, ShipmentLine
from tests.unit.builders import line, order, submission

ORDER = order("ORD-1", ("TG11", "3", "0.475"), ("TG12", "2", "149.50"))


@pytest.fixture
def erp() -> FakeErp:
    return FakeErp()


@pytest.fixture
def acts(erp: FakeErp) -> ErpActivities:
    return ErpActivities(erp, DEMO_PRICE_LIST)


@pytest.fixture
def env() -> ActivityEnvironment:
    return ActivityEnvironment()


async def test_validate_order_accepts_a_good_submission(
    env: ActivityEnvironment, acts: ErpActivities, erp: FakeErp
) -> None:
    result = await env.run(
        acts.validate_order, ValidateOrderInput(order_id="ORD-1", submission=submission())
    )

    assert result.reasons == []
    assert result.order is not None
    assert result.order.customer_name == "Becker Berlin"
    assert result.order.total == Money(amount=Decimal("774.00"))
    assert erp.calls_to("get_customer") == [("get_customer", "1000001")]
    assert sorted(erp.calls_to("get_product")) == [("get_product", "TG11"), ("get_product", "TG12")]


async def test_validate_order_looks_each_sku_up_once(
    env: ActivityEnvironment, acts: ErpActivities, erp: FakeErp
) -> None:
    sub = submission(line("TG11", "1"), line("TG11", "2"), line("TG11", "3"))

    result = await env.run(acts.validate_order, ValidateOrderInput(order_id="O", submission=sub))

    assert result.order is not None
    assert [ln.line_no for ln in result.order.lines] == [10, 20, 30]
    assert erp.calls_to("get_product") == [("get_product", "TG11")]


async def test_validate_order_returns_reasons_not_an_error(
    env: ActivityEnvironment, acts: ErpActivities
) -> None:
    sub = submission(line("TG11", "1"), line("NOPE", "1"), customer_id="1000099")

    result = await env.run(acts.validate_order, ValidateOrderInput(order_id="O", submission=sub))

    assert result.order is None
    assert [(r.code, r.line_no) for r in result.reasons] == [
        (RejectionCode.CUSTOMER_BLOCKED, None),
        (RejectionCode.UNKNOWN_ITEM, 20),
    ]


async def test_a_rejection_becomes_a_non_retryable_application_error(
    env: ActivityEnvironment, acts: ErpActivities, erp: FakeErp
) -> None:
    erp.fail_next(
        "get_customer", RejectionError("customer archived", code="CUSTOMER_ARCHIVED", system="erp")
    )

    with pytest.raises(ApplicationError) as caught:
        await env.run(
            acts.validate_order, ValidateOrderInput(order_id="O", submission=submission())
        )

    assert caught.value.type == "CUSTOMER_ARCHIVED"
    assert caught.value.non_retryable is True
    assert caught.value.details == ({"code": "CUSTOMER_ARCHIVED", "system": "erp"},)
    assert "erp refused: customer archived" in str(caught.value)
    assert isinstance(caught.value.__cause__, RejectionError)


async def test_a_transient_error_propagates_unchanged(
    env: ActivityEnvironment, acts: ErpActivities, erp: FakeErp
) -> None:
    boom = TransientError("503 no work process", system="erp")
    erp.fail_next("get_product", boom)

    with pytest.raises(TransientError) as caught:
        await env.run(
            acts.validate_order, ValidateOrderInput(order_id="O", submission=submission())
        )

    assert caught.value is boom


async def test_create_sales_order_sends_the_priced_lines(
    env: ActivityEnvironment, acts: ErpActivities, erp: FakeErp
) -> None:
    result = await env.run(
        acts.create_sales_order, CreateSalesOrderInput(idempotency_key="K1", order=ORDER)
    )

    assert result.created is True
    request = erp.sales_orders[result.sales_order]
    assert request.customer_po == "ORD-1"  # no PO given: our order id stands in
    assert [(i.line_no, i.sku, i.net_amount) for i in request.items] == [
        (10, "TG11", Decimal("1.43")),
        (20, "TG12", Decimal("299.00")),
    ]


async def test_create_sales_order_twice_with_one_key_makes_one_order(
    env: ActivityEnvironment, acts: ErpActivities, erp: FakeErp
) -> None:
    data = CreateSalesOrderInput(idempotency_key="K1", order=ORDER)

    first = await env.run(acts.create_sales_order, data)
    again = await env.run(acts.create_sales_order, data)

    assert (again.sales_order, again.created) == (first.sales_order, False)
    assert len(erp.sales_orders) == 1


async def test_create_sales_order_refused_by_the_erp(
    env: ActivityEnvironment, acts: ErpActivities
) -> None:
    stranger = ORDER.model_copy(update={"customer_id": "9999999"})

    with pytest.raises(ApplicationError) as caught:
        await env.run(
            acts.create_sales_order, CreateSalesOrderInput(idempotency_key="K1", order=stranger)
        )

    assert (caught.value.type, caught.value.non_retryable) == ("ERP_REJECTED", True)


async def test_cancel_with_a_known_number(
    env: ActivityEnvironment, acts: ErpActivities, erp: FakeErp
) -> None:
    created = await env.run(
        acts.create_sales_order, CreateSalesOrderInput(idempotency_key="K1", order=ORDER)
    )

    result = await env.run(
        acts.cancel_sales_order,
        CancelSalesOrderInput(idempotency_key="K1", sales_order=created.sales_order, reason="r"),
    )

    assert (result.sales_order, result.cancelled) == (created.sales_order, True)
    assert erp.calls_to("find_sales_order") == []
    assert erp.cancel_reasons == {created.sales_order: "r"}


async def test_cancel_without_a_number_finds_the_order_by_key(
    env: ActivityEnvironment, acts: ErpActivities, erp: FakeErp
) -> None:
    # The create's response was lost: the order exists but the workflow never saw it.
    erp.fail_next("create_sales_order", TransientError("timeout"), after_effect=True)
    with pytest.raises(TransientError):
        await env.run(
            acts.create_sales_order, CreateSalesOrderInput(idempotency_key="K1", order=ORDER)
        )
    [number] = erp.sales_orders

    result = await env.run(
        acts.cancel_sales_order,
        CancelSalesOrderInput(idempotency_key="K1", reason="customer cancelled"),
    )

    assert (result.sales_order, result.cancelled) == (number, True)
    assert erp.calls_to("find_sales_order") == [("find_sales_order", "K1")]
    assert erp.cancelled == [number]
    assert erp.sales_orders == {}


async def test_cancel_when_nothing_was_created(
    env: ActivityEnvironment, acts: ErpActivities, erp: FakeErp
) -> None:
    result = await env.run(
        acts.cancel_sales_order, CancelSalesOrderInput(idempotency_key="K-never", reason="r")
    )

    assert (result.sales_order, result.cancelled) == ("", False)
    assert erp.calls_to("cancel_sales_order") == []


async def test_cancel_refused_by_the_erp(
    env: ActivityEnvironment, acts: ErpActivities, erp: FakeErp
) -> None:
    erp.fail_next("cancel_sales_order", NotFoundError("gone", system="erp"))

    with pytest.raises(ApplicationError) as caught:
        await env.run(
            acts.cancel_sales_order,
            CancelSalesOrderInput(idempotency_key="K1", sales_order="5000001", reason="r"),
        )

    assert caught.value.type == "NOT_FOUND"


async def test_billing_bills_the_shipped_lines_at_the_order_prices(
    env: ActivityEnvironment, acts: ErpActivities, erp: FakeErp
) -> None:
    created = await env.run(
        acts.create_sales_order, CreateSalesOrderInput(idempotency_key="K1", order=ORDER)
    )
    # Part of line 20 only: 1 of the 2 ordered at 149.50; line 10 in full (3 x 0.475).
    shipment = Shipment(
        shipment_id="ORD-1-S1",
        warehouse="W1",
        lines=[
            ShipmentLine(line_no=20, sku="TG12", quantity=Decimal(1), uom=UnitOfMeasure.PC),
            ShipmentLine(line_no=10, sku="TG11", quantity=Decimal(3), uom=UnitOfMeasure.PC),
        ],
    )

    result = await env.run(
        acts.create_billing_document,
        CreateBillingDocumentInput(
            idempotency_key="B1", sales_order=created.sales_order, order=ORDER, shipment=shipment
        ),
    )

    invoice = result.invoice
    assert invoice.sales_order == created.sales_order
    assert invoice.shipment_id == "ORD-1-S1"
    assert [(ln.line_no, ln.sku, ln.quantity, ln.net) for ln in invoice.lines] == [
        (20, "TG12", Decimal(1), Money(amount=Decimal("149.50"))),
        (10, "TG11", Decimal(3), Money(amount=Decimal("1.43"))),
    ]
    assert invoice.net == Money(amount=Decimal("150.93"))
    request = erp.billing_documents[invoice.billing_document]
    assert (request.idempotency_key, request.customer_id, request.currency) == (
        "B1",
        "1000001",
        "EUR",
    )
    assert [i.net_amount for i in request.items] == [Decimal("149.50"), Decimal("1.43")]


async def test_billing_a_planned_shipment_bills_the_whole_order(
    env: ActivityEnvironment, acts: ErpActivities
) -> None:
    created = await env.run(
        acts.create_sales_order, CreateSalesOrderInput(idempotency_key="K1", order=ORDER)
    )
    shipment = Shipment(
        shipment_id="ORD-1-S1",
        warehouse="W1",
        lines=[
            ShipmentLine(line_no=line.line_no, sku=line.sku, quantity=line.quantity, uom=line.uom)
            for line in ORDER.lines
        ],
    )

    result = await env.run(
        acts.create_billing_document,
        CreateBillingDocumentInput(
            idempotency_key="B1", sales_order=created.sales_order, order=ORDER, shipment=shipment
        ),
    )

    assert result.invoice.net == ORDER.total


async def test_billing_an_unknown_sales_order_is_a_rejection(
    env: ActivityEnvironment, acts: ErpActivities
) -> None:
    shipment = Shipment(
        shipment_id="ORD-1-S1",
        warehouse="W1",
        lines=[ShipmentLine(line_no=10, sku="TG11", quantity=Decimal(1), uom=UnitOfMeasure.PC)],
    )

    with pytest.raises(ApplicationError) as caught:
        await env.run(
            acts.create_billing_document,
            CreateBillingDocumentInput(
                idempotency_key="B1", sales_order="404", order=ORDER, shipment=shipment
            ),
        )

    assert (caught.value.type, caught.value.non_retryable) == ("ERP_REJECTED", True)
