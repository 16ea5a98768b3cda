"""iCalendar downloads and my calendar feed: `/api/v1/sessions/{id}.ics`,
`/api/v1/lounges/{id}/calendar.ics`, `/api/v1/calendar/{feed_token}.ics`,
`/api/v1/me/learning-time.ics` (my protected learning time), and `/api/v1/me/calendar` (the
feed URL) with `/api/v1/me/calendar/rotate`.

The `.ics` answers are `text/calendar`, not JSON or fragments; the feed is read by calendar
apps that cannot sign in, so its unguessable URL is its only credential.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from app.db import Db
from app.schemas.calendars import CalendarFeedPublic
from app.services import calendars
from app.web.auth import Reader, Writer
from app.web.openapi import problems
from app.web.params import ResourceId
from app.web.respond import respond

router = APIRouter(prefix="/api/v1", tags=["calendars"])

ICS = {200: {"description": "An iCalendar (RFC 5545) file",
             "content": {"text/calendar": {"schema": {"type": "string"}}}}}
FeedToken = Annotated[str, Path(max_length=120, pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
                                description="The secret token of a calendar feed")]


def _ics(body: bytes, filename: str) -> Response:
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


def _base_url(request: Request) -> str:
    return request.app.state.settings.base_url.rstrip("/")


@router.get("/sessions/{session_id}.ics", response_class=Response,
            responses={**ICS, **problems(401, 403, 404, 422)})
async def download_session_calendar(request: Request, db: Db, caller: Reader,
                                    session_id: ResourceId) -> Response:
    """One session as an iCalendar file, for "Add to calendar"."""
    body = await calendars.session_calendar(db, session_id=session_id, user=caller.user,
                                            base_url=_base_url(request))
    return _ics(body, f"{session_id}.ics")


@router.get("/lounges/{lounge_id}/calendar.ics", response_class=Response,
            responses={**ICS, **problems(401, 403, 404, 422)})
async def download_lounge_calendar(request: Request, db: Db, caller: Reader,
                                   lounge_id: ResourceId) -> Response:
    """A lounge's sessions (from 90 days ago on) as an iCalendar file."""
    body = await calendars.lounge_calendar(db, lounge_id=lounge_id, user=caller.user,
                                           base_url=_base_url(request))
    return _ics(body, f"{lounge_id}.ics")


@router.get("/calendar/{feed_token}.ics", response_class=Response,
            responses={**ICS, **problems(404, 422)})
async def read_calendar_feed(request: Request, db: Db, feed_token: FeedToken) -> Response:
    """My personal feed (everything I am going to or host, and my learning time) at its secret
    address; no sign-in."""
    body = await calendars.feed_calendar(db, token=feed_token, key=request.app.state.settings.secret,
                                         base_url=_base_url(request))
    return _ics(body, "lounge.ics")


@router.get("/me/learning-time.ics", response_class=Response,
            responses={**ICS, **problems(401, 403)})
async def download_learning_time_calendar(request: Request, db: Db, caller: Reader) -> Response:
    """My protected learning time: a weekly busy block for each of my active goals that keeps
    `weekly_minutes`, on its weekday and start time in my time zone, until its target date."""
    body = await calendars.learning_calendar(db, user=caller.user, base_url=_base_url(request))
    return _ics(body, "learning-time.ics")


def _feed(request: Request, token: str) -> CalendarFeedPublic:
    url = f"{_base_url(request)}/api/v1/calendar/{token}.ics"
    return CalendarFeedPublic(url=url, webcal_url="webcal://" + url.split("://", 1)[1])


@router.get("/me/calendar", response_model=CalendarFeedPublic, responses=problems(401, 403))
async def read_my_calendar_feed(request: Request, db: Db, caller: Reader) -> Response:
    """The secret address of my calendar feed, to subscribe to from a calendar app."""
    token = await calendars.feed_token(db, user=caller.user, key=request.app.state.settings.secret)
    return respond(request, _feed(request, token), "fragments/calendar_feed.html")


@router.post("/me/calendar/rotate", response_model=CalendarFeedPublic, responses=problems(401, 403))
async def rotate_my_calendar_feed(request: Request, db: Db, caller: Writer) -> Response:
    """Replace my feed's address; the old one stops working at once."""
    token = await calendars.rotate_feed(db, user=caller.user, key=request.app.state.settings.secret)
    return respond(request, _feed(request, token), "fragments/calendar_feed.html",
                   context={"rotated": True})
