"""`ErpCallLimiter` and `RateLimitedTransport`: what the far end sees stays in budget.

The far end here is an `httpx.MockTransport` that takes a while to answer and stamps
each request at a random moment while it handles it, as SAP stamps its log; the
windows are short so the tests are quick.
"""

import asyncio
import random

import httpx
import pytest

from adapters.erp.rate_limit import CLOCK_MARGIN_SECONDS, ErpCallLimiter, RateLimitedTransport


class SlowServer:
    """Answers after `latency` seconds (each request a random share of it, when
    `jitter`), stamping every request somewhere in between."""

    def __init__(self, latency: float, *, jitter: bool = True, seed: int = 7) -> None:
        self.latency = latency
        self.jitter = jitter
        self.stamps: list[float] = []
        self._random = random.Random(seed)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        loop = asyncio.get_running_loop()
        took = self.latency * (self._random.random() if self.jitter else 1.0)
        stamp_after = took * (self._random.random() if self.jitter else 0.5)
        await asyncio.sleep(stamp_after)
        self.stamps.append(loop.time())
        await asyncio.sleep(took - stamp_after)
        return httpx.Response(200, json={"d": {}})


def most_in_any_window(stamps: list[float], window: float) -> int:
    """The most stamps within any half-open window of that length (sliding)."""
    ordered = sorted(stamps)
    most, first = 0, 0
    for last, stamp in enumerate(ordered):
        while ordered[first] <= stamp - window:
            first += 1
        most = max(most, last - first + 1)
    return most


def client_over(server: SlowServer, limiter: ErpCallLimiter) -> httpx.AsyncClient:
    transport = RateLimitedTransport(limiter, httpx.MockTransport(server))
    return httpx.AsyncClient(transport=transport, base_url="http://sap.test")


@pytest.mark.parametrize(
    ("per_second", "calls", "window"),
    [(20, 20, 1.0), (20.9, 20, 1.0), (2.5, 2, 1.0), (1, 1, 1.0), (0.5, 1, 2.0), (0.25, 1, 4.0)],
)
def test_a_budget_per_second_as_calls_per_window(
    per_second: float, calls: int, window: float
) -> None:
    limiter = ErpCallLimiter.per_second(per_second)

    assert limiter.calls == calls
    assert limiter.window_seconds == pytest.approx(window + CLOCK_MARGIN_SECONDS)
    assert limiter.calls / (window * per_second) <= 1


@pytest.mark.parametrize("per_second", [0, -1, float("nan")])
def test_a_budget_must_be_positive(per_second: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        ErpCallLimiter.per_second(per_second)


async def test_no_window_as_the_server_stamps_holds_more_than_the_limit() -> None:
    window = 0.2
    server = SlowServer(latency=0.08)
    limiter = ErpCallLimiter(3, window)
    async with client_over(server, limiter) as client:
        started = asyncio.get_running_loop().time()
        answers = await asyncio.gather(*(client.get(f"/r/{n}") for n in range(15)))
        took = asyncio.get_running_loop().time() - started

    assert all(a.status_code == 200 for a in answers)
    assert len(server.stamps) == 15
    assert most_in_any_window(server.stamps, window) <= 3
    assert took >= 4 * window  # 15 calls, 3 per window: at least four windows waited


async def test_a_request_counts_while_in_flight_and_a_window_after_its_answer() -> None:
    window = 0.1
    server = SlowServer(latency=0.25, jitter=False)  # longer than the window
    limiter = ErpCallLimiter(2, window)
    loop = asyncio.get_running_loop()

    async with client_over(server, limiter) as client:
        started = loop.time()
        calls = [asyncio.ensure_future(client.get(f"/r/{n}")) for n in range(3)]
        await asyncio.sleep(0.05)
        assert limiter.in_use == 2  # two in flight; the third waits for them
        await asyncio.gather(*calls)
        took = loop.time() - started

    # the third went once an answer was a window old (0.25 + 0.1), then took 0.25
    assert took >= 0.25 + window + 0.25
    assert most_in_any_window(server.stamps, window) <= 2


async def test_a_cancelled_waiter_gives_up_its_place() -> None:
    limiter = ErpCallLimiter(1, 0.05)
    order: list[str] = []

    async def use(name: str, hold: float = 0.0) -> None:
        async with limiter.slot():
            order.append(name)
            await asyncio.sleep(hold)

    first = asyncio.ensure_future(use("first", hold=0.05))
    await asyncio.sleep(0.01)
    cancelled = asyncio.ensure_future(use("cancelled"))
    later = asyncio.ensure_future(use("later"))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    await asyncio.gather(first, later, cancelled, return_exceptions=True)

    assert order == ["first", "later"]
    assert cancelled.cancelled()


async def test_a_failed_request_counts_too() -> None:
    limiter = ErpCallLimiter(1, 0.2)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    transport = RateLimitedTransport(limiter, httpx.MockTransport(refuse))
    async with httpx.AsyncClient(transport=transport, base_url="http://sap.test") as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("/r")
        assert limiter.in_use == 1
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(httpx.ConnectError):
            await client.get("/r")

    assert loop.time() - started >= 0.19
