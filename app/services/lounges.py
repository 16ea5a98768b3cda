"""Lounges: creating, finding, editing and archiving them, membership and roles, invitations,
and who may see or use a lounge's (or its sessions') chat channel.

A private lounge is invisible to non-members: every lookup raises `NotFound`, never
`Forbidden`, so its existence does not leak.

An archived lounge is read-only: every change to it (its details, members, roles, sessions)
is a `Conflict`. The API archives a lounge by deleting it, so there its address and everything
under it are `NotFound` afterwards (`include_archived=False`); its members still find it in
their own list, and its page still shows it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, String, bindparam, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, Forbidden, NotFound
from app.models import Channel, LearningSession, Lounge, LoungeMember, LoungeTag, Rsvp, SessionCohost, User
from app.realtime import protocol
from app.realtime.hub import Hub
from app.schemas.lounges import LoungeCreate, LoungeUpdate
from app.services import events
from app.services.pagination import page_of

HIDDEN = "There is no lounge here, or it is private."
ARCHIVED = "This lounge is archived."
MANAGERS = ("host", "moderator")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LoungeView:
    """A lounge as one viewer sees it."""

    lounge: Lounge
    tags: list[str]
    member_count: int
    my_role: str | None


@dataclass(frozen=True)
class MemberView:
    user_id: str
    display_name: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class ChannelAccess:
    channel_id: str
    lounge_id: str
    session_id: str | None
    role: str  # "host" | "moderator" | "member"
    can_moderate: bool


def session_chat_closed(status: str, ends_at: datetime) -> str | None:
    """A session's chat is live until the session ends (and open before it starts, for those who
    arrive early); then, or once it is cancelled, it stays readable but takes no new messages.
    Returns why it is closed, or None while it is open."""
    if status == "cancelled":
        return "This session was cancelled. Its chat stays here to read."
    if ends_at <= datetime.now(UTC):
        return "This session has ended. Its chat stays here to read."
    return None


async def add_in_order(db: AsyncSession, *rows: object) -> None:
    """Insert rows that refer to each other in the given order (the tables have no ORM
    relationships, so the unit of work would not order them by their foreign keys)."""
    for row in rows:
        db.add(row)
        await db.flush()


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return slug or "lounge"


def like_pattern(text: str) -> str:
    """`%text%` with LIKE's own wildcards escaped (use with `escape="\\\\"`)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def visible_to(user_id: str | BindParameter[str]) -> ColumnElement[bool]:
    """Lounges `user_id` may see: open ones and private ones they belong to."""
    return or_(Lounge.visibility == "open", exists().where(
        LoungeMember.lounge_id == Lounge.id, LoungeMember.user_id == user_id))


async def role_of(db: AsyncSession, *, lounge_id: str, user_id: str) -> str | None:
    return await db.scalar(select(LoungeMember.role).where(
        LoungeMember.lounge_id == lounge_id, LoungeMember.user_id == user_id))


async def visible_lounge(db: AsyncSession, *, lounge_id: str, user_id: str,
                         include_archived: bool = True) -> tuple[Lounge, str | None]:
    """The lounge and the viewer's role in it; `NotFound` when it is missing or private to them
    (or archived, unless `include_archived`)."""
    lounge = await db.get(Lounge, lounge_id)
    if lounge is None:
        raise NotFound(HIDDEN)
    if lounge.archived_at is not None and not include_archived:
        raise NotFound(f"{ARCHIVED} It is no longer offered here.")
    role = await role_of(db, lounge_id=lounge_id, user_id=user_id)
    if lounge.visibility == "private" and role is None:
        raise NotFound(HIDDEN)
    return lounge, role


def _view_columns(viewer: BindParameter[str]) -> tuple[Any, ...]:
    """Tags, member count and the viewer's role, as correlated columns of a lounge query, so a
    page of lounges costs one query."""
    of_lounge = LoungeTag.lounge_id == Lounge.id
    tags = select(func.aggregate_strings(LoungeTag.tag, ",")).where(of_lounge)
    count = select(func.count()).select_from(LoungeMember).where(LoungeMember.lounge_id == Lounge.id)
    role = select(LoungeMember.role).where(LoungeMember.lounge_id == Lounge.id,
                                          LoungeMember.user_id == viewer)
    return tuple(q.correlate(Lounge).scalar_subquery() for q in (tags, count, role))


