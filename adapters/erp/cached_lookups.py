"""A TTL cache in front of the ERP's master-data lookups, for the verdict.

Every submission's verdict (`activities.erp.ErpActivities.validate_order`) looks up its
customer and each of its items in the ERP. A portal sending orders from one customer
for the same few items would pay those calls on every order; `CachedErpLookups`
answers the repeats from memory. It implements the lookup part of the ERP port
(`adapters.erp.port.ErpLookups`) around any `ErpPort`, and nothing else: writes never
go through it.

What it keeps, and for how long:

- a customer or item found: `ttl_seconds` (`ORDERMESH_ERP_LOOKUP_TTL_SECONDS`, 300 by
  default). A change in the ERP (a customer blocked, an item marked for deletion, a
  new base unit) therefore reaches the verdict within that time rather than at once:
  a customer blocked in SAP a minute ago can still have an order accepted. SAP still
  checks the sales order it is asked to create afterwards.
- "no such thing" (None): `not_found_ttl_seconds` (`..._NOT_FOUND_TTL_SECONDS`, 30 by
  default, never longer than `ttl_seconds`). Short, because what usually follows is
  that someone creates the missing customer or item and the order is sent again; a
  burst of orders naming an unknown SKU still costs one lookup per 30 s, not one each.
- a failure (`TransientError`, a rejection, anything the ERP raised): nothing. The
  next lookup asks the ERP again, so a blip is not remembered as an answer.

`ttl_seconds` 0 turns the cache off: every lookup goes to the ERP, as without it.

Concurrency (one asyncio event loop, a worker's): lookups of the same key that overlap
share one ERP call. The first starts it; the others wait for its answer or its
failure. A waiter that is cancelled (its activity timed out) does not cancel the call
for the others. Lookups of different keys never wait for each other.

Size: at most `max_entries` answers are kept; past that the least recently used goes.
An expired answer is dropped when it is next asked for (or when it is the least
recently used).

Each worker process has its own cache; there is no invalidation from the ERP.
"""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar, cast

from adapters.erp.port import ErpCustomer, ErpLookups, ErpProduct

DEFAULT_TTL_SECONDS = 300.0
DEFAULT_NOT_FOUND_TTL_SECONDS = 30.0
DEFAULT_MAX_ENTRIES = 4096

T = TypeVar("T", ErpCustomer, ErpProduct)
_Key = tuple[str, str]
_Answer = ErpCustomer | ErpProduct | None


@dataclass(frozen=True)
class _Entry:
    answer: _Answer
    expires_at: float


class CachedErpLookups:
    """`ErpLookups` over another one, answering repeats from memory (see the module).

    Args:
        erp: Where lookups go on a miss: the SAP adapter in a worker, `FakeErp` in tests.
        ttl_seconds: How long a customer or item found is kept; 0 keeps nothing.
        not_found_ttl_seconds: How long "no such thing" is kept (at most `ttl_seconds`;
            0 keeps none).
        max_entries: How many answers are kept at most (least recently used go first).
        clock: Seconds, monotonic; `time.monotonic` unless a test moves time itself.
    """

    def __init__(
        self,
        erp: ErpLookups,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        *,
        not_found_ttl_seconds: float = DEFAULT_NOT_FOUND_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_seconds < 0 or not_found_ttl_seconds < 0:
            raise ValueError("lookup TTLs cannot be negative")
        if max_entries < 1:
            raise ValueError("the lookup cache needs room for at least one entry")
        self._erp = erp
        self._ttl = ttl_seconds
        self._not_found_ttl = min(not_found_ttl_seconds, ttl_seconds)
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[_Key, _Entry] = OrderedDict()
        self._pending: dict[_Key, asyncio.Future[_Answer]] = {}

    @property
    def held(self) -> int:
        """How many answers are held (expired ones not yet dropped included)."""
        return len(self._entries)

    async def get_customer(self, customer_id: str) -> ErpCustomer | None:
        return await self._lookup(
            ErpCustomer, ("customer", customer_id), lambda: self._erp.get_customer(customer_id)
        )

    async def get_product(self, sku: str) -> ErpProduct | None:
        return await self._lookup(ErpProduct, ("product", sku), lambda: self._erp.get_product(sku))

    async def _lookup(
        self, kind: type[T], key: _Key, fetch: Callable[[], Awaitable[T | None]]
    ) -> T | None:
        if self._ttl <= 0:
            return await fetch()
        entry = self._entries.get(key)
        if entry is not None:
            if entry.expires_at > self._clock():
                self._entries.move_to_end(key)
                return cast(T | None, entry.answer)
            del self._entries[key]
        shared = self._pending.get(key)
        if shared is None:
            shared = asyncio.ensure_future(self._fetch(key, fetch))
            self._pending[key] = shared
            shared.add_done_callback(partial(self._settled, key))
        # Shielded: one waiter's cancellation must not cancel the call the others share.
        return cast(T | None, await asyncio.shield(shared))

    async def _fetch(self, key: _Key, fetch: Callable[[], Awaitable[_Answer]]) -> _Answer:
        answer = await fetch()  # a failure propagates and stores nothing
        ttl = self._not_found_ttl if answer is None else self._ttl
        if ttl > 0:
            self._entries[key] = _Entry(answer, self._clock() + ttl)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return answer

    def _settled(self, key: _Key, shared: asyncio.Future[_Answer]) -> None:
        if self._pending.get(key) is shared:
            del self._pending[key]
        if not shared.cancelled():
            # Marks a failure as seen even when every waiter was cancelled meanwhile.
            shared.exception()
