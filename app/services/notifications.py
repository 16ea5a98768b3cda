"""In-app notifications (the bell): staging one for someone, listing mine newest first,
counting the unread ones and marking them read."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Notification, User
from app.models.base import utcnow
from app.services.pagination import page_of


def notify(db: AsyncSession, *, user_id: str, kind: str, title: str, body: str = "",
           url: str = "") -> Notification:
    """Stage a notification in the caller's transaction (an outbox job's, usually)."""
    notification = Notification(user_id=user_id, kind=kind, title=title[:200], body=body[:2000],
                                url=url[:500])
    db.add(notification)
    return notification


async def list_notifications(db: AsyncSession, *, user: User, cursor: str | None,
                             limit: int) -> tuple[list[Notification], str | None]:
    query = select(Notification).where(Notification.user_id == user.id)
    return await page_of(db, query, Notification, cursor=cursor, limit=limit, newest_first=True)


async def unread_count(db: AsyncSession, *, user: User) -> int:
    query = select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))
    return int((await db.execute(query)).scalar_one())


async def mark_read(db: AsyncSession, *, user: User, ids: Sequence[str] | None) -> int:
    """Mark the given notifications (all of mine when `ids` is None) read; returns what is
    still unread. Ids that are not mine are ignored, so nobody learns which exist."""
    statement = update(Notification).where(Notification.user_id == user.id,
                                           Notification.read_at.is_(None))
    if ids is not None:
        statement = statement.where(Notification.id.in_(list(ids)))
    await db.execute(statement.values(read_at=utcnow()))
    await db.commit()
    return await unread_count(db, user=user)
