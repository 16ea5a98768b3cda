"""Who is online in a channel: one entry per open socket, in this process (memory) or in a
Redis sorted set per channel whose scores are expiry times, so the sockets of a crashed
instance fade out on their own. People are counted once however many tabs they have open.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

PRESENCE_TTL = 60.0
LIST_LIMIT = 100


def _people(entries: list[tuple[str, str]], limit: int) -> tuple[list[dict[str, str]], int]:
    seen: dict[str, str] = {}
    for user_id, name in entries:
        seen.setdefault(user_id, name)
    ordered = sorted(seen.items(), key=lambda item: item[1].casefold())
    return [{"id": i, "display_name": n} for i, n in ordered[:limit]], len(seen)


class Presence:
    """In-process presence (the default)."""

    def __init__(self) -> None:
        self._channels: dict[str, dict[str, tuple[str, str]]] = {}

    async def join(self, channel_id: str, conn_id: str, user_id: str, name: str) -> None:
        self._channels.setdefault(channel_id, {})[conn_id] = (user_id, name)

    async def leave(self, channel_id: str, conn_id: str) -> None:
        entries = self._channels.get(channel_id)
        if entries is not None:
            entries.pop(conn_id, None)
            if not entries:
                del self._channels[channel_id]

    async def refresh(self, channel_id: str, entries: list[tuple[str, str, str]]) -> None:
        """Keep these sockets' entries alive (only stores with expiry need it)."""

    async def online(self, channel_id: str, limit: int = LIST_LIMIT) -> tuple[list[dict[str, str]], int]:
        return _people(list(self._channels.get(channel_id, {}).values()), limit)

    async def online_ids(self, channel_id: str) -> set[str]:
        return {user_id for user_id, _ in self._channels.get(channel_id, {}).values()}

    async def close(self) -> None:
        self._channels.clear()


class RedisPresence(Presence):
    def __init__(self, redis: Any) -> None:
        super().__init__()
        self.redis = redis

    @staticmethod
    def _key(channel_id: str) -> str:
        return f"lounge:presence:{channel_id}"

    @staticmethod
    def _member(conn_id: str, user_id: str, name: str) -> bytes:
        return orjson.dumps([conn_id, user_id, name])

    async def join(self, channel_id: str, conn_id: str, user_id: str, name: str) -> None:
        await super().join(channel_id, conn_id, user_id, name)
        await self.redis.zadd(self._key(channel_id),
                              {self._member(conn_id, user_id, name): time.time() + PRESENCE_TTL})

    async def leave(self, channel_id: str, conn_id: str) -> None:
        entry = self._channels.get(channel_id, {}).get(conn_id)
        await super().leave(channel_id, conn_id)
        if entry is not None:
            await self.redis.zrem(self._key(channel_id), self._member(conn_id, *entry))

    async def refresh(self, channel_id: str, entries: list[tuple[str, str, str]]) -> None:
        key = self._key(channel_id)
        now = time.time()
        async with self.redis.pipeline(transaction=False) as pipe:
            if entries:
                pipe.zadd(key, {self._member(*e): now + PRESENCE_TTL for e in entries})
            pipe.zremrangebyscore(key, "-inf", now)
            await pipe.execute()

    async def _entries(self, channel_id: str) -> list[tuple[str, str]]:
        raw = await self.redis.zrangebyscore(self._key(channel_id), time.time(), "+inf")
        return [tuple(orjson.loads(member)[1:]) for member in raw]  # type: ignore[misc]

    async def online(self, channel_id: str, limit: int = LIST_LIMIT) -> tuple[list[dict[str, str]], int]:
        return _people(await self._entries(channel_id), limit)

    async def online_ids(self, channel_id: str) -> set[str]:
        return {user_id for user_id, _ in await self._entries(channel_id)}


def make_presence(redis: Any | None) -> Presence:
    return RedisPresence(redis) if redis is not None else Presence()
