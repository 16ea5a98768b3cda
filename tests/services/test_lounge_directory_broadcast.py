"""Directory changes cross instances through a Redis outage: an announcement the broker refused
is published again once it is back, and another instance's cached pages are forgotten within
seconds of Redis returning. Each test runs its own redis-server, which it kills and restarts."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
import orjson
import pytest
from asgi_lifespan import LifespanManager

from app.main import create_app
from app.realtime.redis_hub import PREFIX, RedisHub
from app.redis_client import make_redis
from app.services.lounge_directory import TOPIC, DirectoryBroadcast
from tests.conftest import sign_up
from tests.redis_server import until

pytestmark = pytest.mark.private_redis


async def test_an_announcement_the_broker_refused_is_sent_once_it_is_back(private_redis, caplog):
    caplog.set_level(logging.WARNING, logger="lounge.hub.redis")
    hub = RedisHub(private_redis.url)
    await hub.start()
    broadcast = DirectoryBroadcast(hub)
    observer = make_redis(private_redis.url, retries=0)
    try:
        async with asyncio.timeout(5):
            await hub.connected.wait()
        await private_redis.stop()
        broadcast()  # a lounge changed while Redis is away
        await until(lambda: _logged(caplog, f"publish to {TOPIC} failed"))
        await private_redis.start()
        # Subscribed only now, so what it hears was published after Redis came back.
        pubsub = observer.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(PREFIX + TOPIC)
        async with asyncio.timeout(5):
            while (message := await pubsub.get_message(timeout=1)) is None:
                pass
        assert orjson.loads(message["data"]) == {"changed": True}
        await pubsub.aclose()
    finally:
        await broadcast.close()
        await hub.close()
        with contextlib.suppress(Exception):
            await observer.aclose()


async def _logged(caplog, text: str) -> bool:
    return any(text in record.getMessage() for record in caplog.records)


async def test_another_instance_forgets_its_pages_after_an_outage(settings, private_redis):
    shared = settings.model_copy(update={"redis_url": private_redis.url,
                                         "directory_cache_seconds": 300.0})
    first, second = create_app(shared), create_app(shared)
    async with LifespanManager(first), LifespanManager(second), \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://testserver") as a, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://testserver") as b:
        ana = await sign_up(a, "ana@example.com", "Ana Lima")
        await sign_up(b, "ben@example.com", "Ben Okafor")

        async def names_on_second() -> set[str]:
            response = await b.get("/api/v1/lounges")
            assert response.status_code == 200, response.text
            return {lounge["name"] for lounge in response.json()["items"]}

        assert await names_on_second() == set()  # now held in the second instance's memory
        await private_redis.stop()
        created = await a.post("/api/v1/lounges", headers=ana.csrf,
                               json={"name": "Made during the outage", "visibility": "open"})
        assert created.status_code == 201, created.text
        assert await names_on_second() == set()  # not told yet: Redis is away
        await private_redis.start()

        async def second_sees_it() -> bool:
            return await names_on_second() == {"Made during the outage"}

        await until(second_sees_it)
