"""Employee-led learning sessions: scheduling one-offs and RRULE series (one row per
occurrence), editing and cancelling one occurrence or this-and-following, RSVPs with a
first-come waitlist and promotion, attendance, notes, resources and feedback. A session (the
first of a series) cannot be scheduled or moved to start in the past.

Check-in (hosts marking who came) is open from 15 minutes before a session starts until a day
after it ends, never for a cancelled one, and only for people who are going (or, to undo it,
already checked in); the session page offers the buttons exactly then (`SessionView.can_check_in`).

Seat allocation is serialised per session: every RSVP change first bumps the session's
`rsvp_version` with an UPDATE, which takes the row lock on PostgreSQL and the write lock on
SQLite before anything is counted, so two people racing for the last seat cannot both get it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import (
    Channel,
    LearningSession,
    Lounge,
    LoungeMember,
    Rsvp,
    SessionCohost,
    SessionFeedback,
    SessionResource,
    SessionSeries,
    User,
)
from app.models.base import as_utc
from app.schemas.schedule import ENDS_BEFORE_START, FeedbackUpsert, SessionCreate, SessionUpdate
from app.services import events, goal_plans, repeats
from app.services.lounges import (
    MANAGERS,
    add_in_order,
    like_pattern,
    role_of,
    session_chat_closed,
    visible_lounge,
    visible_to,
    writable,
)
from app.services.pagination import decode_cursor, encode_cursor
from app.services.recurrence import expand, local_to_utc, resolve, wall_time

MAX_DURATION = timedelta(hours=12)
CHECK_IN_OPENS = timedelta(minutes=15)  # before the start
CHECK_IN_CLOSES = timedelta(days=1)  # after the end
MISSING = "There is no session here, or it is in a private lounge."


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SeriesFacts:
    """A series as a whole: its rule, in plain words too, and how many sessions it has."""

    rrule: str
    words: str | None
    size: int


@dataclass(frozen=True)
class Occurrence:
    id: str
    starts_at: datetime


@dataclass(frozen=True)
class SessionView:
    """A session as one viewer sees it (the join link only when they may have it)."""

    session: LearningSession
    lounge: Lounge
    rrule: str | None
    host_name: str
    cohost_ids: list[str]
    going_count: int
    waitlist_count: int
    my_status: str | None
    my_position: int | None
    my_checked_in: bool
    can_manage: bool
    hosting: bool
    series: SeriesFacts | None = None

    @property
    def can_check_in(self) -> bool:
        """Whether this viewer may check people in now."""
        return self.can_manage and check_in_open(self.session)

    @property
    def join_url(self) -> str | None:
        if self.session.join_url and (self.can_manage or self.my_status == "going"):
            return self.session.join_url
        return None

    @property
    def chat_closed(self) -> str | None:
        """Why the session's chat takes no new messages, or None while it does."""
        return session_chat_closed(self.session.status, self.session.ends_at)

    @property
    def seats_left(self) -> int | None:
        if self.session.capacity is None:
            return None
        return max(0, self.session.capacity - self.going_count)


@dataclass(frozen=True)
class RsvpResult:
    session_id: str
    status: str
    waitlist_position: int | None


@dataclass(frozen=True)
class AttendeeView:
    user_id: str
    display_name: str
    status: str
    waitlist_position: int | None
    checked_in: bool


@dataclass(frozen=True)
class FeedbackView:
    session_id: str
    user_id: str
    display_name: str
    rating: int
    comment: str
    takeaway: str
    updated_at: datetime


@dataclass(frozen=True)
class TakeawayView:
    session_id: str
    session_title: str
    user_id: str
    display_name: str
    takeaway: str
    created_at: datetime


def check_in_open(session: LearningSession) -> bool:
    """Whether check-in is open: from `CHECK_IN_OPENS` before the start until `CHECK_IN_CLOSES`
    after the end, unless the session is cancelled."""
    now = _now()
    return (session.status != "cancelled"
            and session.starts_at - CHECK_IN_OPENS <= now < session.ends_at + CHECK_IN_CLOSES)


