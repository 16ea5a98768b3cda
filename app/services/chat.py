"""Chat: posting (gap-free per-channel `seq`, idempotent on `client_id`), editing, deleting
and moderating messages, reactions, read markers and unread counts, @mentions (and the people a
composer offers for them), and history by keyset over `seq`.

Every write commits first and only then publishes its event to the realtime hub, so a
client never hears of something the database does not hold.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Channel, Lounge, LoungeMember, Message, Reaction, ReadMarker, User
from app.models.base import new_id
from app.realtime import protocol
from app.realtime.hub import Hub
from app.schemas.chat import (
    EMOJI,
    MAX_BODY,
    MAX_EMOJI,
    MESSAGE_TEXT,
    Author,
    MentionCandidate,
    MessagePublic,
    ReactionSummary,
    UnreadChannel,
)
from app.services import events
from app.services.lounges import ChannelAccess, channel_access, channel_member_ids, chat_closed, like_pattern
from app.web.markdown import render_markdown

log = logging.getLogger("lounge.chat")

try:  # the bell; absent in a tree without notifications
    from app.services.notifications import notify
except ImportError:  # pragma: no cover
    notify = None  # type: ignore[assignment]

MENTION_START = re.compile(r"(?<![\w@])@")


def _now() -> datetime:
    return datetime.now(UTC)


def check_body(body: str) -> str:
    """The one rule for message text, shared by REST and the WebSocket."""
    if not isinstance(body, str) or not MESSAGE_TEXT.matches(body):
        raise InvalidInput(MESSAGE_TEXT.message, field="body")
    if len(body) > MAX_BODY:
        raise InvalidInput(f"Messages are limited to {MAX_BODY} characters.", field="body")
    return body


def check_emoji(emoji: str) -> str:
    """One emoji (with its modifiers and joiners), not arbitrary text."""
    if len(emoji) > MAX_EMOJI or not EMOJI.matches(emoji):
        raise InvalidInput(EMOJI.message, field="emoji")
    return emoji


# ---- reading ---------------------------------------------------------------------------------

async def publics(db: AsyncSession, messages: Sequence[Message]) -> list[MessagePublic]:
    """Messages as the API shows them: author names and reaction summaries loaded in two queries."""
    if not messages:
        return []
    author_ids = {m.author_id for m in messages}
    names = dict((await db.execute(
        select(User.id, User.display_name).where(User.id.in_(author_ids)))).all())
    reactions: dict[str, dict[str, list[str]]] = defaultdict(dict)
    live = [m.id for m in messages if m.deleted_at is None]
    if live:
        rows = await db.execute(
            select(Reaction.message_id, Reaction.emoji, Reaction.user_id)
            .where(Reaction.message_id.in_(live)).order_by(Reaction.created_at, Reaction.user_id))
        for message_id, emoji, user_id in rows:
            reactions[message_id].setdefault(emoji, []).append(user_id)
    return [_public(m, names.get(m.author_id, ""), reactions.get(m.id, {})) for m in messages]


def _public(message: Message, author_name: str, reactions: dict[str, list[str]]) -> MessagePublic:
    deleted = message.deleted_at is not None
    return MessagePublic(
        id=message.id, seq=message.seq, channel_id=message.channel_id,
        author=Author(id=message.author_id, display_name=author_name),
        body="" if deleted else message.body, html="" if deleted else message.html,
        created_at=message.created_at, client_id=message.client_id, edited_at=message.edited_at,
        deleted=deleted,
        reactions=[] if deleted else [ReactionSummary(emoji=e, count=len(u), user_ids=u)
                                      for e, u in reactions.items()],
    )


async def history(db: AsyncSession, *, channel_id: str, user_id: str, before: int | None = None,
                  after: int | None = None, limit: int = 50) -> tuple[list[MessagePublic], str | None]:
    """A page of messages in ascending seq: the newest ones (below `before`, if given), or with
    `after` the oldest ones above it (and below `before`: a range). The cursor is the seq to pass
    as `before` (older pages) or, when reading forward from `after`, as `after` (newer pages)."""
    await channel_access(db, channel_id=channel_id, user_id=user_id)
    query = select(Message).where(Message.channel_id == channel_id)
    if before is not None:
        query = query.where(Message.seq < before)
    if after is not None:
        rows = list((await db.execute(
            query.where(Message.seq > after).order_by(Message.seq).limit(limit + 1))).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        cursor = str(rows[-1].seq) if more else None
    else:
        rows = list((await db.execute(query.order_by(Message.seq.desc()).limit(limit + 1))).scalars())
        more = len(rows) > limit
        rows = rows[:limit][::-1]
        cursor = str(rows[0].seq) if more else None
    return await publics(db, rows), cursor


async def messages_after(db: AsyncSession, *, channel_id: str, after: int, limit: int = 200,
                         upto: int | None = None) -> list[MessagePublic]:
    """Up to `limit` messages with seq above `after` (and at most `upto`), for catching up.
    The caller has already checked access."""
    query = select(Message).where(Message.channel_id == channel_id, Message.seq > after)
    if upto is not None:
        query = query.where(Message.seq <= upto)
    rows = list((await db.execute(query.order_by(Message.seq).limit(limit))).scalars())
    return await publics(db, rows)


async def last_seq(db: AsyncSession, *, channel_id: str) -> int:
    return int(await db.scalar(select(Channel.last_seq).where(Channel.id == channel_id)) or 0)


async def _message(db: AsyncSession, message_id: str, user_id: str) -> tuple[Message, ChannelAccess]:
    message = await db.get(Message, message_id)
    if message is None:
        raise NotFound("There is no such message.")
    access = await channel_access(db, channel_id=message.channel_id, user_id=user_id)
    return message, access


async def get_message(db: AsyncSession, *, message_id: str, user_id: str) -> MessagePublic:
    message, _ = await _message(db, message_id, user_id)
    return (await publics(db, [message]))[0]


# ---- writing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Post:
    """One message to post: who, what, and the sender's own id for retries."""

    author: User | Author
    body: str
    client_id: str | None = None


