"""`SingleFlight`: when many requests miss a cache for the same key at once, the first one
loads and the rest wait for it and then read the cache, instead of all of them loading.

Without it, a cache entry expiring under load sends every waiting connection to the database
at the same moment, and those requests are the slow tail of the latency distribution.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class SingleFlight:
    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}

    def busy(self, key: Hashable) -> bool:
        """Someone is loading `key` right now."""
        lock = self._locks.get(key)
        return lock is not None and lock.locked()

    @asynccontextmanager
    async def turn(self, key: Hashable) -> AsyncIterator[None]:
        """Hold `key` alone; check the cache again once inside, since the one before may have
        filled it."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                yield
        finally:
            # A waiter woken just now keeps its own reference; at worst a newcomer loads again.
            if not lock.locked() and self._locks.get(key) is lock:
                del self._locks[key]