# --- reading -------------------------------------------------------------------------------------

async def _views(db: AsyncSession, sessions: list[LearningSession], *, user_id: str) -> list[SessionView]:
    """Build views for many sessions with a fixed number of queries."""
    if not sessions:
        return []
    ids = [s.id for s in sessions]
    lounge_ids = {s.lounge_id for s in sessions}
    lounges = {lo.id: lo for lo in (await db.execute(
        select(Lounge).where(Lounge.id.in_(lounge_ids)))).scalars()}
    roles = dict((await db.execute(select(LoungeMember.lounge_id, LoungeMember.role).where(
        LoungeMember.lounge_id.in_(lounge_ids), LoungeMember.user_id == user_id))).all())
    hosts = dict((await db.execute(select(User.id, User.display_name).where(
        User.id.in_({s.host_id for s in sessions})))).all())
    cohosts: dict[str, list[str]] = {}
    for session_id, cohost_id in await db.execute(
            select(SessionCohost.session_id, SessionCohost.user_id).where(SessionCohost.session_id.in_(ids))):
        cohosts.setdefault(session_id, []).append(cohost_id)
    counts: dict[tuple[str, str], int] = {
        (sid, status): n for sid, status, n in await db.execute(
            select(Rsvp.session_id, Rsvp.status, func.count()).where(
                Rsvp.session_id.in_(ids), Rsvp.status.in_(("going", "waitlisted")))
            .group_by(Rsvp.session_id, Rsvp.status))}
    mine = {r.session_id: r for r in (await db.execute(
        select(Rsvp).where(Rsvp.session_id.in_(ids), Rsvp.user_id == user_id))).scalars()}
    positions = await _positions(db, [r for r in mine.values() if r.status == "waitlisted"])
    series = await _series_facts(db, {s.series_id for s in sessions if s.series_id})
    views = []
    for s in sessions:
        rsvp = mine.get(s.id)
        hosting = s.host_id == user_id or user_id in cohosts.get(s.id, [])
        views.append(SessionView(
            session=s, lounge=lounges[s.lounge_id], rrule=series[s.series_id].rrule if s.series_id else None,
            host_name=hosts.get(s.host_id, ""), cohost_ids=sorted(cohosts.get(s.id, [])),
            going_count=counts.get((s.id, "going"), 0), waitlist_count=counts.get((s.id, "waitlisted"), 0),
            my_status=rsvp.status if rsvp else None, my_position=positions.get(s.id),
            my_checked_in=bool(rsvp and rsvp.checked_in_at),
            can_manage=hosting or roles.get(s.lounge_id) in MANAGERS, hosting=hosting,
            series=series[s.series_id] if s.series_id else None,
        ))
    return views


async def _series_facts(db: AsyncSession, series_ids: set[str]) -> dict[str, SeriesFacts]:
    """Each series' rule, described from its first occurrence as scheduled, and its size."""
    if not series_ids:
        return {}
    rows = await db.execute(
        select(SessionSeries.id, SessionSeries.rrule, SessionSeries.time_zone,
               func.min(LearningSession.original_starts_at), func.count(LearningSession.id))
        .join(LearningSession, LearningSession.series_id == SessionSeries.id)
        .where(SessionSeries.id.in_(series_ids))
        .group_by(SessionSeries.id, SessionSeries.rrule, SessionSeries.time_zone))
    return {series_id: SeriesFacts(
        rrule=rule, size=size,
        words=repeats.describe(rule, start=as_utc(first), zone=ZoneInfo(zone)) if first else None)
        for series_id, rule, zone, first, size in rows}


async def _positions(db: AsyncSession, rsvps: list[Rsvp]) -> dict[str, int]:
    """1-based waitlist positions of these waitlisted RSVPs (one per session)."""
    positions = {}
    for rsvp in rsvps:
        ahead = await db.scalar(select(func.count()).select_from(Rsvp).where(
            Rsvp.session_id == rsvp.session_id, Rsvp.status == "waitlisted", Rsvp.queue_no < rsvp.queue_no))
        positions[rsvp.session_id] = (ahead or 0) + 1
    return positions


