"""The hub's `publish_many`: payloads arrive in order, and a batch the broker cannot take tells
this instance's subscribers to re-read the database instead of being lost."""

from __future__ import annotations

from app.realtime.hub import RESYNC, Hub
from app.realtime.redis_hub import RedisHub
from tests.realtime.conftest import free_port


async def test_a_batch_reaches_subscribers_in_order():
    hub = Hub()
    async with hub.subscribe("chat:1") as first, hub.subscribe("chat:1") as second, \
            hub.subscribe("chat:2") as other:
        await hub.publish_many("chat:1", [b"a", b"b", b"c"])
        for subscription in (first, second):
            assert [subscription.get_nowait() for _ in range(4)] == [b"a", b"b", b"c", None]
        assert other.get_nowait() is None


async def test_a_batch_redis_cannot_take_asks_local_subscribers_to_resync():
    hub = RedisHub(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    try:
        async with hub.subscribe("chat:1") as subscription:
            await hub.publish_many("chat:1", [b"a", b"b"])
            assert subscription.get_nowait() == RESYNC
            assert subscription.get_nowait() is None
    finally:
        await hub.close()
