"""A per-process memory of lounge directory pages (`GET /api/v1/lounges`), so tools that poll
the directory do not cost database queries on every call.

Freshness rests on invalidation, not on timing. Every committed change to a lounge, its tags
or its members bumps `version` (through SQLAlchemy session events, so no write path can
forget), and the bump is broadcast to the other instances through the hub. An entry stored
while a write was committing is tagged with the version it was read under, and so is never
served after that write. `ttl` only bounds how stale a page can get should a broadcast be
lost (an announcement the broker refused is sent again until it is taken, and a Redis restart
resynchronises every subscriber, which clears the memory).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from app.models import Lounge, LoungeMember, LoungeTag
from app.single_flight import SingleFlight
from app.web.respond import to_json

log = logging.getLogger(__name__)

TOPIC = "lounge-directory"
BROADCAST_RETRY_FIRST = 0.1
BROADCAST_RETRY_MAX = 2.0
MAX_ENTRIES = 1024
DIRECTORY_MODELS = (Lounge, LoungeMember, LoungeTag)
DIRECTORY_TABLES = frozenset(model.__tablename__ for model in DIRECTORY_MODELS)


@dataclass(frozen=True)
class DirectoryPage:
    """One directory page as its route answered it, with its JSON already serialised."""

    page: BaseModel
    json: bytes

    @classmethod
    def of(cls, page: BaseModel) -> DirectoryPage:
        return cls(page, to_json(page))


def directory_key(user_id: str, query_string: bytes) -> tuple[str, bytes]:
    """Pages differ by viewer (private lounges, their roles) and by the query as sent."""
    return user_id, query_string


class DirectoryCache:
    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self.version = 0
        self.on_change: Callable[[], None] | None = None
        self._entries: OrderedDict[Hashable, tuple[int, float, Any]] = OrderedDict()
        self._loading = SingleFlight()

    def get(self, key: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        version, stored_at, value = entry
        if version != self.version or time.monotonic() - stored_at > self.ttl:
            self._entries.pop(key, None)
            return None
        return value

    def put(self, key: Hashable, version: int, value: Any) -> None:
        """Keep `value`, read while `version` was current, unless a write has landed since."""
        if self.ttl <= 0 or version != self.version:
            return
        self._entries[key] = (version, time.monotonic(), value)
        if len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

    async def cached(self, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        """The page under `key`, loaded (and kept) on a miss; one load at a time per key."""
        if self.ttl <= 0:
            return await load()
        value = self.get(key)
        if value is not None:
            return value
        async with self._loading.turn(key):
            value = self.get(key)
            if value is None:
                version = self.version
                value = await load()
                self.put(key, version, value)
            return value

    def invalidate(self) -> None:
        """Forget every page held here (a change arrived from another instance)."""
        self.version += 1
        self._entries.clear()

    def changed(self) -> None:
        """A change committed here: forget, and tell the other instances."""
        self.invalidate()
        if self.on_change is not None:
            self.on_change()


async def follow_other_instances(cache: DirectoryCache, hub: Any) -> None:
    """Forget pages whenever another instance (or a broker resync) says the directory changed."""
    async with hub.subscribe(TOPIC) as subscription:
        async for _payload in subscription:
            cache.invalidate()


class DirectoryBroadcast:
    """The `on_change` callback that tells the other instances the directory changed.

    An announcement the broker did not take is published again, with backoff, until it is:
    one announcement says "forget your pages", so the changes made meanwhile ride on it. An
    instance that was cut off from the broker as well resyncs (forgets) when its subscription
    comes back, so a change is never silently lost to a broker outage.
    """

    def __init__(self, hub: Any) -> None:
        self.hub = hub
        self._owed = False
        self._task: asyncio.Task[None] | None = None

    def __call__(self) -> None:
        self._owed = True
        if self._task is None or self._task.done():
            with contextlib.suppress(RuntimeError):  # no running loop: nothing else to tell
                self._task = asyncio.get_running_loop().create_task(self._announce())

    async def _announce(self) -> None:
        delay = BROADCAST_RETRY_FIRST
        while self._owed:
            self._owed = False
            try:
                delivered = await self.hub.publish(TOPIC, {"changed": True})
            except Exception:
                log.warning("could not broadcast a lounge directory change", exc_info=True)
                delivered = False
            if not delivered:
                self._owed = True
                await asyncio.sleep(delay)
                delay = min(BROADCAST_RETRY_MAX, delay * 2)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


# Sessions that wrote to a directory table in their current transaction.
_touched: weakref.WeakSet[Session] = weakref.WeakSet()


def _cache_of(session: Session) -> DirectoryCache | None:
    return session.info.get("lounge_directory")


@event.listens_for(Session, "after_flush")
def _note_unit_of_work(session: Session, _flush_context: Any) -> None:
    if _cache_of(session) is None:
        return
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, DIRECTORY_MODELS):
            _touched.add(session)
            return


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_statement(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete or state.is_insert) and _cache_of(state.session) is not None:
        table = getattr(state.statement, "table", None)
        if table is not None and table.name in DIRECTORY_TABLES:
            _touched.add(state.session)


@event.listens_for(Session, "after_commit")
def _announce(session: Session) -> None:
    if session in _touched:
        _touched.discard(session)
        cache = _cache_of(session)
        if cache is not None:
            cache.changed()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    _touched.discard(session)
