"""The fakes keep the sandbox's contract for returns: return labels, restock, scrap.

Like `test_fakes`, each contract test runs against the fake and against the HTTP
adapter over the sandbox app; the fake-only tests at the end cover recording and
scripted failures.
"""

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.carrier.fake import FakeCarrier
from adapters.carrier.http import HttpCarrierAdapter
from adapters.carrier.port import CarrierPort, ReturnLabelRequest
from adapters.errors import RejectionError, TransientError
from adapters.wms.fake import FakeWms
from adapters.wms.http import HttpWmsAdapter
from adapters.wms.port import DispositionRequest, WmsPort
from canonical.address import Address
from tests.sandbox.harness import ADDRESS, fast_settings, open_sandbox

SEED = {("W1", "TG11"): 500, ("W2", "TG11"): 200}


def disposition(key: str = "K1", quantity: str = "2", **changes: str) -> DispositionRequest:
    values = {"idempotency_key": key, "rma_id": "RMA-1", "warehouse": "W1", "sku": "TG11"}
    return DispositionRequest(quantity=Decimal(quantity), **{**values, **changes})


def return_request(
    rma_id: str = "RMA-1", country: str = "DE", carrier: str = ""
) -> ReturnLabelRequest:
    return ReturnLabelRequest(
        rma_id=rma_id,
        order_id="O1",
        ship_from=Address.model_validate({**ADDRESS, "country": country}),
        to_warehouse="W1",
        carrier=carrier,
    )


@pytest.fixture(params=["fake", "sandbox"])
async def wms(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[WmsPort]:
    if request.param == "fake":
        yield FakeWms(SEED)
        return
    async with open_sandbox(fast_settings(tmp_path)) as sandbox:
        layout = [{"warehouse": w, "sku": s, "on_hand": q} for (w, s), q in SEED.items()]
        assert (await sandbox.client.put("/wms/stock", json=layout)).status_code == 200
        yield HttpWmsAdapter(sandbox.client)


@pytest.fixture(params=["fake", "sandbox"])
async def carrier(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[CarrierPort]:
    if request.param == "fake":
        yield FakeCarrier()
        return
    async with open_sandbox(fast_settings(tmp_path)) as sandbox:
        yield HttpCarrierAdapter(sandbox.client)


async def levels(port: WmsPort) -> set[tuple[str, str, int, int]]:
    return {(s.warehouse, s.sku, s.on_hand, s.available) for s in await port.stock([])}


# -- the WMS contract --


async def test_restock_adds_stock_once_per_key(wms: WmsPort) -> None:
    await wms.restock(disposition("K1", "2"))
    await wms.restock(disposition("K1", "2.0"))
    await wms.restock(disposition("K2", "1", warehouse="W2"))

    assert await levels(wms) == {("W1", "TG11", 502, 502), ("W2", "TG11", 201, 201)}


async def test_restock_of_a_sku_new_to_the_warehouse(wms: WmsPort) -> None:
    await wms.restock(disposition(sku="NEW-1", quantity="3"))

    assert ("W1", "NEW-1", 3, 3) in await levels(wms)


async def test_scrap_is_booked_once_and_changes_no_stock(wms: WmsPort) -> None:
    before = await levels(wms)

    await wms.scrap(disposition("K1", "4"))
    await wms.scrap(disposition("K1", "4"))

    assert await levels(wms) == before
    with pytest.raises(RejectionError) as caught:
        await wms.restock(disposition("K1", "4"))
    assert caught.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert await levels(wms) == before


@pytest.mark.parametrize(
    "other",
    [disposition("K1", "3"), disposition("K1", rma_id="RMA-2"), disposition("K1", sku="TG12")],
)
async def test_a_key_reused_for_another_disposition(
    wms: WmsPort, other: DispositionRequest
) -> None:
    await wms.restock(disposition("K1"))

    with pytest.raises(RejectionError) as caught:
        await wms.restock(other)

    assert caught.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert ("W1", "TG11", 502, 502) in await levels(wms)


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (disposition(warehouse="W9"), "UNKNOWN_WAREHOUSE"),
        (disposition(quantity="1.5"), "WMS_REJECTED"),
        (disposition(quantity="0"), "WMS_REJECTED"),
        (disposition(quantity="-1"), "WMS_REJECTED"),
    ],
)
async def test_bad_dispositions_are_rejected(
    wms: WmsPort, bad: DispositionRequest, code: str
) -> None:
    before = await levels(wms)

    for call in (wms.restock(bad), wms.scrap(bad)):
        with pytest.raises(RejectionError) as caught:
            await call
        assert caught.value.code == code

    assert await levels(wms) == before
    await wms.restock(disposition(bad.idempotency_key))  # nothing was booked with the key