async def post_message(db: AsyncSession, *, hub: Hub, channel_id: str, author: User, body: str,
                       client_id: str | None = None,
                       access: ChannelAccess | None = None) -> tuple[MessagePublic, bool]:
    """Post `body`; returns the message and whether it was created now (False: `client_id` had
    already been used, and the original message is returned). `access` skips the membership
    check when the caller (an open WebSocket) has just made it."""
    if access is None or access.channel_id != channel_id:
        access = await channel_access(db, channel_id=channel_id, user_id=author.id)
    (result,) = await post_messages(db, hub=hub, access=access, posts=[Post(author, body, client_id)])
    return result


async def post_messages(db: AsyncSession, *, hub: Hub, access: ChannelAccess, posts: Sequence[Post],
                        optimistic: bool = False) -> list[tuple[MessagePublic, bool]]:
    """Post several messages to one channel in one transaction (a group commit): one block of
    consecutive seqs, one commit, then one event each, in seq order. Authors' membership is the
    caller's check.

    Repeated client_ids answer with the message they first created. Repeats are rare (a client
    resending after a reconnect), so an `optimistic` caller does not look for them first: the
    unique constraint refuses a repeat and the batch is posted again, looking. The rollback
    that takes expires every row in `db`, so only a caller whose session holds nothing else
    (the chat writer) may be optimistic.

    A session's chat takes no new messages once the session has ended (`Conflict`); a repeat
    of a message posted before that is still answered with it."""
    for post in posts:
        check_body(post.body)
    channel_id = access.channel_id
    found = {} if optimistic else await _by_client_ids(db, channel_id, posts)
    results: list[tuple[MessagePublic, bool] | None] = [None] * len(posts)
    fresh: dict[tuple[str, str] | int, int] = {}  # (author, client_id) or position -> index in `created`
    first: dict[tuple[str, str] | int, int] = {}  # key -> the position that creates it
    created: list[dict[str, Any]] = []  # rows of `messages`, inserted without ORM objects
    now = _now()
    for i, post in enumerate(posts):
        key = (post.author.id, post.client_id) if post.client_id is not None else i
        if key in found or key in fresh:
            continue
        fresh[key], first[key] = len(created), i
        created.append({"id": new_id("msg"), "channel_id": channel_id, "seq": 0, "author_id": post.author.id,
                        "body": post.body, "html": str(render_markdown(post.body)),
                        "client_id": post.client_id, "created_at": now, "edited_at": None,
                        "deleted_at": None, "deleted_by": None})
    if created and (closed := await chat_closed(db, access)) is not None:
        if optimistic:  # some of these may be repeats, which are still answered
            return await post_messages(db, hub=hub, access=access, posts=posts)
        raise Conflict(closed)
    if created:
        try:
            await _store(db, access, posts, created)
        except IntegrityError:
            await db.rollback()
            if optimistic:
                return await post_messages(db, hub=hub, access=access, posts=posts)
            # A client_id raced in through another connection or instance and won.
            if len(posts) == 1 and posts[0].client_id is not None and \
                    await _by_client_ids(db, channel_id, posts):
                return await post_messages(db, hub=hub, access=access, posts=posts)
            if len(posts) == 1:
                raise
            return [(await post_messages(db, hub=hub, access=access, posts=[post]))[0] for post in posts]
    names = {p.author.id: p.author.display_name for p in posts}
    published = [_public(SimpleNamespace(**row), names[row["author_id"]], {}) for row in created]
    existing = dict(zip(found, await publics(db, list(found.values())), strict=True))
    for i, post in enumerate(posts):
        key = (post.author.id, post.client_id) if post.client_id is not None else i
        results[i] = (existing[key], False) if key in existing else (published[fresh[key]], first[key] == i)
    if published:
        await hub.publish_many(protocol.topic(channel_id), [protocol.message_event(p) for p in published])
    return [r for r in results if r is not None]