async def _visible_session(db: AsyncSession, *, session_id: str, user_id: str) -> LearningSession:
    session = await db.get(LearningSession, session_id, populate_existing=True)
    if session is None:
        raise NotFound(MISSING)
    lounge = await db.get(Lounge, session.lounge_id)
    assert lounge is not None
    if lounge.visibility == "private" and await role_of(db, lounge_id=lounge.id, user_id=user_id) is None:
        raise NotFound(MISSING)
    return session


async def view_session(db: AsyncSession, *, session: LearningSession, user_id: str) -> SessionView:
    return (await _views(db, [session], user_id=user_id))[0]


async def get_session(db: AsyncSession, *, session_id: str, user_id: str) -> SessionView:
    session = await _visible_session(db, session_id=session_id, user_id=user_id)
    return await view_session(db, session=session, user_id=user_id)


async def _managed_session(db: AsyncSession, *, session_id: str, user_id: str) -> SessionView:
    view = await get_session(db, session_id=session_id, user_id=user_id)
    if not view.can_manage:
        raise Forbidden("Only the session's hosts and the lounge's hosts and moderators may do this.")
    return view


async def list_sessions(db: AsyncSession, *, user_id: str, lounge_id: str | None = None,
                        start: datetime | None = None, end: datetime | None = None, mine: bool = False,
                        upcoming: bool = False, series_once: bool = False, q: str | None = None,
                        cursor: str | None = None, limit: int = 50) -> tuple[list[SessionView], str | None]:
    """Sessions the viewer may see, by start time; `start` inclusive, `end` exclusive; `mine`
    keeps those they host, co-host, go to or wait for; `upcoming` those not yet over nor
    cancelled, and with `series_once` only the next of each series; `q` those whose title
    contains it."""
    query = select(LearningSession).join(Lounge, Lounge.id == LearningSession.lounge_id).where(
        visible_to(user_id))
    if lounge_id is not None:
        await visible_lounge(db, lounge_id=lounge_id, user_id=user_id)
        query = query.where(LearningSession.lounge_id == lounge_id)
    if start is not None:
        query = query.where(LearningSession.starts_at >= start)
    if end is not None:
        query = query.where(LearningSession.starts_at < end)
    if upcoming:
        query = query.where(LearningSession.status == "scheduled", LearningSession.ends_at > _now())
    if upcoming and series_once:
        earlier = aliased(LearningSession)
        query = query.where(or_(LearningSession.series_id.is_(None), ~exists().where(
            earlier.series_id == LearningSession.series_id, earlier.status == "scheduled",
            earlier.ends_at > _now(), or_(earlier.starts_at < LearningSession.starts_at, and_(
                earlier.starts_at == LearningSession.starts_at, earlier.id < LearningSession.id)))))
    if q and q.strip():
        query = query.where(func.lower(LearningSession.title).like(like_pattern(q.strip()), escape="\\"))
    if mine:
        query = query.where(or_(
            LearningSession.host_id == user_id,
            LearningSession.id.in_(select(SessionCohost.session_id).where(SessionCohost.user_id == user_id)),
            LearningSession.id.in_(select(Rsvp.session_id).where(
                Rsvp.user_id == user_id, Rsvp.status.in_(("going", "waitlisted")))),
        ))
    if cursor:
        at, row_id = decode_cursor(cursor)
        query = query.where(or_(LearningSession.starts_at > at,
                                and_(LearningSession.starts_at == at, LearningSession.id > row_id)))
    rows = list((await db.execute(
        query.order_by(LearningSession.starts_at, LearningSession.id).limit(limit + 1))).scalars())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].starts_at, rows[-1].id)
    return await _views(db, rows, user_id=user_id), next_cursor