# -- the carrier contract --


async def test_a_return_label_is_issued_once(carrier: CarrierPort) -> None:
    first = await carrier.buy_return_label(return_request())
    again = await carrier.buy_return_label(return_request(carrier="ACME-PARCEL"))

    assert first == again
    assert (first.carrier, first.service) == ("SANDBOX-PARCEL", "return")
    assert first.tracking_number.startswith("1ZSBX")
    assert len(first.tracking_number) == 15


async def test_void_twice_then_issue_gives_a_new_return_label(carrier: CarrierPort) -> None:
    first = await carrier.buy_return_label(return_request())

    await carrier.void_return_label("RMA-1")
    await carrier.void_return_label("RMA-1")
    await carrier.void_return_label("NEVER")
    second = await carrier.buy_return_label(return_request())

    assert second.tracking_number != first.tracking_number
    assert second.label_id != first.label_id


async def test_another_carrier_issues_return_labels(carrier: CarrierPort) -> None:
    label = await carrier.buy_return_label(return_request(carrier="ACME-PARCEL"))

    assert (label.carrier, label.service) == ("ACME-PARCEL", "return")
    assert label.tracking_number.startswith("ACME")


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (return_request(country="KP"), "ADDRESS_NOT_SERVICEABLE"),
        (return_request(carrier="NOPE"), "UNKNOWN_CARRIER"),
    ],
)
async def test_return_labels_no_carrier_can_issue(
    carrier: CarrierPort, bad: ReturnLabelRequest, code: str
) -> None:
    with pytest.raises(RejectionError) as caught:
        await carrier.buy_return_label(bad)

    assert caught.value.code == code
    await carrier.void_return_label(bad.rma_id)  # nothing was issued: nothing to refuse


async def test_return_and_outbound_labels_are_apart(carrier: CarrierPort) -> None:
    await carrier.buy_return_label(return_request("O1-S1"))

    await carrier.void_label("O1-S1")  # no outbound label: counts as voided
    again = await carrier.buy_return_label(return_request("O1-S1"))

    assert again == await carrier.buy_return_label(return_request("O1-S1"))


# -- what only the fakes do: recording and scripted failures --


async def test_fake_wms_records_dispositions_and_a_lost_response_restocks_once() -> None:
    wms = FakeWms(SEED)
    wms.fail_next("restock", TransientError("timeout", system="wms"), after_effect=True)
    wms.fail_next("scrap", TransientError("down", system="wms"))

    with pytest.raises(TransientError):
        await wms.restock(disposition("K1"))
    await wms.restock(disposition("K1"))
    with pytest.raises(TransientError):
        await wms.scrap(disposition("K2", "1"))
    assert wms.scrapped == {}
    await wms.scrap(disposition("K2", "1"))

    assert wms.on_hand["W1", "TG11"] == 502
    assert wms.restocked == {"K1": disposition("K1")}
    assert wms.scrapped == {"K2": disposition("K2", "1")}
    assert wms.calls_to("restock") == [("restock", "K1")] * 2
    assert wms.calls_to("scrap") == [("scrap", "K2")] * 2


async def test_fake_carrier_records_return_labels_and_fails_on_demand() -> None:
    carrier = FakeCarrier()
    carrier.fail_next("buy_return_label", TransientError("down", system="carrier"))
    carrier.fail_next(
        "void_return_label", TransientError("lost", system="carrier"), after_effect=True
    )

    with pytest.raises(TransientError):
        await carrier.buy_return_label(return_request())
    assert carrier.return_labels == {}
    label = await carrier.buy_return_label(return_request())
    assert carrier.return_labels == {"RMA-1": label}
    assert carrier.return_requests == {"RMA-1": return_request()}
    with pytest.raises(TransientError):
        await carrier.void_return_label("RMA-1")

    assert carrier.return_labels == {}
    assert carrier.voided_returns == {"RMA-1"}
    assert carrier.labels == {}  # outbound labels are untouched
    assert [method for method, _ in carrier.calls] == [
        "buy_return_label",
        "buy_return_label",
        "void_return_label",
    ]
    await carrier.buy_return_label(return_request())
    assert carrier.voided_returns == set()