# Built once: the viewer is a parameter of the execution, not of the statement.
_VIEWER = bindparam("viewer", type_=String)
_VISIBLE_WITH_VIEW = select(Lounge, *_view_columns(_VIEWER)).where(visible_to(_VIEWER))
_DIRECTORY = _VISIBLE_WITH_VIEW.where(Lounge.archived_at.is_(None))
_MINE = _VISIBLE_WITH_VIEW.where(exists().where(LoungeMember.lounge_id == Lounge.id,
                                                LoungeMember.user_id == _VIEWER))
_VIEW_OF_ONE = select(*_view_columns(_VIEWER)).select_from(Lounge)


def _view(lounge: Lounge, tags: str | None, member_count: int, my_role: str | None) -> LoungeView:
    return LoungeView(lounge=lounge, tags=sorted(tags.split(",")) if tags else [],
                      member_count=member_count, my_role=my_role)


async def view_of(db: AsyncSession, *, lounge: Lounge, user_id: str) -> LoungeView:
    extras = (await db.execute(_VIEW_OF_ONE.where(Lounge.id == lounge.id), {"viewer": user_id})).one()
    return _view(lounge, *extras)


async def get_lounge(db: AsyncSession, *, lounge_id: str, user_id: str,
                     include_archived: bool = True) -> LoungeView:
    lounge, _ = await visible_lounge(db, lounge_id=lounge_id, user_id=user_id,
                                     include_archived=include_archived)
    return await view_of(db, lounge=lounge, user_id=user_id)


async def get_lounge_by_slug(db: AsyncSession, *, slug: str, user_id: str) -> LoungeView:
    lounge_id = await db.scalar(select(Lounge.id).where(Lounge.slug == slug))
    if lounge_id is None:
        raise NotFound(HIDDEN)
    return await get_lounge(db, lounge_id=lounge_id, user_id=user_id)


async def list_lounges(db: AsyncSession, *, user_id: str, q: str | None = None, tag: str | None = None,
                       mine: bool = False, cursor: str | None = None,
                       limit: int = 50) -> tuple[list[LoungeView], str | None]:
    """Visible lounges matching `q` (name, description or a tag) and `tag`; archived ones only
    in "mine"."""
    query = _MINE if mine else _DIRECTORY
    if q and q.strip():
        pattern = like_pattern(q.strip())
        query = query.where(or_(
            func.lower(Lounge.name).like(pattern, escape="\\"),
            func.lower(Lounge.description).like(pattern, escape="\\"),
            exists().where(LoungeTag.lounge_id == Lounge.id, LoungeTag.tag.like(pattern, escape="\\")),
        ))
    if tag and tag.strip():
        query = query.where(exists().where(LoungeTag.lounge_id == Lounge.id,
                                           LoungeTag.tag == tag.strip().lower().lstrip("#")))
    rows, next_cursor = await page_of(db, query, Lounge, cursor=cursor, limit=limit, whole_rows=True,
                                      params={"viewer": user_id})
    return [_view(*row) for row in rows], next_cursor


async def popular_tags(db: AsyncSession, *, user_id: str, limit: int = 12) -> list[str]:
    """The tags most used by lounges this viewer can see (for the directory's filter)."""
    rows = await db.execute(
        select(LoungeTag.tag).join(Lounge, Lounge.id == LoungeTag.lounge_id)
        .where(visible_to(user_id), Lounge.archived_at.is_(None))
        .group_by(LoungeTag.tag).order_by(func.count().desc(), LoungeTag.tag).limit(limit))
    return list(rows.scalars())


async def _free_slug(db: AsyncSession, wanted: str) -> str:
    taken = set((await db.execute(select(Lounge.slug).where(
        or_(Lounge.slug == wanted, Lounge.slug.like(like_pattern(wanted)[1:-1] + "-%", escape="\\"))
    ))).scalars())
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"


