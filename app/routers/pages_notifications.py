"""The `/notifications` page: everything under my bell, newest first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.db import Db
from app.routers.pages import render_page, to_login
from app.schemas.common import Page
from app.schemas.notifications import NotificationPublic
from app.services import notifications
from app.web.auth import MaybeUser

router = APIRouter(include_in_schema=False)


@router.get("/notifications")
async def notifications_page(request: Request, db: Db, caller: MaybeUser) -> Response:
    if caller is None:
        return to_login(request)
    items, next_cursor = await notifications.list_notifications(db, user=caller.user, cursor=None,
                                                                limit=20)
    page = Page[NotificationPublic].of_rows(items, next_cursor)
    return render_page(request, "pages/notifications.html", notifications=page)
