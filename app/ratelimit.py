"""Rate limits over the `limits` package: in memory by default, shared through Redis when
`LOUNGE_REDIS_URL` is set, so every instance counts the same hits.

While Redis cannot be reached, each process counts in its own memory under the same limits,
so an outage neither opens the gates nor locks everyone out; it says so once in the log when
it falls back and once when Redis is back, and tries Redis again at most every
`RETRY_SECONDS` meanwhile (a request is never held up by more than one attempt).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from redis.exceptions import RedisError

from app.redis_client import client_options

log = logging.getLogger("lounge.ratelimit")
_STORE_ERRORS = (StorageError, RedisError, OSError)
RETRY_SECONDS = 1.0
T = TypeVar("T")


class RateLimiter:
    def __init__(self, redis_url: str | None = None) -> None:
        self._memory = MovingWindowRateLimiter(storage_from_string("async+memory://"))
        self._shared: MovingWindowRateLimiter | None = None
        if redis_url:
            self._shared = MovingWindowRateLimiter(storage_from_string(
                f"async+{redis_url}", implementation="redispy", **client_options()))
        self._down_since: float | None = None
        self._retry_at = 0.0

    @property
    def on_redis(self) -> bool:
        """True while the counts are shared through Redis."""
        return self._shared is not None and self._down_since is None

    @staticmethod
    def limit(spec: str) -> RateLimitItem:
        """`"10 per 600 seconds"`, `"120/minute"`, … in the `limits` notation."""
        return parse(spec)

    async def allowed(self, item: RateLimitItem, *keys: str) -> bool:
        """True while the window still has room; records nothing."""
        return await self._count(lambda strategy: strategy.test(item, *keys))

    async def hit(self, item: RateLimitItem, *keys: str) -> bool:
        """Record one hit; False when this hit went over the limit."""
        return await self._count(lambda strategy: strategy.hit(item, *keys))

    async def remaining(self, item: RateLimitItem, *keys: str) -> tuple[int, int]:
        """(hits left in the window, seconds until the oldest hit leaves it)."""
        stats = await self._count(lambda strategy: strategy.get_window_stats(item, *keys))
        return stats.remaining, max(1, math.ceil(stats.reset_time - time.time()))

    async def clear(self, item: RateLimitItem, *keys: str) -> None:
        await self._count(lambda strategy: strategy.clear(item, *keys))

    async def ping(self) -> bool:
        return await self._shared.storage.check() if self._shared is not None else True

    async def _count(self, operation: Callable[[MovingWindowRateLimiter], Awaitable[T]]) -> T:
        if self._shared is not None and self._try_redis():
            try:
                result = await operation(self._shared)
            except _STORE_ERRORS as exc:
                self._fell_back(exc)
            else:
                self._came_back()
                return result
        return await operation(self._memory)

    def _try_redis(self) -> bool:
        if self._down_since is None:
            return True
        now = time.monotonic()
        if now < self._retry_at:
            return False
        self._retry_at = now + RETRY_SECONDS  # one attempt at a time while it is down
        return True

    def _fell_back(self, exc: Exception) -> None:
        now = time.monotonic()
        self._retry_at = now + RETRY_SECONDS
        if self._down_since is None:
            self._down_since = now
            log.warning("rate-limit store unreachable, counting in this process until it is "
                        "back: %s", exc)

    def _came_back(self) -> None:
        if self._down_since is not None:
            log.warning("rate-limit store reachable again after %.1fs, counting there again",
                        time.monotonic() - self._down_since)
            self._down_since = None
