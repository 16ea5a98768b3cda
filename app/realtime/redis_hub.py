"""The Redis pub/sub backend of the hub: publishes go to Redis, and one reader task per process
receives every subscribed topic and hands payloads to the local subscriptions.

When the connection to Redis drops (a restart, a failover), the reader reconnects with backoff,
subscribes to every topic again and sends `RESYNC` to local subscribers, which then read what
they missed from the database. Publishing while Redis is down logs and moves on: the message
is already committed and reaches clients through that resync or their reconnect.

Publishes go through a client that retries on a fresh connection (`app/redis_client.py`); the
subscription has a client of its own that never retries, because a connection that redis-py
quietly replaced would resubscribe without the resync, and what was published in between
would be lost unnoticed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.realtime.hub import RESYNC, Hub, encode
from app.redis_client import make_redis

log = logging.getLogger("lounge.hub.redis")
PREFIX = "lounge:rt:"
MAX_BACKOFF = 2.0


class RedisHub(Hub):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._redis = make_redis(url)
        self._subscriber = make_redis(url, retries=0)
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._reader = asyncio.create_task(self._read_forever(), name="redis-hub-reader")

    async def close(self) -> None:
        reader = self._reader
        if reader is not None:
            reader.cancel()
            # A cancelled read inside redis-py can linger for its own timeout (seconds, which
            # would stall shutdown); closing the connection under it ends it at once.
            await asyncio.wait({reader}, timeout=0.2)
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()
        for client in (self._redis, self._subscriber):
            with contextlib.suppress(RedisError, OSError):
                await client.aclose()
        if reader is not None and not reader.done():
            await asyncio.wait({reader}, timeout=1)
        await super().close()

    async def publish(self, topic: str, payload: bytes | dict[str, Any]) -> bool:
        return await self.publish_many(topic, [encode(payload)])

    async def publish_many(self, topic: str, payloads: list[bytes]) -> bool:
        try:
            if len(payloads) == 1:
                await self._redis.publish(PREFIX + topic, payloads[0])
                return True
            async with self._redis.pipeline(transaction=False) as pipe:
                for payload in payloads:
                    pipe.publish(PREFIX + topic, payload)
                await pipe.execute()
            return True
        except (RedisError, OSError) as exc:
            log.warning("publish to %s failed, subscribers will resync: %s", topic, exc)
            # This instance's own subscribers read the committed change from the database now.
            for subscription in self._topics.get(topic, ()):
                subscription.deliver(RESYNC)
            return False

    async def _listen(self, topic: str) -> None:
        async with self._lock:
            if self._pubsub is not None and self.connected.is_set():
                try:
                    await self._pubsub.subscribe(PREFIX + topic)
                except (RedisError, OSError) as exc:
                    log.warning("subscribe to %s failed, retried on reconnect: %s", topic, exc)

    async def _unlisten(self, topic: str) -> None:
        async with self._lock:
            if self._pubsub is not None and self.connected.is_set():
                with contextlib.suppress(RedisError, OSError):
                    await self._pubsub.unsubscribe(PREFIX + topic)

    async def _connect(self) -> None:
        async with self._lock:
            if self._pubsub is not None:
                with contextlib.suppress(RedisError, OSError):
                    await self._pubsub.aclose()
            self._pubsub = self._subscriber.pubsub(ignore_subscribe_messages=True)
            # A placeholder channel keeps the connection in subscribe mode while no room is open.
            await self._pubsub.subscribe(PREFIX + "_", *(PREFIX + t for t in self._topics))
            self.connected.set()

    async def _read_forever(self) -> None:
        backoff = 0.1
        first = True
        while True:
            try:
                await self._connect()
                if not first:
                    log.info("reconnected to Redis; %d topics resubscribed", len(self._topics))
                    self.resync_all()
                first = False
                backoff = 0.1
                async for message in self._pubsub.listen():
                    if message["type"] == "message":
                        channel = message["channel"].decode()
                        self.deliver_local(channel.removeprefix(PREFIX), message["data"])
                raise RedisConnectionError("pub/sub stream ended")
            except asyncio.CancelledError:
                raise
            except (RedisConnectionError, RedisTimeoutError, OSError, RedisError) as exc:
                self.connected.clear()
                log.warning("Redis pub/sub lost (%s); reconnecting in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(MAX_BACKOFF, backoff * 2)
