"""Who is online in a channel: one entry per open socket, in this process (memory) or in a
Redis sorted set per channel whose scores are expiry times, so the sockets of a crashed
instance fade out on their own. People are counted once however many tabs they have open.
A flush that fails (Redis away) is made good by the next one, which writes every socket again.
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

    async def flush(self, channel_id: str) -> None:
        """Write pending joins and leaves to a shared store (nothing to do in memory)."""

    async def online(self, channel_id: str, limit: int = LIST_LIMIT) -> tuple[list[dict[str, str]], int]:
        return _people(list(self._channels.get(channel_id, {}).values()), limit)

    async def online_ids(self, channel_id: str) -> set[str]:
        return {user_id for user_id, _ in self._channels.get(channel_id, {}).values()}

    async def close(self) -> None:
        self._channels.clear()


class RedisPresence(Presence):
    """Joins and leaves are kept here and written to Redis in one pipeline per channel and
    tick (`flush`), so a thousand sockets arriving at once cost one round trip, not a thousand
    commands racing for connections."""

    def __init__(self, redis: Any) -> None:
        super().__init__()
        self.redis = redis
        self._new: dict[str, set[str]] = {}
        self._gone: dict[str, set[bytes]] = {}
        self._unwritten: set[str] = set()  # channels whose last flush failed

    @staticmethod
    def _key(channel_id: str) -> str:
        return f"lounge:presence:{channel_id}"

    @staticmethod
    def _member(conn_id: str, user_id: str, name: str) -> bytes:
        return orjson.dumps([conn_id, user_id, name])

    async def join(self, channel_id: str, conn_id: str, user_id: str, name: str) -> None:
        await super().join(channel_id, conn_id, user_id, name)
        self._new.setdefault(channel_id, set()).add(conn_id)

    async def leave(self, channel_id: str, conn_id: str) -> None:
        entry = self._channels.get(channel_id, {}).get(conn_id)
        await super().leave(channel_id, conn_id)
        if entry is not None and conn_id not in self._new.get(channel_id, set()):
            self._gone.setdefault(channel_id, set()).add(self._member(conn_id, *entry))
        self._new.get(channel_id, set()).discard(conn_id)

    async def flush(self, channel_id: str, *, everyone: bool = False) -> None:
        """Write the channel's new sockets of this process (all of them with `everyone`, which
        also renews their expiry), drop the ones that left, forget crashed instances' entries."""
        key, now = self._key(channel_id), time.time()
        here = self._channels.get(channel_id, {})
        everyone = everyone or channel_id in self._unwritten
        new = set(here) if everyone else self._new.pop(channel_id, set())
        if everyone:
            self._new.pop(channel_id, None)
        gone = self._gone.pop(channel_id, set())
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                if new:
                    pipe.zadd(key, {self._member(c, *here[c]): now + PRESENCE_TTL for c in new if c in here})
                if gone:
                    pipe.zrem(key, *gone)
                pipe.zremrangebyscore(key, "-inf", now)
                await pipe.execute()
        except Exception:
            # Redis may have come back empty: the next flush writes every socket again.
            self._unwritten.add(channel_id)
            self._gone.setdefault(channel_id, set()).update(gone)
            raise
        self._unwritten.discard(channel_id)

    async def refresh(self, channel_id: str, entries: list[tuple[str, str, str]]) -> None:
        await self.flush(channel_id, everyone=True)

    async def _entries(self, channel_id: str) -> list[tuple[str, str]]:
        raw = await self.redis.zrangebyscore(self._key(channel_id), time.time(), "+inf")
        remote = [tuple(orjson.loads(member)) for member in raw]
        local = self._channels.get(channel_id, {})
        gone = {orjson.loads(m)[0] for m in self._gone.get(channel_id, ())}  # left, not yet flushed
        # Not yet flushed: this process's own sockets count at once, its departures too.
        entries = [(u, n) for c, u, n in remote if c not in gone and c not in local]  # type: ignore[misc]
        return entries + list(local.values())

    async def online(self, channel_id: str, limit: int = LIST_LIMIT) -> tuple[list[dict[str, str]], int]:
        return _people(await self._entries(channel_id), limit)

    async def online_ids(self, channel_id: str) -> set[str]:
        return {user_id for user_id, _ in await self._entries(channel_id)}


def make_presence(redis: Any | None) -> Presence:
    return RedisPresence(redis) if redis is not None else Presence()
