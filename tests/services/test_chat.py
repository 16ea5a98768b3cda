"""Chat rules without HTTP: sequencing, idempotency, editing and moderation, reactions,
history pages, read markers and mentions."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from app.db import make_engine, make_sessionmaker
from app.errors import Forbidden, InvalidInput, NotFound
from app.models import Message, Notification, User
from app.realtime import protocol
from app.realtime.hub import Hub
from app.schemas.accounts import UserRegister
from app.schemas.chat import Author
from app.schemas.lounges import LoungeCreate
from app.services import accounts, chat, lounges
from app.services.chat_writer import ChatWriter
from tests.conftest import PASSWORD


async def _user(db, email: str, name: str) -> User:
    return await accounts.register_user(db, data=UserRegister(email=email, password=PASSWORD,
                                                               display_name=name))


@pytest.fixture
async def people(db):
    ana = await _user(db, "ana@example.com", "Ana Lima")
    ben = await _user(db, "ben@example.com", "Ben Okafor")
    cleo = await _user(db, "cleo@example.com", "Cleo Park")
    view = await lounges.create_lounge(db, user=ana, data=LoungeCreate(name="Rust readers",
                                                                       visibility="private"))
    await lounges.invite_member(db, user=ana, lounge_id=view.lounge.id, invitee_id=ben.id)
    return ana, ben, cleo, view.lounge.channel_id


@pytest.fixture
def hub() -> Hub:
    return Hub()


async def test_posts_get_consecutive_seqs_and_are_published_after_commit(db, settings, hub, people):
    ana, ben, _, channel = people
    heard: list[bytes] = []
    engine = make_engine(settings)
    other = make_sessionmaker(engine)
    async with hub.subscribe(protocol.topic(channel)) as subscription:
        for text in ("one", "two", "three"):
            message, created = await chat.post_message(db, hub=hub, channel_id=channel, author=ana, body=text)
            assert created
            payload = await subscription.__anext__()
            heard.append(payload)
            async with other() as reader:  # committed: another session sees it already
                assert await reader.scalar(select(Message.body).where(Message.id == message.id)) == text
    await engine.dispose()
    assert [protocol_seq(p) for p in heard] == [1, 2, 3]
    assert await chat.last_seq(db, channel_id=channel) == 3


def protocol_seq(payload: bytes) -> int:
    import orjson

    return orjson.loads(payload)["message"]["seq"]


async def test_concurrent_posts_leave_no_gap(settings, people):
    ana, ben, _, channel = people
    engine = make_engine(settings)
    sessions = make_sessionmaker(engine)
    hub = Hub()

    async def post(i: int, author: User) -> int:
        async with sessions() as db:
            message, _ = await chat.post_message(db, hub=hub, channel_id=channel, author=author, body=f"m{i}")
            return message.seq

    seqs = await asyncio.gather(*(post(i, ana if i % 2 else ben) for i in range(40)))
    async with sessions() as db:
        stored = list((await db.execute(select(Message.seq).where(Message.channel_id == channel)
                                        .order_by(Message.seq))).scalars())
    await engine.dispose()
    assert sorted(seqs) == list(range(1, 41))
    assert stored == list(range(1, 41))


async def test_same_client_id_gives_one_message(db, settings, hub, people):
    ana, _, _, channel = people
    first, created = await chat.post_message(db, hub=hub, channel_id=channel, author=ana, body="hi",
                                              client_id="c-1")
    again, created_again = await chat.post_message(db, hub=hub, channel_id=channel, author=ana,
                                                   body="hi (retry)", client_id="c-1")
    assert created and not created_again
    assert (again.id, again.seq, again.body) == (first.id, first.seq, "hi")

    engine = make_engine(settings)
    sessions = make_sessionmaker(engine)

    async def post() -> tuple[str, int]:
        async with sessions() as other:
            message, _ = await chat.post_message(other, hub=hub, channel_id=channel, author=ana,
                                                 body="race", client_id="c-2")
            return message.id, message.seq

    results = await asyncio.gather(*(post() for _ in range(6)))
    await engine.dispose()
    assert len(set(results)) == 1
    count = await db.scalar(select(func.count()).select_from(Message).where(Message.client_id == "c-2"))
    assert count == 1
    assert await chat.last_seq(db, channel_id=channel) == 2  # the losers left no gap


@pytest.mark.parametrize("body", ["", "   ", "x" * 4001])
async def test_body_must_be_1_to_4000_characters(db, hub, people, body):
    ana, _, _, channel = people
    with pytest.raises(InvalidInput):
        await chat.post_message(db, hub=hub, channel_id=channel, author=ana, body=body)
    message, _ = await chat.post_message(db, hub=hub, channel_id=channel, author=ana, body="y" * 4000)
    assert message.seq == 1


async def test_markdown_is_rendered_and_scripts_are_not(db, hub, people):
    ana, _, _, channel = people
    message, _ = await chat.post_message(db, hub=hub, channel_id=channel, author=ana,
                                         body="**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>bold</strong>" in message.html
    assert "<script" not in message.html and "&lt;script&gt;" in message.html
    assert "href=\"javascript" not in message.html


async def test_non_members_may_not_post_or_read(db, hub, people):
    _, _, cleo, channel = people
    with pytest.raises(NotFound):
        await chat.post_message(db, hub=hub, channel_id=channel, author=cleo, body="let me in")
    with pytest.raises(NotFound):
        await chat.history(db, channel_id=channel, user_id=cleo.id)


async def test_edit_own_only_and_moderators_delete_any(db, hub, people):
    ana, ben, _, channel = people
    mine, _ = await chat.post_message(db, hub=hub, channel_id=channel, author=ben, body="frist")
    async with hub.subscribe(protocol.topic(channel)) as subscription:
        edited = await chat.edit_message(db, hub=hub, message_id=mine.id, user=ben, body="*first*")
        assert edited.html.strip() == "<p><em>first</em></p>" and edited.edited_at is not None
        assert b'"type":"message_edited"' in await subscription.__anext__()
        with pytest.raises(Forbidden):
            await chat.edit_message(db, hub=hub, message_id=mine.id, user=ana, body="not yours")
        removed = await chat.delete_message(db, hub=hub, message_id=mine.id, user=ana)  # the host
        assert removed.deleted and removed.body == "" and removed.html == ""
        assert b'"type":"message_deleted"' in await subscription.__anext__()
    hosts, _ = await chat.post_message(db, hub=hub, channel_id=channel, author=ana, body="hosted")
    with pytest.raises(Forbidden):
        await chat.delete_message(db, hub=hub, message_id=hosts.id, user=ben)
    with pytest.raises(NotFound):
        await chat.edit_message(db, hub=hub, message_id=mine.id, user=ben, body="back")
    page, _ = await chat.history(db, channel_id=channel, user_id=ben.id)
    assert [(m.seq, m.deleted) for m in page] == [(1, True), (2, False)]


async def test_reactions_are_idempotent_and_removable(db, hub, people):
    ana, ben, _, channel = people
    message, _ = await chat.post_message(db, hub=hub, channel_id=channel, author=ana, body="cake?")
    for user in (ana, ben, ben):
        result = await chat.react(db, hub=hub, message_id=message.id, user=user, emoji="🎉", add=True)
    assert [(r.emoji, r.count) for r in result.reactions] == [("🎉", 2)]
    result = await chat.react(db, hub=hub, message_id=message.id, user=ben, emoji="🎉", add=False)
    assert [(r.emoji, r.count, r.user_ids) for r in result.reactions] == [("🎉", 1, [ana.id])]
    for bad in ("hello", "", "🎉" * 20, "<b>"):
        with pytest.raises(InvalidInput):
            await chat.react(db, hub=hub, message_id=message.id, user=ben, emoji=bad, add=True)


async def test_history_pages_by_seq_both_ways(db, hub, people):
    ana, _, _, channel = people
    for i in range(1, 121):
        await chat.post_message(db, hub=hub, channel_id=channel, author=ana, body=f"n{i}")
    newest, cursor = await chat.history(db, channel_id=channel, user_id=ana.id, limit=50)
    assert [m.seq for m in newest] == list(range(71, 121)) and cursor == "71"
    older, cursor = await chat.history(db, channel_id=channel, user_id=ana.id, before=71, limit=50)
    assert [m.seq for m in older] == list(range(21, 71)) and cursor == "21"
    oldest, cursor = await chat.history(db, channel_id=channel, user_id=ana.id, before=21, limit=50)
    assert [m.seq for m in oldest] == list(range(1, 21)) and cursor is None
    after, cursor = await chat.history(db, channel_id=channel, user_id=ana.id, after=100, limit=15)
    assert [m.seq for m in after] == list(range(101, 116)) and cursor == "115"
    between, cursor = await chat.history(db, channel_id=channel, user_id=ana.id, before=5, after=1)
    assert [m.seq for m in between] == [2, 3, 4] and cursor is None


async def test_read_markers_and_unread_counts(db, hub, people):
    ana, ben, _, channel = people
    for i in range(5):
        await chat.post_message(db, hub=hub, channel_id=channel, author=ana, body=f"a{i}")
    await chat.post_message(db, hub=hub, channel_id=channel, author=ben, body="mine")
    counts = {u.channel_id: u.unread for u in await chat.unread(db, user_id=ben.id)}
    assert counts == {channel: 5}  # his own message is not unread
    marker = await chat.mark_read(db, channel_id=channel, user_id=ben.id, seq=3)
    assert (marker.last_read_seq, marker.unread) == (3, 2)
    marker = await chat.mark_read(db, channel_id=channel, user_id=ben.id, seq=1)
    assert marker.last_read_seq == 3  # never moves back
    marker = await chat.mark_read(db, channel_id=channel, user_id=ben.id, seq=999)
    assert (marker.last_read_seq, marker.unread) == (6, 0)


def test_mentions_resolve_handles_full_names_and_unique_first_names():
    people = [("u1", "Ana Lima", "ana.lima"), ("u2", "Ben Okafor", "ben"), ("u3", "Ben Stone", "bstone")]
    assert chat.resolve_mentions("hey @Ana, and @ben okafor!", people) == ["u1", "u2"]
    assert chat.resolve_mentions("@Ben Stone is not ambiguous", people) == ["u3"]
    assert chat.resolve_mentions("ask @ana.lima. Or @bstone", people) == ["u1", "u3"]
    assert chat.resolve_mentions("@ben is Ben Okafor's handle", people) == ["u2"]
    assert chat.resolve_mentions("mail ana@example.com", people) == []
    assert chat.resolve_mentions("@Ana Lima talking to herself", people, exclude="u1") == []


async def test_mentions_notify_members(db, hub, people):
    ana, ben, cleo, channel = people
    await chat.post_message(db, hub=hub, channel_id=channel, author=ana, body="@Ben Okafor and @Cleo?")
    rows = (await db.execute(select(Notification.user_id, Notification.kind, Notification.title))).all()
    assert rows == [(ben.id, "mention", "Ana Lima mentioned you")]  # Cleo is not a member


async def test_mention_candidates_put_members_first_and_ignore_case_and_accents(db, hub, people):
    ana, ben, cleo, channel = people
    zoe = await accounts.register_user(db, data=UserRegister(
        email="zoe@example.com", password=PASSWORD, display_name="Zoë Bell", handle="zb"))
    bernard = await _user(db, "bernard@example.com", "Bernard Nunes")
    access = await lounges.channel_access(db, channel_id=channel, user_id=ana.id)
    await lounges.invite_member(db, user=ana, lounge_id=access.lounge_id, invitee_id=zoe.id)

    async def offered(q: str, *, viewer: User = ana, limit: int = 8) -> list[tuple[str, bool]]:
        found = await chat.mention_candidates(db, channel_id=channel, user_id=viewer.id, q=q, limit=limit)
        return [(person.display_name, person.member) for person in found]

    assert await offered("BE") == [("Ben Okafor", True), ("Zoë Bell", True), ("Bernard Nunes", False)]
    assert await offered("zoe") == await offered("ZOË") == [("Zoë Bell", True)]
    assert await offered("okaf") == await offered("@ben.ok") == [("Ben Okafor", True)]
    assert await offered("be", limit=1) == [("Ben Okafor", True)]
    assert await offered("ana") == [] and await offered("50%_") == []  # never the viewer; LIKE escaped
    assert await offered("") == [("Ben Okafor", True), ("Zoë Bell", True)]  # members only
    assert bernard.id not in {p.id for p in await chat.mention_candidates(
        db, channel_id=channel, user_id=ana.id, q="", limit=8)}
    with pytest.raises(NotFound):  # a private lounge's chat is invisible to outsiders
        await offered("be", viewer=cleo)
    # What the picker inserts, `@handle`, is what the mention parser resolves.
    picked = await chat.mention_candidates(db, channel_id=channel, user_id=ana.id, q="be", limit=1)
    handle = picked[0].handle
    await chat.post_message(db, hub=hub, channel_id=channel, author=ana, body=f"thanks @{handle} !")
    assert await db.scalar(select(Notification.user_id).where(Notification.kind == "mention")) == ben.id


async def test_a_group_commit_numbers_a_batch_in_order_and_dedupes_client_ids(db, hub, people):
    ana, ben, _, channel = people
    access = await lounges.channel_access(db, channel_id=channel, user_id=ana.id)
    results = await chat.post_messages(db, hub=hub, access=access, posts=[
        chat.Post(ana, "first", "x-1"), chat.Post(ben, "second"), chat.Post(ana, "first again", "x-1")])
    assert [(m.seq, m.body, created) for m, created in results] == [
        (1, "first", True), (2, "second", True), (1, "first", False)]
    again = await chat.post_messages(db, hub=hub, access=access, posts=[chat.Post(ana, "retry", "x-1")])
    assert [(m.seq, created) for m, created in again] == [(1, False)]


async def test_the_writer_batches_concurrent_sends_without_gaps(settings, people):
    ana, ben, _, channel = people
    engine = make_engine(settings)
    writer = ChatWriter(make_sessionmaker(engine), Hub())
    async with make_sessionmaker(engine)() as db:
        access = await lounges.channel_access(db, channel_id=channel, user_id=ana.id)
    results = await asyncio.gather(*(
        writer.post(access=access, author=ana if i % 2 else ben, body=f"w{i}", client_id=f"w{i}")
        for i in range(30)))
    await engine.dispose()
    assert [m.seq for m, _ in results] == list(range(1, 31))  # queued order is seq order
    assert all(created for _, created in results)


async def test_a_repeat_inside_an_optimistic_batch_keeps_the_first_message(db, hub, people):
    ana, ben, _, channel = people
    access = await lounges.channel_access(db, channel_id=channel, user_id=ana.id)
    (first, _), = await chat.post_messages(db, hub=hub, access=access, posts=[chat.Post(ana, "first", "o-1")])
    ana_, ben_ = (Author(id=u.id, display_name=u.display_name) for u in (ana, ben))  # as sockets post
    results = await chat.post_messages(db, hub=hub, access=access, optimistic=True, posts=[
        chat.Post(ben_, "new one"), chat.Post(ana_, "first, resent", "o-1"), chat.Post(ben_, "another")])
    assert [(m.seq, m.body, created) for m, created in results] == [
        (2, "new one", True), (1, "first", False), (3, "another", True)]
    assert first.seq == 1
    assert await db.scalar(select(func.count()).select_from(Message)) == 3
