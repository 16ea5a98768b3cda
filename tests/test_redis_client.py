"""Every Redis client comes from one factory and heals itself: after Redis restarts, the first
command on each dead pooled connection succeeds instead of failing on its way out."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from app.redis_client import make_redis

pytestmark = pytest.mark.private_redis


async def test_the_first_commands_after_a_restart_succeed(private_redis):
    client = make_redis(private_redis.url)
    try:
        # Several pooled connections, every one of them dead once Redis goes.
        assert all(await asyncio.gather(*(client.ping() for _ in range(5))))
        await client.set("kept", "until the restart")
        await private_redis.stop()
        await private_redis.start()
        back = time.monotonic()
        async with asyncio.timeout(5):
            assert all(await asyncio.gather(*(client.ping() for _ in range(5))))
            assert await client.get("kept") is None  # a fresh Redis, not a surviving connection
        assert time.monotonic() - back < 1
    finally:
        await client.aclose()


async def test_a_command_during_an_outage_fails_fast(private_redis):
    client = make_redis(private_redis.url)
    try:
        await client.ping()
        await private_redis.stop()
        started = time.monotonic()
        with pytest.raises(RedisConnectionError):
            async with asyncio.timeout(5):
                await client.ping()
        assert time.monotonic() - started < 2
    finally:
        await client.aclose()
