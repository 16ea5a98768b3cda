"""The chat after a Redis restart, on a real server: the sockets' presence is written to Redis
again and `/readyz` says ready within seconds of Redis returning, with no request a 500."""

from __future__ import annotations

import logging
import time

import pytest

from app.realtime.presence import RedisPresence
from app.redis_client import make_redis
from tests.realtime.conftest import chat_room, next_event
from tests.redis_server import until

pytestmark = pytest.mark.private_redis


async def test_presence_and_readiness_recover_after_a_redis_restart(serve, private_redis, caplog):
    caplog.set_level(logging.INFO, logger="lounge")
    async with serve(redis_url=private_redis.url) as live, chat_room(live) as room:
        raw = make_redis(private_redis.url)
        key = RedisPresence._key(room.channel_id)
        statuses: list[int] = []

        async def ready() -> bool:
            statuses.append((await room.ana.client.get("/readyz")).status_code)
            return statuses[-1] == 200

        async def ana_in_redis() -> bool:
            return any(room.ana.id in member.decode() for member in await raw.zrange(key, 0, -1))

        try:
            async with room.open(room.ana) as ws:
                await next_event(ws, "hello")
                await until(ana_in_redis)
                await private_redis.stop()
                assert not await ready()
                # At least one presence flush fails while Redis is away (they run every second).
                await until(lambda: _flush_failed(live.app), within=3)
                await private_redis.start()  # empty: every presence entry is gone
                back = time.monotonic()
                ready_after = await until(ready)
                presence_after = await until(ana_in_redis)
                assert time.monotonic() - back < 5
                # A newcomer sees Ana online, through Redis.
                async with room.open(room.ben) as other:
                    hello = await next_event(other, "hello")
                    assert room.ana.id in {person["id"] for person in hello["online"]}
                print(f"ready {ready_after:.2f}s, presence {presence_after:.2f}s after Redis returned")
        finally:
            await raw.aclose()
        assert 500 not in statuses
        # The room's housekeeping says once that it paused and once that it resumed: no traceback.
        said = [r.getMessage() for r in caplog.records if "housekeeping" in r.getMessage()]
        assert [m.split(": ", 1)[1].split(" ")[1] for m in said] == ["paused", "resumed"], said
        assert not [r for r in caplog.records if r.exc_info and "housekeeping" in r.getMessage()]


async def _flush_failed(app) -> bool:
    return bool(app.state.rooms.presence._unwritten)