_MESSAGES = Message.__table__
_CHANNELS = Channel.__table__
# Takes the next `b_count` seqs of a channel; built once, it is the hottest statement of chat.
_NEXT_SEQS = (update(_CHANNELS).where(_CHANNELS.c.id == bindparam("b_channel"))
              .values(last_seq=_CHANNELS.c.last_seq + bindparam("b_count")).returning(_CHANNELS.c.last_seq))


async def _store(db: AsyncSession, access: ChannelAccess, posts: Sequence[Post],
                 created: list[dict[str, Any]]) -> None:
    """Number the new rows, insert them with their events and mentions, and commit."""
    channel_id = access.channel_id
    top = (await db.execute(_NEXT_SEQS, {"b_channel": channel_id, "b_count": len(created)})).scalar_one()
    members: list[tuple[str, str, str]] | None = None
    happened = []
    for offset, row in enumerate(created):
        row["seq"] = top - len(created) + 1 + offset
        author = next(p.author for p in posts if p.author.id == row["author_id"])
        mentioned: list[str] = []
        if "@" in row["body"]:
            members = members if members is not None else await _members(db, channel_id)
            mentioned = resolve_mentions(row["body"], members, exclude=author.id)
        for user_id in mentioned:
            if notify is not None:
                notify(db, user_id=user_id, kind="mention", url=_channel_url(access),
                       body=row["body"][:280], title=f"{author.display_name} mentioned you")
        happened.append({
            "message_id": row["id"], "channel_id": channel_id, "seq": row["seq"],
            "author_id": author.id, "lounge_id": access.lounge_id, "session_id": access.session_id,
            "mentions": mentioned})
    await db.execute(insert(_MESSAGES), created)
    await events.record_all(db, "message.created", happened)
    await db.commit()


async def _by_client_ids(db: AsyncSession, channel_id: str,
                         posts: Sequence[Post]) -> dict[tuple[str, str], Message]:
    wanted = {(p.author.id, p.client_id) for p in posts if p.client_id is not None}
    if not wanted:
        return {}
    rows = await db.execute(select(Message).where(
        Message.channel_id == channel_id, Message.client_id.in_({c for _, c in wanted})))
    return {(m.author_id, m.client_id): m for m in rows.scalars() if (m.author_id, m.client_id) in wanted}


def _channel_url(access: ChannelAccess) -> str:
    if access.session_id:
        return f"/sessions/{access.session_id}#chat"
    return f"/lounges/{access.lounge_id}#chat"


async def _members(db: AsyncSession, channel_id: str) -> list[tuple[str, str, str]]:
    member_ids = await channel_member_ids(db, channel_id=channel_id)
    if not member_ids:
        return []
    rows = await db.execute(select(User.id, User.display_name, User.handle).where(User.id.in_(member_ids)))
    return [tuple(row) for row in rows.all()]  # type: ignore[misc]