async def later_in_series(db: AsyncSession, *, shown: list[SessionView]) -> dict[str, list[Occurrence]]:
    """For each series among `shown` (occurrences the viewer may see), its upcoming occurrences
    after the one shown, by start time."""
    firsts = {v.session.series_id: v.session for v in shown if v.session.series_id}
    later: dict[str, list[Occurrence]] = {series_id: [] for series_id in firsts}
    if not firsts:
        return later
    rows = await db.execute(
        select(LearningSession.id, LearningSession.series_id, LearningSession.starts_at).where(
            LearningSession.series_id.in_(firsts), LearningSession.status == "scheduled",
            LearningSession.ends_at > _now()).order_by(LearningSession.starts_at, LearningSession.id))
    for session_id, series_id, starts_at in rows:
        first = firsts[series_id]
        if (as_utc(starts_at), session_id) > (first.starts_at, first.id):
            later[series_id].append(Occurrence(id=session_id, starts_at=as_utc(starts_at)))
    return later


# --- scheduling ----------------------------------------------------------------------------------

def _span(starts_at: datetime, ends_at: datetime) -> timedelta:
    duration = ends_at - starts_at
    if duration <= timedelta(0):
        raise InvalidInput(ENDS_BEFORE_START, field="ends_at")
    if duration > MAX_DURATION:
        raise InvalidInput("A session lasts at most 12 hours.", field="ends_at")
    return duration


def _not_in_the_past(start: datetime, now: datetime) -> None:
    # The current minute still counts: forms give start times to the minute.
    if start < now.replace(second=0, microsecond=0):
        raise InvalidInput("A session cannot start in the past.", field="starts_at")


async def _check_cohosts(db: AsyncSession, *, lounge: Lounge, host_id: str,
                         cohost_ids: list[str]) -> list[str]:
    wanted = sorted(set(cohost_ids) - {host_id})
    if not wanted:
        return []
    members = set((await db.execute(select(LoungeMember.user_id).where(
        LoungeMember.lounge_id == lounge.id, LoungeMember.user_id.in_(wanted)))).scalars())
    if set(wanted) - members:
        raise Conflict("Co-hosts must be members of the lounge.", field="cohost_ids")
    return wanted


async def schedule_session(db: AsyncSession, *, user: User, lounge_id: str, data: SessionCreate,
                           now: datetime | None = None) -> SessionView:
    """Members schedule a session, or a series from `recurrence` (one row per occurrence,
    expanded in local wall time), starting no earlier than `now` (the current time unless
    given). Returns the first occurrence."""
    lounge, role = await visible_lounge(db, lounge_id=lounge_id, user_id=user.id)
    if role is None:
        raise Forbidden("Join the lounge to schedule sessions in it.")
    writable(lounge)
    zone = ZoneInfo(data.time_zone)
    first_start = resolve(data.starts_at, zone, field="starts_at")
    duration = _span(first_start, resolve(data.ends_at, zone, field="ends_at"))
    cohosts = await _check_cohosts(db, lounge=lounge, host_id=user.id, cohost_ids=data.cohost_ids)
    series: SessionSeries | None = None
    starts = [first_start]
    if data.recurrence:
        rule = expand(data.recurrence, local_start=wall_time(first_start, zone), zone=zone)
        series = SessionSeries(lounge_id=lounge.id, rrule=rule.text, time_zone=data.time_zone)
        starts = [local_to_utc(local, zone, strict=False) for local in rule.occurrences]
    _not_in_the_past(starts[0], now or _now())
    if series:
        await add_in_order(db, series)
    sessions = []
    for start in starts:
        channel = Channel(kind="session")
        session = LearningSession(
            lounge_id=lounge.id, series_id=series.id if series else None, title=data.title,
            description=data.description, kind=data.kind, starts_at=start, ends_at=start + duration,
            time_zone=data.time_zone, capacity=data.capacity, location=data.location,
            join_url=data.join_url, channel_id=channel.id, host_id=user.id, ical_uid="",
            original_starts_at=start if series else None)
        session.ical_uid = f"{session.id}@lounge"
        db.add(channel)
        sessions.append(session)
    await db.flush()
    db.add_all(sessions)
    await db.flush()
    db.add_all([SessionCohost(session_id=s.id, user_id=c) for s in sessions for c in cohosts])
    for session in sessions:
        events.record(db, "session.created", {"session_id": session.id, "lounge_id": lounge.id,
                                              "series_id": session.series_id})
    await db.commit()
    return await view_session(db, session=sessions[0], user_id=user.id)


