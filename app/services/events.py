"""Domain events, staged in the caller's transaction (the transactional outbox).

A service that changes something calls `record(db, "session.cancelled", {...})` *before* it
commits; the event becomes an `outbox` row in the same transaction, so it exists exactly when
the change does. The outbox worker later hands each event to every handler subscribed to its
type (notifications, reminders, calendar e-mail, webhooks, learning records). Live chat does
not go through here: it publishes to the realtime hub right after its commit.

Event types in use: `lounge.created`, `lounge.updated`, `session.created`, `session.updated`,
`session.cancelled`, `rsvp.changed`, `rsvp.promoted`, `message.created`; and for goals
`goal.created`, `goal.updated` (with `changed`), `goal.achieved`, `goal.checked_in` (with
`checkin_id`) and `plan_item.done` (with `plan_item_id`), each carrying `goal_id`, `owner_id`
and the goal's `visibility` when it happened. Handlers that expose a goal read its visibility
again when they run (webhooks send only `org` goals); the event's copy is only a record.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.base import new_id, utcnow
from app.models.platform import OutboxJob

EVENT_PREFIX = "event:"

Handler = Callable[[AsyncSession, str, dict[str, Any]], Awaitable[None]]


def record(db: AsyncSession, event_type: str, data: dict[str, Any], *,
           key: str | None = None) -> OutboxJob:
    """Stage `event_type` with its JSON-able `data`; it is delivered only if the caller commits.
    `key` makes the event idempotent: recording the same key twice keeps one row.
    """
    job = OutboxJob(**_job(event_type, data, key))
    db.add(job)
    return job


async def record_all(db: AsyncSession, event_type: str, datas: list[dict[str, Any]]) -> None:
    """`record` for many events at once (a chat batch): one insert, and no ORM objects."""
    if datas:
        await db.execute(insert(OutboxJob.__table__), [_job(event_type, data, None) for data in datas])


def _job(event_type: str, data: dict[str, Any], key: str | None) -> dict[str, Any]:
    now = utcnow()
    return {"id": new_id("job"), "kind": EVENT_PREFIX + event_type,
            "dedupe_key": key or f"{event_type}:{secrets.token_urlsafe(12)}",
            "payload": {"type": event_type, "data": data}, "status": "pending", "run_at": now,
            "attempts": 0, "claimed_by": None, "claimed_until": None, "last_error": None,
            "created_at": now, "finished_at": None}


class EventHandlers:
    """Which handlers run for which event type; built once per app in `create_app`."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}

    def subscribe(self, event_type: str, handler: Handler) -> None:
        self._handlers.setdefault(event_type, []).append(handler)

    def for_type(self, event_type: str) -> list[Handler]:
        return [*self._handlers.get(event_type, []), *self._handlers.get("*", [])]