async def create_lounge(db: AsyncSession, *, user: User, data: LoungeCreate) -> LoungeView:
    """A new lounge with its chat channel; the creator becomes its host.

    A slug derived from the name gets a numeric suffix when taken; an explicit slug that is
    taken is a conflict.
    """
    if data.slug is not None:
        if await db.scalar(select(Lounge.id).where(Lounge.slug == data.slug)):
            raise Conflict("Another lounge already uses this address.", field="slug")
        slug = data.slug
    else:
        slug = await _free_slug(db, slugify(data.name))
    channel = Channel(kind="lounge")
    lounge = Lounge(slug=slug, name=data.name, description=data.description, visibility=data.visibility,
                    channel_id=channel.id, created_by=user.id)
    await add_in_order(db, channel, lounge)
    db.add_all([LoungeTag(lounge_id=lounge.id, tag=t) for t in data.tags])
    db.add(LoungeMember(lounge_id=lounge.id, user_id=user.id, role="host"))
    events.record(db, "lounge.created", {"lounge_id": lounge.id, "user_id": user.id})
    try:
        await db.commit()
    except IntegrityError as exc:  # a concurrent creation took the slug first
        await db.rollback()
        raise Conflict("Another lounge already uses this address; try again.", field="slug") from exc
    return LoungeView(lounge=lounge, tags=list(data.tags), member_count=1, my_role="host")


async def _managed(db: AsyncSession, *, lounge_id: str, user_id: str, roles: tuple[str, ...]) -> Lounge:
    lounge, role = await visible_lounge(db, lounge_id=lounge_id, user_id=user_id)
    if role not in roles:
        raise Forbidden("Only the lounge's " + " and ".join(f"{r}s" for r in roles) + " may do this.")
    return lounge


def writable(lounge: Lounge) -> None:
    """`Conflict` once the lounge is archived: it takes no more changes."""
    if lounge.archived_at is not None:
        raise Conflict(ARCHIVED)


async def update_lounge(db: AsyncSession, *, user: User, lounge_id: str, changes: LoungeUpdate) -> LoungeView:
    """Hosts and moderators edit the name, description, tags and visibility."""
    lounge = await _managed(db, lounge_id=lounge_id, user_id=user.id, roles=MANAGERS)
    writable(lounge)
    values = changes.model_dump(exclude_unset=True)
    for name in ("name", "visibility", "description"):
        if name in values:
            setattr(lounge, name, values[name])
    if "tags" in values:
        await db.execute(delete(LoungeTag).where(LoungeTag.lounge_id == lounge.id))
        db.add_all([LoungeTag(lounge_id=lounge.id, tag=t) for t in values["tags"] or []])
    lounge.updated_at = _now()
    events.record(db, "lounge.updated", {"lounge_id": lounge.id, "user_id": user.id,
                                         "changed": sorted(values)})
    await db.commit()
    return await view_of(db, lounge=lounge, user_id=user.id)


async def archive_lounge(db: AsyncSession, *, user: User, lounge_id: str) -> LoungeView:
    """Hosts archive a lounge: it leaves the directory and takes no new sessions or members."""
    lounge = await _managed(db, lounge_id=lounge_id, user_id=user.id, roles=("host",))
    if lounge.archived_at is None:
        lounge.archived_at = lounge.updated_at = _now()
        events.record(db, "lounge.updated", {"lounge_id": lounge.id, "user_id": user.id,
                                             "changed": ["archived"]})
        await db.commit()
    return await view_of(db, lounge=lounge, user_id=user.id)


async def join_lounge(db: AsyncSession, *, user: User, lounge_id: str) -> LoungeView:
    lounge, role = await visible_lounge(db, lounge_id=lounge_id, user_id=user.id)
    writable(lounge)
    if role is None:
        if lounge.visibility != "open":
            raise NotFound(HIDDEN)  # unreachable for non-members; kept as a guard
        db.add(LoungeMember(lounge_id=lounge.id, user_id=user.id, role="member"))
        try:
            await db.commit()
        except IntegrityError:  # joined twice at once: already a member
            await db.rollback()
    return await view_of(db, lounge=lounge, user_id=user.id)


