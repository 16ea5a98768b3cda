"""The realtime hub: `publish(topic, payload)` and `subscribe(topic)`, with an in-process
backend (the default) and a Redis one (`app/realtime/redis_hub.py`, chosen when
`LOUNGE_REDIS_URL` is set) so several instances deliver to each other's clients.

The hub is only a doorbell. Payloads are already-serialised events that carry ids and `seq`;
the database stays the source of truth, and a subscriber that may have missed something is
handed `RESYNC` so it can read what it missed from the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

import orjson

log = logging.getLogger("lounge.hub")

RESYNC: Final = b""  # never a real payload: "you may have missed events, re-read the database"
SUBSCRIPTION_BUFFER = 4096


def encode(payload: bytes | dict[str, Any]) -> bytes:
    return payload if isinstance(payload, bytes) else orjson.dumps(payload)


class Subscription:
    """What `subscribe()` yields: an async iterator of payloads for one topic.

    Its buffer is bounded; when a burst overflows it, the oldest payloads give way to one
    `RESYNC`, because a subscriber can always recover from the database but never from a
    hub that blocks publishers.
    """

    def __init__(self, topic: str, maxsize: int = SUBSCRIPTION_BUFFER) -> None:
        self.topic = topic
        self._queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize)

    def deliver(self, payload: bytes) -> None:
        try:
            self._queue.put_nowait(payload)
        except asyncio.QueueFull:
            log.warning("hub subscriber on %s overflowed; asking it to resync", self.topic)
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(RESYNC)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> bytes:
        return await self._queue.get()

    def get_nowait(self) -> bytes | None:
        """The next payload if one is already waiting (lets a reader drain a burst in one go)."""
        try:
            return self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None


class Hub:
    """In-process fan-out of payloads to the subscriptions of a topic; the base of every backend."""

    def __init__(self) -> None:
        self._topics: dict[str, set[Subscription]] = {}

    async def start(self) -> None:
        """Connect whatever the backend needs; the memory hub needs nothing."""

    async def close(self) -> None:
        self._topics.clear()

    async def publish(self, topic: str, payload: bytes | dict[str, Any]) -> bool:
        """Hand `payload` to every subscriber of `topic`; False when a broker did not take it."""
        self.deliver_local(topic, encode(payload))
        return True

    async def publish_many(self, topic: str, payloads: list[bytes]) -> bool:
        """Publish `payloads` to `topic` in order, in one go (one round trip to a broker)."""
        for payload in payloads:
            self.deliver_local(topic, payload)
        return True

    def deliver_local(self, topic: str, payload: bytes) -> None:
        for subscription in self._topics.get(topic, ()):
            subscription.deliver(payload)

    def resync_all(self) -> None:
        """Tell every subscriber it may have missed payloads (e.g. after a broker outage)."""
        for subscriptions in self._topics.values():
            for subscription in subscriptions:
                subscription.deliver(RESYNC)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Subscription]:
        subscription = Subscription(topic)
        subscribers = self._topics.setdefault(topic, set())
        first = not subscribers
        subscribers.add(subscription)
        try:
            if first:
                await self._listen(topic)
            yield subscription
        finally:
            subscribers.discard(subscription)
            if not subscribers and self._topics.get(topic) is subscribers:
                del self._topics[topic]
                await self._unlisten(topic)

    async def _listen(self, topic: str) -> None:
        """Start receiving `topic` from other instances (a no-op in memory)."""

    async def _unlisten(self, topic: str) -> None:
        """Stop receiving `topic` from other instances (a no-op in memory)."""


def make_hub(redis_url: str | None) -> Hub:
    if redis_url:
        from app.realtime.redis_hub import RedisHub

        return RedisHub(redis_url)
    return Hub()