async def _going_ids(db: AsyncSession, session_id: str) -> list[str]:
    return sorted((await db.execute(select(Rsvp.user_id).where(
        Rsvp.session_id == session_id, Rsvp.status == "going"))).scalars())


async def _targets(db: AsyncSession, session: LearningSession, scope: str) -> list[LearningSession]:
    if scope == "this" or session.series_id is None:
        return [session]
    return list((await db.execute(select(LearningSession).where(
        LearningSession.series_id == session.series_id, LearningSession.starts_at >= session.starts_at,
        LearningSession.status == "scheduled").order_by(LearningSession.starts_at)
        .execution_options(populate_existing=True))).scalars())


async def update_session(db: AsyncSession, *, user: User, session_id: str, changes: SessionUpdate,
                         scope: str = "this") -> SessionView:
    """Edit one occurrence, or it and the later ones of its series (`scope="following"`).

    A new start or end moves each later occurrence by the same change of local wall time, so
    "from now on at 13:00" stays at 13:00 on both sides of a DST change. Raising the capacity
    promotes people from the waitlist.
    """
    view = await _managed_session(db, session_id=session_id, user_id=user.id)
    this = view.session
    if this.status == "cancelled":
        raise Conflict("This session is cancelled.")
    values = changes.model_dump(exclude_unset=True)
    old_zone = ZoneInfo(this.time_zone)
    new_zone = ZoneInfo(values.get("time_zone") or this.time_zone)
    new_start = resolve(values["starts_at"], new_zone, field="starts_at") if "starts_at" in values else None
    new_end = resolve(values["ends_at"], new_zone, field="ends_at") if "ends_at" in values else None
    first_start = new_start or local_to_utc(wall_time(this.starts_at, old_zone), new_zone, strict=False)
    duration = _span(first_start, new_end or first_start + (this.ends_at - this.starts_at))
    shift = wall_time(first_start, new_zone) - wall_time(this.starts_at, old_zone)
    retime = new_start is not None or new_end is not None or "time_zone" in values
    if first_start != this.starts_at:
        _not_in_the_past(first_start, _now())
    cohosts = None
    if values.get("cohost_ids") is not None:
        cohosts = await _check_cohosts(db, lounge=view.lounge, host_id=this.host_id,
                                       cohost_ids=values["cohost_ids"])
    targets = await _targets(db, this, scope)
    plain = {k: values[k] for k in ("title", "description", "kind", "location", "join_url", "capacity")
             if k in values}
    if "capacity" in plain and plain["capacity"] is None:
        plain["capacity"] = None  # an explicit null removes the limit
    now = _now()
    for session in targets:
        if "capacity" in plain:
            await _lock(db, session.id)
        for name, value in plain.items():
            setattr(session, name, "" if value is None and name != "capacity" else value)
        if retime:
            local = wall_time(session.starts_at, ZoneInfo(session.time_zone)) + shift
            session.starts_at = local_to_utc(local, new_zone, strict=session is this)
            session.ends_at = session.starts_at + duration
            session.time_zone = new_zone.key
        if cohosts is not None:
            await db.execute(delete(SessionCohost).where(SessionCohost.session_id == session.id))
            db.add_all([SessionCohost(session_id=session.id, user_id=c) for c in cohosts])
        session.sequence += 1
        session.updated_at = now
        if "capacity" in plain:
            await _fill_seats(db, session)
        events.record(db, "session.updated", {
            "session_id": session.id, "lounge_id": session.lounge_id, "changed": sorted(values),
            "user_ids": await _going_ids(db, session.id)})
    await db.commit()
    return await view_session(db, session=this, user_id=user.id)


