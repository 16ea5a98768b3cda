"""`/api/v1/notifications`: my bell — the list, the unread count, and marking read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.db import Db
from app.schemas.common import Page
from app.schemas.notifications import MarkRead, NotificationPublic, UnreadCount
from app.services import notifications
from app.web.auth import Reader, Writer
from app.web.forms import FormOrJson
from app.web.openapi import problems
from app.web.params import Cursor, Limit
from app.web.respond import respond

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])


@router.get("", response_model=Page[NotificationPublic], responses=problems(401, 403, 422))
async def list_notifications(request: Request, db: Db, caller: Reader, cursor: Cursor = None,
                             limit: Limit = 20) -> Response:
    """My notifications, newest first."""
    items, next_cursor = await notifications.list_notifications(db, user=caller.user, cursor=cursor,
                                                                limit=limit)
    page = Page[NotificationPublic].of_rows(items, next_cursor)
    return respond(request, page, "fragments/notification_list.html")


@router.get("/unread_count", response_model=UnreadCount, responses=problems(401, 403))
async def count_unread_notifications(request: Request, db: Db, caller: Reader) -> Response:
    """How many of my notifications are unread (the number on the bell)."""
    count = await notifications.unread_count(db, user=caller.user)
    return respond(request, UnreadCount(unread=count), "fragments/notification_count.html")


@router.post("/read", response_model=UnreadCount, responses=problems(401, 403, 413, 415, 422))
async def mark_notifications_read(request: Request, db: Db, caller: Writer,
                                  body: FormOrJson[MarkRead]) -> Response:
    """Mark the given notifications read (all of mine without `ids`); answers what stays unread."""
    count = await notifications.mark_read(db, user=caller.user, ids=body.ids)
    return respond(request, UnreadCount(unread=count), "fragments/notification_count.html",
                   headers={"HX-Trigger": "notifications-changed"})