def resolve_mentions(body: str, people: Iterable[tuple[str, str, str]], *, exclude: str = "") -> list[str]:
    """Members mentioned in `body` as `@handle`, `@Display Name`, or `@first-name` when only one
    member has that first name; the longest name that follows an `@` wins."""
    handles: dict[str, set[str]] = defaultdict(set)
    people = list(people)
    for user_id, name, _ in people:
        full = name.casefold()
        for key in {full, full.replace(" ", "_"), full.replace(" ", ""), full.split(" ")[0]}:
            if key:
                handles[key].add(user_id)
    for user_id, _, handle in people:  # a real handle beats any guess from names
        handles[handle.casefold()] = {user_id}
    ordered = sorted(handles, key=len, reverse=True)
    text = body.casefold()
    found: list[str] = []
    for match in MENTION_START.finditer(text):
        rest = text[match.end():]
        for key in ordered:
            if rest.startswith(key) and (len(rest) == len(key) or not rest[len(key)].isalnum()):
                if len(handles[key]) == 1:
                    user_id = next(iter(handles[key]))
                    if user_id != exclude and user_id not in found:
                        found.append(user_id)
                break
    return found


def _fold(text: str) -> str:
    """Lower case without accents, for matching what people type: "Zoë" → "zoe"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


_WORD_BREAK = re.compile(r"[\s._-]+")


def _mention_rank(needle: str, name: str, handle: str) -> int | None:
    """0 when the handle or the name starts with `needle`, 1 when a later word of either does,
    None when neither matches."""
    name, handle = _fold(name), _fold(handle)
    if handle.startswith(needle) or name.startswith(needle):
        return 0
    if any(word.startswith(needle) for word in _WORD_BREAK.split(f"{name} {handle}")):
        return 1
    return None


async def mention_candidates(db: AsyncSession, *, channel_id: str, user_id: str, q: str,
                             limit: int) -> list[MentionCandidate]:
    """People whose display name or handle has a word starting with `q` (any case or accent):
    the channel's members first, then anyone else signed up, best matches and then names in
    order; an empty `q` lists members only; never the viewer. The channel's outsiders get
    `NotFound`, as for its messages."""
    await channel_access(db, channel_id=channel_id, user_id=user_id)
    needle = _fold(q.strip().removeprefix("@"))
    members = await _members(db, channel_id)
    found = _ranked(needle, members, member=True, viewer=user_id)
    if needle and len(found) < limit:
        pattern = like_pattern(needle)
        rows = await db.execute(
            select(User.id, User.display_name, User.handle)
            .where(or_(func.lower(User.display_name).like(pattern, escape="\\"),
                       User.handle.like(pattern, escape="\\")),
                   User.id.not_in([user_id, *(person_id for person_id, _, _ in members)]))
            .order_by(User.display_name, User.id).limit(limit * 4))
        found += _ranked(needle, [tuple(row) for row in rows.all()], member=False, viewer=user_id)
    return found[:limit]


def _ranked(needle: str, people: Iterable[Sequence[str]], *, member: bool,
            viewer: str) -> list[MentionCandidate]:
    ranked = []
    for person_id, name, handle in people:
        rank = _mention_rank(needle, name, handle)
        if rank is not None and person_id != viewer:
            ranked.append(((rank, _fold(name), person_id),
                           MentionCandidate(id=person_id, display_name=name, handle=handle, member=member)))
    return [candidate for _, candidate in sorted(ranked, key=lambda pair: pair[0])]


async def edit_message(db: AsyncSession, *, hub: Hub, message_id: str, user: User,
                       body: str) -> MessagePublic:
    body = check_body(body)
    message, _ = await _message(db, message_id, user.id)
    if message.deleted_at is not None:
        raise NotFound("This message was removed.")
    if message.author_id != user.id:
        raise Forbidden("You can only edit your own messages.")
    message.body = body
    message.html = str(render_markdown(body))
    message.edited_at = _now()
    await db.commit()
    public = (await publics(db, [message]))[0]
    await hub.publish(protocol.topic(message.channel_id), protocol.message_event(public, "message_edited"))
    return public


async def delete_message(db: AsyncSession, *, hub: Hub, message_id: str, user: User) -> MessagePublic:
    """Authors delete their own messages; hosts and moderators delete anyone's."""
    message, access = await _message(db, message_id, user.id)
    if message.author_id != user.id and not access.can_moderate:
        raise Forbidden("Only the author, a moderator or a host can remove this message.")
    if message.deleted_at is None:
        message.deleted_at = _now()
        message.deleted_by = user.id
        await db.commit()
        public = (await publics(db, [message]))[0]
        await hub.publish(protocol.topic(message.channel_id), protocol.deleted_event(public, user.id))
        return public
    return (await publics(db, [message]))[0]


