"""Rate limits over the `limits` package: in memory by default, shared through Redis when
`LOUNGE_REDIS_URL` is set, so every instance counts the same hits.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from redis.exceptions import RedisError

log = logging.getLogger("lounge.ratelimit")
# A limiter whose store is briefly unreachable (a Redis restart) lets requests through and says
# so in the log: an outage of the counter store must not take sign-in and the API down with it.
_STORE_ERRORS = (StorageError, RedisError, OSError)


class RateLimiter:
    def __init__(self, redis_url: str | None = None) -> None:
        if redis_url:
            self.storage = storage_from_string(f"async+{redis_url}", implementation="redispy")
        else:
            self.storage = storage_from_string("async+memory://")
        self._strategy = MovingWindowRateLimiter(self.storage)

    @staticmethod
    def limit(spec: str) -> RateLimitItem:
        """`"10 per 600 seconds"`, `"120/minute"`, … in the `limits` notation."""
        return parse(spec)

    async def allowed(self, item: RateLimitItem, *keys: str) -> bool:
        """True while the window still has room; records nothing."""
        try:
            return await self._strategy.test(item, *keys)
        except _STORE_ERRORS as exc:
            log.warning("rate-limit store unreachable, allowing: %s", exc)
            return True

    async def hit(self, item: RateLimitItem, *keys: str) -> bool:
        """Record one hit; False when this hit went over the limit."""
        try:
            return await self._strategy.hit(item, *keys)
        except _STORE_ERRORS as exc:
            log.warning("rate-limit store unreachable, allowing: %s", exc)
            return True

    async def remaining(self, item: RateLimitItem, *keys: str) -> tuple[int, int]:
        """(hits left in the window, seconds until the oldest hit leaves it)."""
        try:
            stats = await self._strategy.get_window_stats(item, *keys)
        except _STORE_ERRORS as exc:
            log.warning("rate-limit store unreachable: %s", exc)
            return item.amount, 1
        return stats.remaining, max(1, math.ceil(stats.reset_time - time.time()))

    async def clear(self, item: RateLimitItem, *keys: str) -> None:
        await self._strategy.clear(item, *keys)

    async def ping(self) -> bool:
        return await self.storage.check()