async def cancel_session(db: AsyncSession, *, user: User, session_id: str,
                         scope: str = "this") -> SessionView:
    """Cancel one occurrence or it and the later ones; those going are told (through events)."""
    view = await _managed_session(db, session_id=session_id, user_id=user.id)
    this = view.session
    if this.status == "cancelled":
        return view
    now = _now()
    for session in await _targets(db, this, scope):
        session.status = "cancelled"
        session.cancelled_at = session.updated_at = now
        session.sequence += 1
        events.record(db, "session.cancelled", {
            "session_id": session.id, "lounge_id": session.lounge_id,
            "user_ids": await _going_ids(db, session.id)})
    await db.commit()
    return await view_session(db, session=this, user_id=user.id)


# --- RSVPs ---------------------------------------------------------------------------------------

async def _lock(db: AsyncSession, session_id: str) -> int:
    """Take the session's lock for seat allocation; returns the new `rsvp_version`."""
    version = await db.scalar(
        update(LearningSession).where(LearningSession.id == session_id)
        .values(rsvp_version=LearningSession.rsvp_version + 1)
        .returning(LearningSession.rsvp_version)
        .execution_options(synchronize_session=False))
    if version is None:
        raise NotFound(MISSING)
    return version


async def _count_going(db: AsyncSession, session_id: str) -> int:
    return await db.scalar(select(func.count()).select_from(Rsvp).where(
        Rsvp.session_id == session_id, Rsvp.status == "going")) or 0


async def _fill_seats(db: AsyncSession, session: LearningSession) -> None:
    """Promote waitlisted people, first come first served, into free seats (lock held)."""
    await db.flush()
    if session.capacity is None:
        free = None
    else:
        free = session.capacity - await _count_going(db, session.id)
        if free <= 0:
            return
    query = select(Rsvp).where(Rsvp.session_id == session.id, Rsvp.status == "waitlisted").order_by(
        Rsvp.queue_no).execution_options(populate_existing=True)
    if free is not None:
        query = query.limit(free)
    for rsvp in (await db.execute(query)).scalars():
        rsvp.status, rsvp.queue_no, rsvp.updated_at = "going", None, _now()
        events.record(db, "rsvp.promoted", {"session_id": session.id, "user_id": rsvp.user_id})


async def set_rsvp(db: AsyncSession, *, user: User, session_id: str, status: str) -> RsvpResult:
    """Going or not going. Over capacity "going" means waitlisted (keeping one's place when
    asked again); "not going" frees a seat for the first person waiting."""
    session = await _visible_session(db, session_id=session_id, user_id=user.id)
    if status == "going":
        if session.status == "cancelled":
            raise Conflict("This session is cancelled.")
        if session.ends_at <= _now():
            raise Conflict("This session has ended.")
    version = await _lock(db, session.id)
    await db.refresh(session)
    rsvp = await db.get(Rsvp, (session.id, user.id), populate_existing=True)
    previous = rsvp.status if rsvp else None
    if rsvp is None:
        rsvp = Rsvp(session_id=session.id, user_id=user.id, status="not_going")
        db.add(rsvp)
    if status == "going" and previous not in ("going", "waitlisted"):
        full = session.capacity is not None and await _count_going(db, session.id) >= session.capacity
        rsvp.status, rsvp.queue_no = ("waitlisted", version) if full else ("going", None)
    elif status == "not_going":
        rsvp.status, rsvp.queue_no = "not_going", None
    rsvp.updated_at = _now()
    if rsvp.status != previous:
        events.record(db, "rsvp.changed", {"session_id": session.id, "user_id": user.id,
                                           "status": rsvp.status, "previous_status": previous})
        if previous == "going":
            await _fill_seats(db, session)
    await db.commit()
    position = (await _positions(db, [rsvp])).get(session.id) if rsvp.status == "waitlisted" else None
    return RsvpResult(session_id=session.id, status=rsvp.status, waitlist_position=position)


