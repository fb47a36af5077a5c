"""`CachedErpLookups` over `FakeErp` (calls counted in `FakeErp.calls`), and two verdicts
over the SAP adapter on `httpx.MockTransport` that look things up once."""

import asyncio
import contextlib

import httpx
import pytest
from temporalio.testing import ActivityEnvironment

from activities.contracts import ValidateOrderInput
from activities.erp import ErpActivities
from adapters.erp.cached_lookups import CachedErpLookups
from adapters.erp.fake import FakeErp
from adapters.erp.port import ErpCustomer, ErpLookups, ErpProduct
from adapters.erp.sap import SapErpAdapter
from adapters.erp.sap_settings import SapSettings
from adapters.errors import RejectionError, TransientError
from canonical.pricing import DEMO_PRICE_LIST
from tests.adapters.conftest import BASE, Gateway, entity, sap_error
from tests.unit.builders import submission


class Clock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Gated:
    """`ErpLookups` over a `FakeErp` whose answers wait until `open` is set, so that
    lookups overlap for as long as a test needs."""

    def __init__(self, erp: FakeErp) -> None:
        self.erp = erp
        self.open = asyncio.Event()
        self.started = 0

    async def get_customer(self, customer_id: str) -> ErpCustomer | None:
        self.started += 1
        await self.open.wait()
        return await self.erp.get_customer(customer_id)

    async def get_product(self, sku: str) -> ErpProduct | None:
        self.started += 1
        await self.open.wait()
        return await self.erp.get_product(sku)


async def settle() -> None:
    """Let every task that can run, run (until each waits on something)."""
    for _ in range(10):
        await asyncio.sleep(0)


@pytest.fixture
def erp() -> FakeErp:
    return FakeErp()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(erp: FakeErp, clock: Clock) -> CachedErpLookups:
    return CachedErpLookups(erp, 300, not_found_ttl_seconds=30, clock=clock)


def test_is_the_lookup_part_of_the_port(cache: CachedErpLookups) -> None:
    lookups: ErpLookups = cache
    assert lookups is cache


async def test_second_lookup_makes_no_erp_call(cache: CachedErpLookups, erp: FakeErp) -> None:
    first = await cache.get_customer("1000001")
    second = await cache.get_customer("1000001")
    product = await cache.get_product("TG11")
    again = await cache.get_product("TG11")

    assert first == second == erp.customers["1000001"]
    assert product == again == erp.products["TG11"]
    assert erp.calls == [("get_customer", "1000001"), ("get_product", "TG11")]


async def test_customers_and_products_are_kept_apart(cache: CachedErpLookups, erp: FakeErp) -> None:
    erp.products["1000001"] = ErpProduct(sku="1000001", base_unit="PC")

    assert await cache.get_customer("1000001") == erp.customers["1000001"]
    assert await cache.get_product("1000001") == erp.products["1000001"]
    assert len(erp.calls) == 2


async def test_an_answer_expires_after_the_ttl(
    cache: CachedErpLookups, erp: FakeErp, clock: Clock
) -> None:
    await cache.get_customer("1000001")
    clock.advance(299.9)
    await cache.get_customer("1000001")
    assert len(erp.calls_to("get_customer")) == 1

    erp.customers["1000001"] = erp.customers["1000001"].model_copy(update={"blocked": True})
    clock.advance(0.1)
    refreshed = await cache.get_customer("1000001")

    assert refreshed is not None and refreshed.blocked
    assert len(erp.calls_to("get_customer")) == 2


async def test_not_found_is_kept_for_the_short_ttl_only(
    cache: CachedErpLookups, erp: FakeErp, clock: Clock
) -> None:
    assert await cache.get_product("NEW-1") is None
    clock.advance(29)
    assert await cache.get_product("NEW-1") is None
    assert len(erp.calls_to("get_product")) == 1

    erp.products["NEW-1"] = ErpProduct(sku="NEW-1", base_unit="PC")
    clock.advance(1)

    assert await cache.get_product("NEW-1") == erp.products["NEW-1"]
    assert len(erp.calls_to("get_product")) == 2


async def test_not_found_ttl_never_outlasts_the_ttl(erp: FakeErp, clock: Clock) -> None:
    cache = CachedErpLookups(erp, 10, not_found_ttl_seconds=60, clock=clock)
    await cache.get_customer("4711")
    clock.advance(10)
    await cache.get_customer("4711")

    assert len(erp.calls_to("get_customer")) == 2


@pytest.mark.parametrize(
    "failure",
    [
        TransientError("SAP: no work process available", system="erp"),
        RejectionError("refused", code="ERP_REJECTED", system="erp"),
    ],
)
async def test_a_failure_is_not_cached(
    cache: CachedErpLookups, erp: FakeErp, failure: Exception
) -> None:
    erp.fail_next("get_customer", failure)

    with pytest.raises(type(failure)):
        await cache.get_customer("1000001")
    found = await cache.get_customer("1000001")
    await cache.get_customer("1000001")

    assert found == erp.customers["1000001"]
    assert len(erp.calls_to("get_customer")) == 2  # the failure, then one answer kept