async def leave_lounge(db: AsyncSession, *, user: User, lounge_id: str, hub: Hub | None = None) -> LoungeView:
    """Leave a lounge; its last host cannot (appoint another host, or archive it). Leaving a
    private lounge also gives up one's places in its coming sessions. With `hub`, the chat
    rooms of the lounge and its sessions drop the leaver's sockets before anything else is
    delivered to them."""
    lounge, role = await visible_lounge(db, lounge_id=lounge_id, user_id=user.id)
    if role is not None:
        if role == "host" and await _host_count(db, lounge.id) == 1:
            raise Conflict("You are the only host. Make someone else a host first, or archive the lounge.")
        if lounge.visibility == "private":
            from app.services.sessions import withdraw_rsvps  # sessions builds on this module

            await withdraw_rsvps(db, user_id=user.id, lounge_id=lounge.id)
        await db.execute(delete(LoungeMember).where(LoungeMember.lounge_id == lounge.id,
                                                    LoungeMember.user_id == user.id))
        await db.commit()
        if hub is not None:
            await _members_changed(db, hub, lounge)
    if lounge.visibility == "private":
        # Having left, the caller may no longer see who is in it or how it is tagged.
        return LoungeView(lounge=lounge, tags=[], member_count=0, my_role=None)
    return await view_of(db, lounge=lounge, user_id=user.id)


async def _members_changed(db: AsyncSession, hub: Hub, lounge: Lounge) -> None:
    """Ring every chat room of the lounge and of its sessions, on every instance."""
    session_channels = (await db.execute(select(LearningSession.channel_id).where(
        LearningSession.lounge_id == lounge.id))).scalars()
    for channel_id in (lounge.channel_id, *session_channels):
        await hub.publish(protocol.topic(channel_id), protocol.MEMBERS_CHANGED)


async def _host_count(db: AsyncSession, lounge_id: str) -> int:
    return await db.scalar(select(func.count()).select_from(LoungeMember).where(
        LoungeMember.lounge_id == lounge_id, LoungeMember.role == "host")) or 0


async def list_members(db: AsyncSession, *, user_id: str, lounge_id: str,
                       include_archived: bool = True) -> list[MemberView]:
    """Members, hosts first, then moderators, then by name."""
    await visible_lounge(db, lounge_id=lounge_id, user_id=user_id, include_archived=include_archived)
    rows = await db.execute(
        select(LoungeMember, User.display_name).join(User, User.id == LoungeMember.user_id)
        .where(LoungeMember.lounge_id == lounge_id))
    order = {"host": 0, "moderator": 1, "member": 2}
    members = [MemberView(user_id=m.user_id, display_name=name, role=m.role, joined_at=m.joined_at)
               for m, name in rows]
    return sorted(members, key=lambda m: (order.get(m.role, 3), m.display_name.lower(), m.user_id))


async def _member_view(db: AsyncSession, *, lounge_id: str, user_id: str) -> MemberView:
    row = (await db.execute(
        select(LoungeMember, User.display_name).join(User, User.id == LoungeMember.user_id)
        .where(LoungeMember.lounge_id == lounge_id, LoungeMember.user_id == user_id))).one()
    member, name = row
    return MemberView(user_id=member.user_id, display_name=name, role=member.role, joined_at=member.joined_at)


async def invite_member(db: AsyncSession, *, user: User, lounge_id: str, invitee_id: str) -> MemberView:
    """Any member adds a colleague as a member (how people get into a private lounge)."""
    lounge, role = await visible_lounge(db, lounge_id=lounge_id, user_id=user.id)
    if role is None:
        raise Forbidden("Join the lounge before inviting others.")
    writable(lounge)
    if await db.get(User, invitee_id) is None:
        raise Conflict("No person has this id.", field="user_id")
    if await role_of(db, lounge_id=lounge.id, user_id=invitee_id) is None:
        db.add(LoungeMember(lounge_id=lounge.id, user_id=invitee_id, role="member", invited_by=user.id))
        try:
            await db.commit()
        except IntegrityError:
            await db.rollback()
    return await _member_view(db, lounge_id=lounge.id, user_id=invitee_id)


