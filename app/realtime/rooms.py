"""Rooms: this process's open sockets grouped by channel. Each room holds one hub subscription
for its channel, however many sockets it serves, and hands each socket the same pre-serialised
events (one encode per event, never one per recipient). What the hub brought while the room was
busy goes out together, as one `Burst`: one write per socket, however many events it holds.

Message events carry their `seq`. A room remembers the last seq it delivered, drops repeats,
and fills any gap (a lost publish, a Redis restart: `RESYNC`) from the database before going
on, so sockets always see messages once and in order. A room also batches presence changes
into one `presence` event a second, and re-checks membership on a timer: people removed from
the channel stop receiving and are closed within a few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Iterable
from typing import Any

import orjson
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import database_unavailable
from app.realtime import protocol
from app.realtime.connection import POLICY_VIOLATION, Burst, Connection, TokenBucket
from app.realtime.hub import RESYNC, Hub
from app.realtime.presence import LIST_LIMIT, Presence
from app.services.chat_writer import ChatWriter

log = logging.getLogger("lounge.rooms")

PRESENCE_EVERY = 1.0
PRESENCE_REFRESH_EVERY = 20.0
CATCH_UP_PAGE = 500


class Room:
    def __init__(self, rooms: Rooms, channel_id: str) -> None:
        self.rooms = rooms
        self.channel_id = channel_id
        self.topic = protocol.topic(channel_id)
        self.connections: set[Connection] = set()
        self.last_seq = 0
        self.ready = asyncio.Event()
        self.failed: BaseException | None = None
        self._joined: dict[str, dict[str, str]] = {}
        self._left: dict[str, dict[str, str]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._listen(), name=f"room-{self.channel_id}"),
                       asyncio.create_task(self._tick(), name=f"room-tick-{self.channel_id}")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # ---- delivery ----------------------------------------------------------------------------

    async def _listen(self) -> None:
        from app.services import chat

        try:
            async with self.rooms.hub.subscribe(self.topic) as subscription:
                async with self.rooms.sessionmaker() as db:
                    self.last_seq = await chat.last_seq(db, channel_id=self.channel_id)
                self.ready.set()
                async for payload in subscription:
                    burst = [payload]
                    while (payload := subscription.get_nowait()) is not None:
                        burst.append(payload)
                    await self._handle(burst)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            self.failed = exc
            self.ready.set()
            log.exception("room %s stopped", self.channel_id)
            for connection in list(self.connections):
                connection.close(1011, "internal error")

    async def _handle(self, payloads: list[bytes]) -> None:
        """Deliver what the hub brought since the last turn as one burst, in seq order."""
        events: list[tuple[int, str]] = []
        for payload in payloads:
            if payload in (RESYNC, protocol.MEMBERS_CHANGED):
                self.deliver(events)
                events = []
                await (self._catch_up() if payload == RESYNC else self._check_members())
                continue
            event = orjson.loads(payload)
            if event.get("type") != "message":
                events.append((0, payload.decode()))
                continue
            seq = event["message"]["seq"]
            if seq <= self.last_seq:
                continue
            if seq > self.last_seq + 1:
                self.deliver(events)
                events = []
                await self._catch_up(upto=seq - 1)
            self.last_seq = seq
            events.append((seq, payload.decode()))
        self.deliver(events)

    def deliver(self, events: list[tuple[int, str]]) -> None:
        """Hand `events` to every socket, serialised once for all of them."""
        if not events:
            return
        burst = Burst(events)
        for connection in list(self.connections):
            connection.offer_burst(burst)

    async def _catch_up(self, upto: int | None = None) -> None:
        """Deliver from the database what the hub did not bring."""
        from app.services import chat

        while True:
            async with self.rooms.sessionmaker() as db:
                page = await chat.messages_after(db, channel_id=self.channel_id, after=self.last_seq,
                                                 upto=upto, limit=CATCH_UP_PAGE)
            self.deliver([(message.seq, protocol.message_event(message).decode()) for message in page])
            if page:
                self.last_seq = page[-1].seq
            if len(page) < CATCH_UP_PAGE:
                return

    # ---- presence and membership -------------------------------------------------------------

    def note(self, connection: Connection, *, joined: bool) -> None:
        others = any(c.user_id == connection.user_id for c in self.connections if c is not connection)
        if others:
            return
        user_id = connection.user_id
        if joined:
            if self._left.pop(user_id, None) is None:
                self._joined[user_id] = connection.user
        elif self._joined.pop(user_id, None) is None:
            self._left[user_id] = connection.user

    async def _tick(self) -> None:
        interval = self.rooms.settings.chat_membership_check_seconds
        since_refresh = since_check = 0.0
        step = min(PRESENCE_EVERY, interval)
        failing = False
        while True:
            await asyncio.sleep(step)
            since_refresh += step
            since_check += step
            try:
                await self._flush_presence()
                if since_check >= interval:
                    since_check = 0.0
                    await self._check_members()
                if since_refresh >= PRESENCE_REFRESH_EVERY:
                    since_refresh = 0.0
                    await self.rooms.presence.refresh(self.channel_id, [
                        (c.id, c.user_id, c.user["display_name"]) for c in self.connections])
            except Exception as exc:
                if isinstance(exc, RedisError) or database_unavailable(exc):
                    if not failing:  # Redis or the database is away: said once, not every second
                        log.warning("room %s: housekeeping paused (%s: %s)", self.channel_id,
                                    type(exc).__name__, exc)
                    failing = True
                else:
                    log.exception("room %s: housekeeping failed", self.channel_id)
                continue
            if failing:
                log.warning("room %s: housekeeping resumed", self.channel_id)
                failing = False

    async def _flush_presence(self) -> None:
        await self.rooms.presence.flush(self.channel_id)
        if not self._joined and not self._left:
            return
        joined, left = list(self._joined.values()), self._left
        self._joined, self._left = {}, {}
        online_ids = await self.rooms.presence.online_ids(self.channel_id)
        gone = [user for user_id, user in left.items() if user_id not in online_ids]
        if len(online_ids) > LIST_LIMIT:
            joined, gone = [], []  # big rooms show a count, not a roll call
        if joined or gone or len(online_ids) > LIST_LIMIT:
            await self.rooms.hub.publish(self.topic, protocol.presence_event(
                self.channel_id, joined=joined, left=gone, online_count=len(online_ids)))

    async def _check_members(self) -> None:
        from app.services.lounges import channel_member_ids

        if not self.connections:
            return
        async with self.rooms.sessionmaker() as db:
            members = set(await channel_member_ids(db, channel_id=self.channel_id))
        for connection in list(self.connections):
            if connection.user_id not in members:
                connection.close(POLICY_VIOLATION, "no longer a member of this channel")


class Rooms:
    """Every room of this process, plus what the sockets share (hub, presence, rate buckets)."""

    def __init__(self, *, hub: Hub, presence: Presence, sessionmaker: async_sessionmaker[AsyncSession],
                 settings: Settings) -> None:
        self.hub = hub
        self.presence = presence
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.instance = secrets.token_hex(4)
        self.writer = ChatWriter(sessionmaker, hub)
        self.rooms: dict[str, Room] = {}
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = asyncio.Lock()

    async def join(self, connection: Connection) -> Room:
        async with self._lock:
            room = self.rooms.get(connection.channel_id)
            if room is None:
                room = self.rooms[connection.channel_id] = Room(self, connection.channel_id)
                room.start()
        await room.ready.wait()
        if room.failed is not None:
            raise RuntimeError("the room could not start") from room.failed
        room.connections.add(connection)
        room.note(connection, joined=True)
        await self._presence(self.presence.join(connection.channel_id, connection.id,
                                                connection.user_id, connection.user["display_name"]))
        return room

    async def leave(self, connection: Connection) -> None:
        room = self.rooms.get(connection.channel_id)
        if room is None or connection not in room.connections:
            return
        room.note(connection, joined=False)
        room.connections.discard(connection)
        await self._presence(self.presence.leave(connection.channel_id, connection.id))
        if not any(c.user_id == connection.user_id for r in self.rooms.values() for c in r.connections):
            self._buckets.pop(connection.user_id, None)
        if not room.connections:
            # Linger a moment: a reconnecting tab should find its room warm.
            asyncio.get_running_loop().call_later(5.0, self._retire, room)

    def _retire(self, room: Room) -> None:
        if not room.connections and self.rooms.get(room.channel_id) is room:
            del self.rooms[room.channel_id]
            asyncio.create_task(self._stop(room))

    async def _stop(self, room: Room) -> None:
        await room._flush_presence()
        await room.stop()

    async def online(self, channel_id: str) -> tuple[list[dict[str, str]], int]:
        try:
            return await self.presence.online(channel_id)
        except Exception:
            log.warning("presence unavailable", exc_info=True)
            return [], 0

    async def _presence(self, operation: Any) -> None:
        try:
            await operation
        except Exception:
            log.warning("presence update failed", exc_info=True)

    def message_bucket(self, user_id: str) -> TokenBucket:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = TokenBucket(self.settings.chat_message_burst,
                                                          self.settings.chat_messages_per_second)
        return bucket

    def connections(self) -> Iterable[Connection]:
        for room in self.rooms.values():
            yield from room.connections

    async def close(self, code: int) -> None:
        """Graceful shutdown: every socket is closed with `code` (1012: reconnect and resume)."""
        connections = list(self.connections())
        for connection in connections:
            connection.close(code, "server restarting")
        for _ in range(50):
            if not any(True for _ in self.connections()):
                break
            await asyncio.sleep(0.05)
        for room in list(self.rooms.values()):
            await room.stop()
        self.rooms.clear()
        await self.writer.close()
