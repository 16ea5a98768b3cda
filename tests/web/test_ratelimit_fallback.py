"""A Redis outage, through the app: rate limits keep limiting from each process's memory (one
warning when they fall back, one when Redis is back), `/readyz` says not ready and then ready
within seconds of Redis returning, the limiter counts in Redis again, and nothing is a 500."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.main import create_app
from app.redis_client import make_redis
from tests.conftest import sign_up
from tests.redis_server import until

pytestmark = pytest.mark.private_redis
READS = 5


async def ok(response: Awaitable[httpx.Response]) -> bool:
    return (await response).status_code == 200


async def test_rate_limits_and_readiness_through_a_redis_outage(settings, private_redis, caplog):
    caplog.set_level(logging.WARNING, logger="lounge.ratelimit")
    app = create_app(settings.model_copy(update={
        "redis_url": private_redis.url, "rate_limit_reads": f"{READS}/minute"}))
    statuses: list[int] = []
    async with LifespanManager(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        await sign_up(client, "ana@example.com")
        limiter = app.state.limiter

        async def get(path: str) -> httpx.Response:
            response = await client.get(path)
            statuses.append(response.status_code)
            return response

        assert (await get("/readyz")).status_code == 200
        assert (await get("/api/v1/me")).status_code == 200
        assert limiter.on_redis

        await private_redis.stop()
        async with asyncio.timeout(10):
            burst = [(await get("/api/v1/me")).status_code for _ in range(READS + 3)]
            # This process counts from nothing: the whole budget, then 429 — never wide open.
            assert burst == [200] * READS + [429] * 3
            assert not limiter.on_redis
            down = await get("/readyz")
        assert down.status_code == 503 and down.json()["checks"]["redis"] == "unavailable"
        limited = await get("/api/v1/me")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1

        await private_redis.start()
        back = time.monotonic()
        ready_after = await until(lambda: ok(get("/readyz")))
        # This process's budget is spent, and the restarted Redis is empty: the first read
        # counted in Redis again is a 200, and Redis then allows the rest of a fresh budget.
        await until(lambda: ok(get("/api/v1/me")), every=0.2)
        limiter_after = time.monotonic() - back
        assert limiter.on_redis
        rest = [(await get("/api/v1/me")).status_code for _ in range(READS)]
        assert rest == [200] * (READS - 1) + [429]
        raw = make_redis(private_redis.url)
        try:
            assert await raw.keys("LIMITS:*")
        finally:
            await raw.aclose()
    print(f"ready {ready_after:.2f}s, limiter on Redis {limiter_after:.2f}s after Redis returned")
    assert 500 not in statuses
    fell_back = [r for r in caplog.records if "unreachable" in r.getMessage()]
    came_back = [r for r in caplog.records if "reachable again" in r.getMessage()]
    assert (len(fell_back), len(came_back)) == (1, 1), [r.getMessage() for r in caplog.records]
    assert ready_after < 5 and limiter_after < 5