async def withdraw_rsvps(db: AsyncSession, *, user_id: str, lounge_id: str) -> None:
    """Someone leaving a private lounge can no longer see its sessions, so they give up their
    seats and waitlist places in those not yet over (the first people waiting move up) and hear
    nothing more of them. Staged in the caller's transaction."""
    rsvps = (await db.execute(
        select(Rsvp).join(LearningSession, LearningSession.id == Rsvp.session_id).where(
            LearningSession.lounge_id == lounge_id, LearningSession.ends_at > _now(),
            Rsvp.user_id == user_id, Rsvp.status.in_(("going", "waitlisted")))
        .execution_options(populate_existing=True))).scalars().all()
    for rsvp in rsvps:
        await _lock(db, rsvp.session_id)
        previous = rsvp.status
        rsvp.status, rsvp.queue_no, rsvp.updated_at = "not_going", None, _now()
        events.record(db, "rsvp.changed", {"session_id": rsvp.session_id, "user_id": user_id,
                                           "status": "not_going", "previous_status": previous})
        if previous == "going":
            session = await db.get(LearningSession, rsvp.session_id, populate_existing=True)
            assert session is not None
            await _fill_seats(db, session)


async def list_attendees(db: AsyncSession, *, user_id: str, session_id: str) -> list[AttendeeView]:
    """Going (by name), then the waitlist in order, then those not going."""
    await _visible_session(db, session_id=session_id, user_id=user_id)
    rows = (await db.execute(select(Rsvp, User.display_name).join(User, User.id == Rsvp.user_id)
                             .where(Rsvp.session_id == session_id))).all()
    waiting = sorted((r for r, _ in rows if r.status == "waitlisted"), key=lambda r: r.queue_no or 0)
    position = {r.user_id: n for n, r in enumerate(waiting, start=1)}
    order = {"going": 0, "waitlisted": 1, "not_going": 2}
    attendees = [AttendeeView(user_id=r.user_id, display_name=name, status=r.status,
                              waitlist_position=position.get(r.user_id),
                              checked_in=r.checked_in_at is not None) for r, name in rows]
    return sorted(attendees, key=lambda a: (order[a.status], a.waitlist_position or 0,
                                            a.display_name.lower(), a.user_id))


async def check_in(db: AsyncSession, *, user: User, session_id: str, attendee_id: str,
                   attended: bool) -> AttendeeView:
    """Hosts mark who came (or undo it) while check-in is open, for people who are going."""
    view = await _managed_session(db, session_id=session_id, user_id=user.id)
    rsvp = await db.get(Rsvp, (session_id, attendee_id), populate_existing=True)
    if rsvp is None:
        raise NotFound("This person has not answered this session's RSVP.")
    if not check_in_open(view.session):
        raise Conflict("Check-in opens 15 minutes before the session starts and closes a day after it ends.")
    if attended and rsvp.status != "going":
        raise Conflict("Only people who are going can be checked in.")
    rsvp.checked_in_at = _now() if attended else None
    session = await db.get(LearningSession, session_id)
    assert session is not None
    await goal_plans.record_attendance(db, user_id=attendee_id, session=session, attended=attended)
    await db.commit()
    return next(a for a in await list_attendees(db, user_id=user.id, session_id=session_id)
                if a.user_id == attendee_id)


# --- after the session ---------------------------------------------------------------------------

async def set_notes(db: AsyncSession, *, user: User, session_id: str, notes: str) -> SessionView:
    view = await _managed_session(db, session_id=session_id, user_id=user.id)
    view.session.notes = notes
    view.session.updated_at = _now()
    await db.commit()
    return await view_session(db, session=view.session, user_id=user.id)


async def list_resources(db: AsyncSession, *, user_id: str, session_id: str) -> list[SessionResource]:
    await _visible_session(db, session_id=session_id, user_id=user_id)
    return list((await db.execute(select(SessionResource).where(SessionResource.session_id == session_id)
                                  .order_by(SessionResource.created_at, SessionResource.id))).scalars())