async def react(db: AsyncSession, *, hub: Hub, message_id: str, user: User, emoji: str,
                add: bool) -> MessagePublic:
    """Add (idempotent) or remove `user`'s `emoji` reaction."""
    emoji = check_emoji(emoji)
    message, _ = await _message(db, message_id, user.id)
    if message.deleted_at is not None:
        raise NotFound("This message was removed.")
    existing = await db.get(Reaction, (message.id, user.id, emoji))
    changed = False
    if add and existing is None:
        db.add(Reaction(message_id=message.id, user_id=user.id, emoji=emoji))
        changed = True
    elif not add and existing is not None:
        await db.delete(existing)
        changed = True
    if changed:
        try:
            await db.commit()
        except IntegrityError:  # the same reaction, added twice at once
            await db.rollback()
            changed = False
    public = (await publics(db, [message]))[0]
    if changed:
        await hub.publish(protocol.topic(message.channel_id), protocol.reaction_event(
            public, user={"id": user.id, "display_name": user.display_name}, emoji=emoji, added=add))
    return public


# ---- read markers and unread counts ----------------------------------------------------------

async def mark_read(db: AsyncSession, *, channel_id: str, user_id: str, seq: int) -> UnreadChannel:
    """Move my read marker forward to `seq` (never back, never past the newest message)."""
    await channel_access(db, channel_id=channel_id, user_id=user_id)
    newest = await last_seq(db, channel_id=channel_id)
    seq = min(seq, newest)
    marker = await db.get(ReadMarker, (channel_id, user_id))
    if marker is None:
        marker = ReadMarker(channel_id=channel_id, user_id=user_id, last_read_seq=seq)
        db.add(marker)
    elif seq > marker.last_read_seq:
        marker.last_read_seq = seq
        marker.updated_at = _now()
    try:
        await db.commit()
    except IntegrityError:  # a concurrent first marker; the other one stands, move it forward
        await db.rollback()
        await db.execute(update(ReadMarker).where(
            ReadMarker.channel_id == channel_id, ReadMarker.user_id == user_id,
            ReadMarker.last_read_seq < seq).values(last_read_seq=seq, updated_at=_now()))
        await db.commit()
        marker = await db.get(ReadMarker, (channel_id, user_id), populate_existing=True)
        assert marker is not None
    counts = await _unread_counts(db, user_id, {channel_id: marker.last_read_seq})
    return UnreadChannel(channel_id=channel_id, last_seq=newest, last_read_seq=marker.last_read_seq,
                         unread=counts.get(channel_id, 0))


async def unread(db: AsyncSession, *, user_id: str) -> list[UnreadChannel]:
    """Unread counts for the channels of my lounges and of the sessions I have chatted in or read."""
    lounge_channels = select(Lounge.channel_id).join(
        LoungeMember, LoungeMember.lounge_id == Lounge.id).where(
        LoungeMember.user_id == user_id, Lounge.archived_at.is_(None))
    marked = select(ReadMarker.channel_id).where(ReadMarker.user_id == user_id)
    rows = (await db.execute(
        select(Channel.id, Channel.last_seq, ReadMarker.last_read_seq)
        .outerjoin(ReadMarker, and_(ReadMarker.channel_id == Channel.id, ReadMarker.user_id == user_id))
        .where(or_(Channel.id.in_(lounge_channels), Channel.id.in_(marked)))
        .order_by(Channel.id))).all()
    markers = {channel_id: read or 0 for channel_id, _, read in rows}
    counts = await _unread_counts(db, user_id, markers)
    return [UnreadChannel(channel_id=channel_id, last_seq=newest, last_read_seq=markers[channel_id],
                          unread=counts.get(channel_id, 0)) for channel_id, newest, _ in rows]


async def _unread_counts(db: AsyncSession, user_id: str, markers: dict[str, int]) -> dict[str, int]:
    """Messages by others, not removed, above each marker."""
    if not markers:
        return {}
    conditions = [and_(Message.channel_id == c, Message.seq > s) for c, s in markers.items()]
    rows = await db.execute(
        select(Message.channel_id, func.count()).where(
            or_(*conditions), Message.author_id != user_id, Message.deleted_at.is_(None))
        .group_by(Message.channel_id))
    return {channel_id: int(count) for channel_id, count in rows.all()}

