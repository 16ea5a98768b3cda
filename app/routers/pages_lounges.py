"""Pages for lounges and sessions: the lounge directory, a lounge, a session and my schedule.
They render the same fragments the `/api/v1` lounge and session endpoints answer with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.db import Db
from app.routers.pages import render_page, to_login
from app.schemas.common import Page, time_zones
from app.schemas.lounges import LoungePublic, MemberPublic, TakeawayPublic
from app.schemas.schedule import (
    KIND_LABELS,
    AttendeePublic,
    FeedbackPublic,
    ResourcePublic,
    SessionPublic,
)
from app.services import accounts, lounges, sessions
from app.web.auth import MaybeUser

router = APIRouter(include_in_schema=False)
WEEKS_AHEAD = 4


def _sessions_page(views: list[Any], next_cursor: str | None) -> Page[SessionPublic]:
    return Page[SessionPublic](items=[SessionPublic.of(v) for v in views], next_cursor=next_cursor)


@router.get("/lounges")
async def lounges_page(request: Request, db: Db, caller: MaybeUser, mine: bool = False,
                       q: Annotated[str, Query(max_length=80)] = "",
                       tag: Annotated[str, Query(max_length=33)] = "") -> Response:
    if caller is None:
        return to_login(request)
    user_id = caller.user.id
    views, next_cursor = await lounges.list_lounges(db, user_id=user_id, q=q, tag=tag, mine=mine)
    return render_page(
        request, "pages/lounges.html", q=q, tag=tag, mine=mine,
        tags=await lounges.popular_tags(db, user_id=user_id),
        results=Page[LoungePublic](items=[LoungePublic.of(v) for v in views], next_cursor=next_cursor))


@router.get("/lounges/{slug}")
async def lounge_page(request: Request, db: Db, caller: MaybeUser, slug: str) -> Response:
    if caller is None:
        return to_login(request)
    user_id = caller.user.id
    view = await lounges.get_lounge_by_slug(db, slug=slug[:80], user_id=user_id)
    lounge = LoungePublic.of(view)
    upcoming, more = await sessions.list_sessions(db, user_id=user_id, lounge_id=lounge.id, upcoming=True,
                                                  series_once=True, limit=10)
    members = await lounges.list_members(db, user_id=user_id, lounge_id=lounge.id)
    takeaways = await sessions.list_takeaways(db, user_id=user_id, lounge_id=lounge.id, limit=10)
    return render_page(
        request, "pages/lounge.html", lounge=lounge, sessions=_sessions_page(upcoming, more),
        series_later=await sessions.later_in_series(db, shown=upcoming),
        members=Page[MemberPublic].of_rows(members),
        takeaways=Page[TakeawayPublic].of_rows(takeaways),
        time_zones=time_zones(), kinds=KIND_LABELS)


@router.get("/lounges/{lounge_id}/invite-picker")
async def invite_picker(request: Request, db: Db, caller: MaybeUser, lounge_id: str,
                        q: Annotated[str, Query(max_length=80)] = "") -> Response:
    """People matching `q`, each with a button that posts to the lounge's invitations."""
    if caller is None:
        return to_login(request)
    await lounges.get_lounge(db, lounge_id=lounge_id[:40], user_id=caller.user.id)
    people = []
    if q.strip():
        members = {m.user_id for m in await lounges.list_members(db, user_id=caller.user.id,
                                                                   lounge_id=lounge_id)}
        found, _ = await accounts.find_users(db, q=q.strip(), cursor=None, limit=8)
        people = [(u.id, u.display_name, u.id in members) for u in found]
    return render_page(request, "fragments/invite_picker.html", lounge_id=lounge_id, people=people, q=q)


@router.get("/sessions/{session_id}")
async def session_page(request: Request, db: Db, caller: MaybeUser, session_id: str,
                       scheduled: bool = False) -> Response:
    """A session; `scheduled` (after the schedule form) confirms how many sessions were made."""
    if caller is None:
        return to_login(request)
    user_id = caller.user.id
    view = await sessions.get_session(db, session_id=session_id[:40], user_id=user_id)
    session = SessionPublic.of(view)
    attendees = await sessions.list_attendees(db, user_id=user_id, session_id=session.id)
    resources = await sessions.list_resources(db, user_id=user_id, session_id=session.id)
    takeaways = await sessions.list_takeaways(db, user_id=user_id, session_id=session.id)
    feedback = (await sessions.list_feedback(db, user_id=user_id, session_id=session.id)
                if session.can_manage else [])
    return render_page(
        request, "pages/session.html", session=session, kinds=KIND_LABELS, chat_closed=view.chat_closed,
        attendees=Page[AttendeePublic].of_rows(attendees),
        resources=Page[ResourcePublic].of_rows(resources),
        takeaways=Page[TakeawayPublic].of_rows(takeaways),
        feedback=Page[FeedbackPublic].of_rows(feedback),
        started=view.session.starts_at <= datetime.now(UTC), time_zones=time_zones(),
        scheduled=(view.series.size if view.series else 1) if scheduled else 0)


@router.get("/schedule")
async def schedule_page(request: Request, db: Db, caller: MaybeUser) -> Response:
    """My week and the next weeks, grouped by day in my own time zone."""
    if caller is None:
        return to_login(request)
    zone = ZoneInfo(caller.user.time_zone)
    today = datetime.now(zone).date()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(monday + timedelta(weeks=WEEKS_AHEAD + 1), datetime.min.time(), tzinfo=zone)
    views, _ = await sessions.list_sessions(db, user_id=caller.user.id, start=start.astimezone(UTC),
                                            end=end.astimezone(UTC), mine=True, limit=100)
    weeks: list[tuple[str, list[tuple[str, list[SessionPublic]]]]] = []
    for n in range(WEEKS_AHEAD + 1):
        week_start = monday + timedelta(weeks=n)
        days = []
        for d in range(7):
            day = week_start + timedelta(days=d)
            items = [SessionPublic.of(v) for v in views if v.session.starts_at.astimezone(zone).date() == day]
            if items:
                days.append((f"{day:%A %d %B}", items))
        label = "This week" if n == 0 else "Next week" if n == 1 else f"Week of {week_start:%d %B}"
        weeks.append((label, days))
    return render_page(request, "pages/schedule.html", weeks=weeks, zone=zone.key)
