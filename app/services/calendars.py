"""iCalendar (RFC 5545) for learning sessions and protected learning time: the VCALENDAR
builder, which sessions go into the per-session, per-lounge and personal-feed calendars (each
viewer seeing the join link only for sessions they are going to or host), and the weekly
learning-time blocks of a person's own active goals (in their own calendar and their feed).

Every occurrence is its own VEVENT with the session's stable `ical_uid` and its `sequence`;
start and end carry their TZID with a VTIMEZONE; a cancelled session stays in the calendar as
STATUS:CANCELLED so subscribed clients remove it. The same builder makes iTIP (RFC 5546)
invitations and cancellations for e-mail when given a METHOD, an organizer and an attendee.

Learning time is one recurring VEVENT per goal (`learning-{goal id}@lounge`): a weekly RRULE
from the goal's weekday and start time in its owner's zone (DTSTART with TZID, so the block
keeps its wall-clock time across DST), lasting `weekly_minutes`, busy (`TRANSP:OPAQUE`), until
the goal's target date. Only the owner's own goals are ever read, whatever their visibility.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.models import CalendarFeed, Goal, LearningSession, User
from app.models.base import utcnow
from app.services import lounges, sessions
from app.services.sessions import SessionView
from app.services.vtimezones import vtimezone

PRODID = "-//Lounge//Learning sessions//EN"
# Calendars look back this far, so a subscribed client keeps recent sessions.
HISTORY = timedelta(days=90)
MAX_EVENTS = 1000
# VTIMEZONEs of a weekly block with no end date cover this many years ahead.
OPEN_ENDED_YEARS = 10
_MARGIN = timedelta(days=366)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class CalendarEntry:
    """What one VEVENT says about one occurrence (times are UTC)."""

    uid: str
    sequence: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    created_at: datetime
    updated_at: datetime
    url: str = ""
    location: str = ""
    join_url: str = ""  # left empty for viewers who are neither going nor hosting
    cancelled: bool = False
    # A recurring entry repeats by this RFC 5545 RRULE from `starts_at`, each time lasting
    # `ends_at - starts_at` (written as DURATION); `transparency` is its TRANSP, when set.
    rrule: str = ""
    transparency: str = ""


@dataclass(frozen=True)
class Person:
    name: str
    email: str


def _event(entry: CalendarEntry, *, stamp: datetime, organizer: Person | None,
           attendee: Person | None, partstat: str) -> icalendar.Event:
    zone = ZoneInfo(entry.time_zone)
    event = icalendar.Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("created", entry.created_at)
    event.add("last-modified", entry.updated_at)
    event.add("sequence", entry.sequence)
    event.add("summary", entry.title)
    event.add("dtstart", entry.starts_at.astimezone(zone))
    if entry.rrule:
        event.add("duration", entry.ends_at - entry.starts_at)
        event.add("rrule", icalendar.vRecur.from_ical(entry.rrule))
    else:
        event.add("dtend", entry.ends_at.astimezone(zone))
    if entry.transparency:
        event.add("transp", entry.transparency)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    location = entry.location or entry.join_url
    if location:
        event.add("location", location)
    description = entry.description
    if entry.join_url:
        description = f"Join: {entry.join_url}\n\n{description}".strip()
    if entry.url:
        event.add("url", entry.url)
        description = f"{description}\n\n{entry.url}".strip()
    if description:
        event.add("description", description)
    if organizer is not None:
        event.add("organizer", f"mailto:{organizer.email}", parameters={"CN": organizer.name})
    if attendee is not None:
        event.add("attendee", f"mailto:{attendee.email}", parameters={
            "CN": attendee.name, "ROLE": "REQ-PARTICIPANT", "PARTSTAT": partstat, "RSVP": "FALSE"})
    return event


def build_calendar(entries: Iterable[CalendarEntry], *, name: str | None = None,
                   method: str | None = None, organizer: Person | None = None,
                   attendee: Person | None = None) -> bytes:
    """A VCALENDAR with one VEVENT per entry and the VTIMEZONEs their times need.

    Published calendars (no `method`) stamp each event with its last change, so the same data
    gives the same bytes; an iTIP message (`method` REQUEST or CANCEL) is stamped now.
    """
    entries = list(entries)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    now = utcnow()
    partstat = "DECLINED" if method == "CANCEL" else "ACCEPTED"
    for entry in entries:
        stamp = now if method else entry.updated_at
        calendar.add_component(_event(entry, stamp=stamp, organizer=organizer, attendee=attendee,
                                      partstat=partstat))
    _add_timezones(calendar, entries, now)
    return calendar.to_ical()


def _add_timezones(calendar: icalendar.Calendar, entries: list[CalendarEntry], now: datetime) -> None:
    """One VTIMEZONE per zone the events name, holding the transitions of the years each entry
    spans with a year either side. Spans of one zone that overlap are merged and distant ones
    keep observances of their own, so a session years away costs a few transitions rather
    than every year in between."""
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for entry in entries:
        spans[entry.time_zone].append(((entry.starts_at - _MARGIN).year,
                                       (_last_moment(entry, now) + _MARGIN).year))
    for tzid in sorted(calendar.get_missing_tzids()):
        if years := _merged(spans.get(tzid, [])):
            calendar.add_component(vtimezone(tzid, years))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _last_moment(entry: CalendarEntry, now: datetime) -> datetime:
    """When the entry's last occurrence ends, as far as its VTIMEZONE must reach: a series
    with no end, or one ending further off than that, reaches OPEN_ENDED_YEARS past today (a
    year-granular horizon, so the bytes stay stable)."""
    if not entry.rrule:
        return entry.ends_at
    horizon = datetime(max(entry.starts_at.year, now.year) + OPEN_ENDED_YEARS, 1, 1, tzinfo=UTC)
    until = icalendar.vRecur.from_ical(entry.rrule).get("UNTIL")
    if until:
        return max(entry.ends_at, min(until[0], horizon))
    return horizon


def entry_for(session: LearningSession, *, base_url: str, with_join_link: bool) -> CalendarEntry:
    """The calendar view of an occurrence; the join link only for those going and hosts."""
    return CalendarEntry(
        uid=session.ical_uid, sequence=session.sequence, title=session.title,
        description=session.description, starts_at=session.starts_at, ends_at=session.ends_at,
        time_zone=session.time_zone, created_at=session.created_at, updated_at=session.updated_at,
        url=f"{base_url}/sessions/{session.id}", location=session.location,
        join_url=session.join_url if with_join_link else "",
        cancelled=session.status == "cancelled")


def _entry_for_viewer(view: SessionView, base_url: str) -> CalendarEntry:
    return entry_for(view.session, base_url=base_url, with_join_link=view.join_url is not None)


async def _views(db: AsyncSession, *, user_id: str, lounge_id: str | None = None,
                 mine: bool = False) -> list[SessionView]:
    found: list[SessionView] = []
    cursor = None
    while len(found) < MAX_EVENTS:
        page, cursor = await sessions.list_sessions(
            db, user_id=user_id, lounge_id=lounge_id, mine=mine, start=utcnow() - HISTORY,
            cursor=cursor, limit=100)
        found += page
        if cursor is None:
            break
    return found[:MAX_EVENTS]


async def session_calendar(db: AsyncSession, *, session_id: str, user: User, base_url: str) -> bytes:
    """One occurrence, as the viewer may see it (404 when its lounge is hidden from them)."""
    view = await sessions.get_session(db, session_id=session_id, user_id=user.id)
    return build_calendar([_entry_for_viewer(view, base_url)], name=view.session.title)


async def lounge_calendar(db: AsyncSession, *, lounge_id: str, user: User, base_url: str) -> bytes:
    """The lounge's sessions from the last 90 days on (404 for a private lounge's non-members,
    and once it is archived)."""
    lounge, _role = await lounges.visible_lounge(db, lounge_id=lounge_id, user_id=user.id,
                                                 include_archived=False)
    views = await _views(db, user_id=user.id, lounge_id=lounge.id)
    return build_calendar([_entry_for_viewer(v, base_url) for v in views], name=lounge.name)


def _is_mine(view: SessionView, user_id: str) -> bool:
    return view.my_status == "going" or view.session.host_id == user_id or user_id in view.cohost_ids


async def feed_calendar(db: AsyncSession, *, token: str, key: str, base_url: str) -> bytes:
    """Everything the feed's owner is going to or hosts, and their own learning time;
    NotFound for an unknown or old token."""
    user_id, _, mac = token.rpartition(".")
    feed = await db.get(CalendarFeed, user_id) if user_id else None
    expected = _token(user_id, feed.salt if feed else "", key) if user_id else ""
    owner = await db.get(User, user_id) if user_id else None
    if not user_id or owner is None or not hmac.compare_digest(expected.encode(), token.encode()):
        raise NotFound("There is no calendar feed at this address (it may have been replaced).")
    views = [v for v in await _views(db, user_id=user_id, mine=True) if _is_mine(v, user_id)]
    entries = [_entry_for_viewer(v, base_url) for v in views]
    entries += await learning_entries(db, owner=owner, base_url=base_url)
    return build_calendar(entries, name="My Lounge sessions")


# --- Protected learning time ------------------------------------------------------------------

def learning_entry(goal: Goal, *, owner: User, base_url: str) -> CalendarEntry | None:
    """The goal's weekly learning block, or None when it would never happen (its target date
    comes before its first week). Blocks start from the first chosen weekday on or after the
    goal was written, at `learning_start` in the owner's zone."""
    zone = ZoneInfo(owner.time_zone)
    hour, minute = (int(part) for part in goal.learning_start.split(":"))
    wall = time(hour, minute)
    created = goal.created_at.astimezone(zone).date()
    day = created + timedelta(days=(goal.learning_weekday - created.weekday()) % 7)
    starts = datetime.combine(day, wall, zone).astimezone(UTC)
    for _ in range(4):  # a start inside a DST gap does not exist that day: begin a week later
        if starts.astimezone(zone).time() == wall:
            break
        day += timedelta(days=7)
        starts = datetime.combine(day, wall, zone).astimezone(UTC)
    rule = f"FREQ=WEEKLY;BYDAY={WEEKDAYS[goal.learning_weekday]}"
    if goal.target_date is not None:
        # UNTIL is inclusive and, with a TZID start, in UTC: the end of the target day there.
        until = datetime.combine(goal.target_date, time(23, 59, 59), zone).astimezone(UTC)
        if until < starts:
            return None
        rule += f";UNTIL={until:%Y%m%dT%H%M%SZ}"
    minutes = goal.weekly_minutes or 0
    # No SEQUENCE column on goals: seconds from writing to the last change only ever grow.
    sequence = min(2**31 - 1, max(0, int((goal.updated_at - goal.created_at).total_seconds())))
    return CalendarEntry(
        uid=f"learning-{goal.id}@lounge", sequence=sequence, title=f"Learning time: {goal.title}",
        description=f"{minutes} minutes a week kept free to work on this goal.",
        starts_at=starts, ends_at=starts + timedelta(minutes=minutes), time_zone=owner.time_zone,
        created_at=goal.created_at, updated_at=goal.updated_at, url=f"{base_url}/goals/{goal.id}",
        rrule=rule, transparency="OPAQUE")