async def test_concurrent_lookups_of_one_key_make_one_call(erp: FakeErp, clock: Clock) -> None:
    gated = Gated(erp)
    cache = CachedErpLookups(gated, 300, clock=clock)

    waiting = [asyncio.ensure_future(cache.get_product("TG11")) for _ in range(5)]
    other = asyncio.ensure_future(cache.get_product("TG12"))
    await settle()
    assert gated.started == 2  # one call per key so far, the others wait for it
    gated.open.set()
    answers = await asyncio.gather(*waiting)

    assert answers == [erp.products["TG11"]] * 5
    assert await other == erp.products["TG12"]
    assert sorted(erp.calls_to("get_product")) == [("get_product", "TG11"), ("get_product", "TG12")]


async def test_concurrent_lookups_share_a_failure_and_the_next_one_asks_again(
    erp: FakeErp, clock: Clock
) -> None:
    gated = Gated(erp)
    cache = CachedErpLookups(gated, 300, clock=clock)
    erp.fail_next("get_customer", TransientError("timeout", system="erp"))

    waiting = [asyncio.ensure_future(cache.get_customer("1000001")) for _ in range(3)]
    await settle()
    gated.open.set()
    outcomes = await asyncio.gather(*waiting, return_exceptions=True)

    assert all(isinstance(o, TransientError) for o in outcomes)
    assert len(erp.calls_to("get_customer")) == 1
    assert await cache.get_customer("1000001") == erp.customers["1000001"]
    assert len(erp.calls_to("get_customer")) == 2


async def test_a_cancelled_waiter_does_not_cancel_the_shared_call(
    erp: FakeErp, clock: Clock
) -> None:
    gated = Gated(erp)
    cache = CachedErpLookups(gated, 300, clock=clock)

    first = asyncio.ensure_future(cache.get_customer("1000001"))
    second = asyncio.ensure_future(cache.get_customer("1000001"))
    await settle()
    first.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await first
    gated.open.set()

    assert await second == erp.customers["1000001"]
    assert await cache.get_customer("1000001") == erp.customers["1000001"]
    assert len(erp.calls_to("get_customer")) == 1


async def test_size_is_bounded_least_recently_used_first(erp: FakeErp, clock: Clock) -> None:
    cache = CachedErpLookups(erp, 300, max_entries=2, clock=clock)
    await cache.get_product("TG11")
    await cache.get_product("TG12")
    await cache.get_product("TG11")  # TG12 is now the least recently used
    await cache.get_customer("1000001")  # one too many: TG12 goes

    assert cache.held == 2
    await cache.get_product("TG11")
    await cache.get_product("TG12")
    assert [c[1] for c in erp.calls_to("get_product")] == ["TG11", "TG12", "TG12"]


async def test_ttl_zero_turns_the_cache_off(erp: FakeErp, clock: Clock) -> None:
    cache = CachedErpLookups(erp, 0, clock=clock)
    for _ in range(3):
        await cache.get_customer("1000001")

    assert len(erp.calls_to("get_customer")) == 3
    assert cache.held == 0


def test_bad_settings_are_refused(erp: FakeErp) -> None:
    with pytest.raises(ValueError, match="negative"):
        CachedErpLookups(erp, -1)
    with pytest.raises(ValueError, match="at least one"):
        CachedErpLookups(erp, 300, max_entries=0)


async def test_two_verdicts_over_sap_look_things_up_once(gateway: Gateway) -> None:
    gateway.on(
        "GET",
        r"/A_BusinessPartner\('1000001'\)$",
        entity(
            BusinessPartner="1000001", Customer="1000001", BusinessPartnerFullName="Becker Berlin"
        ),
    )
    for sku in ("TG11", "TG12"):
        gateway.on(
            "GET",
            rf"/A_Product\('{sku}'\)$",
            entity(
                Product=sku,
                BaseUnit="PC",
                to_Description={"results": [{"Language": "EN", "ProductDescription": sku}]},
            ),
        )
    client = httpx.AsyncClient(transport=httpx.MockTransport(gateway), base_url=BASE)
    async with SapErpAdapter(client, SapSettings(base_url=BASE)) as sap:
        acts = ErpActivities(sap, DEMO_PRICE_LIST, lookups=CachedErpLookups(sap, 300))
        env = ActivityEnvironment()
        verdicts = [
            await env.run(
                acts.validate_order,
                ValidateOrderInput(order_id=f"ORD-{n}", submission=submission()),
            )
            for n in (1, 2)
        ]

    assert all(v.order is not None and v.reasons == [] for v in verdicts)
    looked_up = sorted(r.url.path.rsplit("/", 1)[-1] for r in gateway.requests)
    assert looked_up == ["A_BusinessPartner('1000001')", "A_Product('TG11')", "A_Product('TG12')"]


async def test_a_verdict_after_an_erp_error_asks_sap_again(gateway: Gateway) -> None:
    gateway.on(
        "GET",
        r"/A_BusinessPartner\('1000001'\)$",
        sap_error(503, "No work process is available"),
        entity(BusinessPartner="1000001", Customer="1000001", BusinessPartnerFullName="B"),
    )
    client = httpx.AsyncClient(transport=httpx.MockTransport(gateway), base_url=BASE)
    async with SapErpAdapter(client, SapSettings(base_url=BASE)) as sap:
        cache = CachedErpLookups(sap, 300)
        with pytest.raises(TransientError):
            await cache.get_customer("1000001")
        assert await cache.get_customer("1000001") is not None
        assert await cache.get_customer("1000001") is not None

    assert len(gateway.requests) == 2