async def add_resource(db: AsyncSession, *, user: User, session_id: str, title: str,
                       url: str) -> SessionResource:
    await _managed_session(db, session_id=session_id, user_id=user.id)
    resource = SessionResource(session_id=session_id, title=title, url=url, added_by=user.id)
    db.add(resource)
    await db.commit()
    return resource


async def remove_resource(db: AsyncSession, *, user: User, session_id: str, resource_id: str) -> None:
    await _managed_session(db, session_id=session_id, user_id=user.id)
    gone = await db.execute(delete(SessionResource).where(
        SessionResource.id == resource_id, SessionResource.session_id == session_id))
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise NotFound("There is no such resource on this session.")
    await db.commit()


async def leave_feedback(db: AsyncSession, *, user: User, session_id: str,
                         data: FeedbackUpsert) -> FeedbackView:
    """People who went (or were checked in) rate the session once it has started; asking
    again replaces their earlier feedback."""
    session = await _visible_session(db, session_id=session_id, user_id=user.id)
    rsvp = await db.get(Rsvp, (session_id, user.id))
    if rsvp is None or not (rsvp.status == "going" or rsvp.checked_in_at is not None):
        raise Forbidden("Only people who went to the session can leave feedback.")
    if session.starts_at > _now():
        raise Conflict("Feedback opens once the session has started.")
    feedback = await db.get(SessionFeedback, (session_id, user.id), populate_existing=True)
    if feedback is None:
        feedback = SessionFeedback(session_id=session_id, user_id=user.id, rating=data.rating)
        db.add(feedback)
    feedback.rating, feedback.comment, feedback.takeaway = data.rating, data.comment, data.takeaway
    feedback.updated_at = _now()
    await db.commit()
    return FeedbackView(session_id=session_id, user_id=user.id, display_name=user.display_name,
                        rating=feedback.rating, comment=feedback.comment, takeaway=feedback.takeaway,
                        updated_at=feedback.updated_at)


async def list_feedback(db: AsyncSession, *, user_id: str, session_id: str) -> list[FeedbackView]:
    """All feedback, for the session's hosts only."""
    await _managed_session(db, session_id=session_id, user_id=user_id)
    rows = await db.execute(select(SessionFeedback, User.display_name)
                            .join(User, User.id == SessionFeedback.user_id)
                            .where(SessionFeedback.session_id == session_id)
                            .order_by(SessionFeedback.updated_at.desc()))
    return [FeedbackView(session_id=f.session_id, user_id=f.user_id, display_name=name, rating=f.rating,
                         comment=f.comment, takeaway=f.takeaway, updated_at=f.updated_at) for f, name in rows]


async def list_takeaways(db: AsyncSession, *, user_id: str, lounge_id: str | None = None,
                         session_id: str | None = None, limit: int = 50,
                         include_archived: bool = True) -> list[TakeawayView]:
    """Takeaways attendees shared, newest first, for a lounge (archived or, unless
    `include_archived`, not) or one session."""
    query = (select(SessionFeedback, User.display_name, LearningSession.title)
             .join(User, User.id == SessionFeedback.user_id)
             .join(LearningSession, LearningSession.id == SessionFeedback.session_id)
             .where(SessionFeedback.takeaway != ""))
    if session_id is not None:
        await _visible_session(db, session_id=session_id, user_id=user_id)
        query = query.where(SessionFeedback.session_id == session_id)
    if lounge_id is not None:
        await visible_lounge(db, lounge_id=lounge_id, user_id=user_id, include_archived=include_archived)
        query = query.where(LearningSession.lounge_id == lounge_id)
    rows = await db.execute(query.order_by(SessionFeedback.updated_at.desc()).limit(limit))
    return [TakeawayView(session_id=f.session_id, session_title=title, user_id=f.user_id, display_name=name,
                         takeaway=f.takeaway, created_at=f.updated_at) for f, name, title in rows]