async def learning_entries(db: AsyncSession, *, owner: User, base_url: str) -> list[CalendarEntry]:
    """The learning blocks of `owner`'s own active goals that protect some weekly time."""
    goals = await db.scalars(
        select(Goal).where(Goal.owner_id == owner.id, Goal.status == "active", Goal.weekly_minutes > 0)
        .order_by(Goal.created_at, Goal.id).limit(MAX_EVENTS))
    entries = (learning_entry(goal, owner=owner, base_url=base_url) for goal in goals)
    return [entry for entry in entries if entry is not None]


async def learning_calendar(db: AsyncSession, *, user: User, base_url: str) -> bytes:
    """My protected learning time, one weekly busy block per active goal."""
    return build_calendar(await learning_entries(db, owner=user, base_url=base_url),
                          name="My learning time")


def _token(user_id: str, salt: str, key: str) -> str:
    mac = hmac.new(key.encode(), f"calendar-feed:{user_id}:{salt}".encode(), hashlib.sha256)
    return f"{user_id}.{base64.urlsafe_b64encode(mac.digest()).decode().rstrip('=')}"


async def feed_token(db: AsyncSession, *, user: User, key: str) -> str:
    """The secret token of my feed URL (reading it changes nothing)."""
    feed = await db.get(CalendarFeed, user.id)
    return _token(user.id, feed.salt if feed else "", key)


async def rotate_feed(db: AsyncSession, *, user: User, key: str) -> str:
    """A new feed token; the previous URL stops working at once."""
    salt = secrets.token_urlsafe(24)
    feed = await db.get(CalendarFeed, user.id)
    if feed is None:
        db.add(CalendarFeed(user_id=user.id, salt=salt))
    else:
        feed.salt, feed.rotated_at = salt, utcnow()
    try:
        await db.commit()
    except IntegrityError:  # rotated twice at once: the other rotation stands
        await db.rollback()
    return await feed_token(db, user=user, key=key)