async def set_member_role(db: AsyncSession, *, user: User, lounge_id: str, member_id: str,
                          role: str) -> MemberView:
    """Hosts appoint hosts and moderators (or make them members again); a lounge keeps a host."""
    lounge = await _managed(db, lounge_id=lounge_id, user_id=user.id, roles=("host",))
    writable(lounge)
    member = await db.get(LoungeMember, (lounge.id, member_id))
    if member is None:
        raise NotFound("This person is not a member of the lounge.")
    if member.role == "host" and role != "host" and await _host_count(db, lounge.id) == 1:
        raise Conflict("A lounge needs at least one host.", field="role")
    member.role = role
    await db.commit()
    return await _member_view(db, lounge_id=lounge.id, user_id=member_id)


async def channel_access(db: AsyncSession, *, channel_id: str, user_id: str) -> ChannelAccess:
    """What `user_id` may do in a chat channel; `NotFound` when they may not use it at all.

    Decision: a channel is for the lounge's members only, in open lounges too (reading and
    posting alike), so "who may read" is exactly "who receives live messages" and matches
    `channel_member_ids`. Joining an open lounge is one click. A session's channel in an open
    lounge is also open to its host and co-hosts and to anyone holding an RSVP for it; in a
    private lounge only members get in (someone who left keeps no way into its sessions'
    chat, as they can no longer see the sessions). Lounge hosts, the session's host and
    co-hosts count as "host"; lounge moderators as "moderator"; both may moderate.
    """
    lounge = await db.scalar(select(Lounge).where(Lounge.channel_id == channel_id))
    session: LearningSession | None = None
    if lounge is None:
        session = await db.scalar(select(LearningSession).where(LearningSession.channel_id == channel_id))
        if session is None:
            raise NotFound("There is no channel here.")
        lounge = await db.get(Lounge, session.lounge_id)
        assert lounge is not None
    role = await role_of(db, lounge_id=lounge.id, user_id=user_id)
    if role is None and lounge.visibility == "private":
        raise NotFound("There is no channel here.")
    if session is not None:
        is_cohost = await db.get(SessionCohost, (session.id, user_id)) is not None
        if session.host_id == user_id or is_cohost:
            role = "host"
        elif role is None and await db.get(Rsvp, (session.id, user_id)) is not None:
            role = "member"
    if role is None:
        raise NotFound("There is no channel here.")
    return ChannelAccess(channel_id=channel_id, lounge_id=lounge.id,
                         session_id=session.id if session else None, role=role,
                         can_moderate=role in MANAGERS)


async def chat_closed(db: AsyncSession, access: ChannelAccess) -> str | None:
    """Why the channel takes no new messages now, or None while it does (lounge channels always
    do). Read at the time of posting: a session may be moved or cancelled while sockets are open."""
    if access.session_id is None:
        return None
    row = (await db.execute(select(LearningSession.status, LearningSession.ends_at)
                            .where(LearningSession.id == access.session_id))).one_or_none()
    return session_chat_closed(row.status, row.ends_at) if row is not None else None


async def channel_member_ids(db: AsyncSession, *, channel_id: str) -> list[str]:
    """Everyone `channel_access` lets in: the lounge's members, plus for a session channel in an
    open lounge its host, co-hosts and everyone holding an RSVP."""
    lounge_id = await db.scalar(select(Lounge.id).where(Lounge.channel_id == channel_id))
    session = None
    if lounge_id is None:
        session = await db.scalar(select(LearningSession).where(LearningSession.channel_id == channel_id))
        if session is None:
            return []
        lounge_id = session.lounge_id
    ids = set((await db.execute(select(LoungeMember.user_id).where(
        LoungeMember.lounge_id == lounge_id))).scalars())
    if session is not None and await db.scalar(
            select(Lounge.visibility).where(Lounge.id == lounge_id)) == "open":
        ids.add(session.host_id)
        ids.update((await db.execute(select(SessionCohost.user_id).where(
            SessionCohost.session_id == session.id))).scalars())
        ids.update((await db.execute(select(Rsvp.user_id).where(Rsvp.session_id == session.id))).scalars())
    return sorted(ids)
