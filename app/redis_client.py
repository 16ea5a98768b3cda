"""How Lounge connects to Redis: the one factory behind every client (the hub's, the shared
`app.state.redis` behind readiness and presence, and the rate limiter's store).

Every client bounds its connects and reads, pings a pooled connection that sat idle before
using it, and retries a command that failed on a dead connection (a Redis restart leaves the
whole pool dead) on a fresh one with exponential backoff. So the first command after Redis
returns succeeds, instead of each pooled connection failing once on its way out.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 2.0
HEALTH_CHECK_SECONDS = 5
# Two retries, 0.1 s then 0.2 s apart: enough to replace a dead connection or ride out a blip,
# short enough that a command during a real outage fails fast and its caller's fallback runs.
RETRIES = 2
BACKOFF_BASE = 0.05
BACKOFF_CAP = 0.5
RETRY_ON = (RedisConnectionError, RedisTimeoutError)


def client_options(*, retries: int = RETRIES) -> dict[str, Any]:
    """Keyword arguments for `Redis.from_url` (and for stores that build their own client)."""
    return {
        "socket_connect_timeout": CONNECT_TIMEOUT,
        "socket_timeout": READ_TIMEOUT,
        "health_check_interval": HEALTH_CHECK_SECONDS,
        "retry": Retry(ExponentialBackoff(cap=BACKOFF_CAP, base=BACKOFF_BASE), retries,
                       supported_errors=RETRY_ON),
        "retry_on_error": list(RETRY_ON),
    }


def make_redis(url: str, *, retries: int = RETRIES) -> Redis:
    """A client for `url`; `retries=0` for a caller that must see every lost connection itself."""
    return Redis.from_url(url, **client_options(retries=retries))
