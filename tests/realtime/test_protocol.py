"""The chat WebSocket end to end on a real uvicorn: hello, backlog, live events, acks,
idempotent sends, reconnects that lose nothing, presence and typing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import update
from websockets.asyncio.client import connect

from app.models import LearningSession
from tests.api.sessions_helpers import join, make_lounge, make_session
from tests.conftest import bearer_token
from tests.realtime.conftest import messages, next_event


async def test_hello_then_live_messages_for_everyone(room):
    async with room.open(room.ana) as a, room.open(room.ben) as b:
        hello = await next_event(a, "hello")
        assert hello["channel_id"] == room.channel_id and hello["last_seq"] == 0
        assert hello["you"] == {"id": room.ana.id, "display_name": "Ana Lima"}
        await next_event(b, "hello")
        posted = await room.post(room.ben, "over **HTTP**")
        for ws in (a, b):
            (message,) = await messages(ws, 1)
            assert message["id"] == posted["id"] and message["seq"] == 1
            assert message["author"] == {"id": room.ben.id, "display_name": "Ben Okafor"}
            assert message["html"].strip() == "<p>over <strong>HTTP</strong></p>"


async def test_send_is_acked_and_a_retry_is_acked_with_the_same_seq(room):
    async with room.open(room.ana) as a, room.open(room.ben) as b:
        await next_event(a, "hello")
        frame = orjson.dumps({"type": "send", "client_id": "k-1", "body": "hello"}).decode()
        await a.send(frame)
        ack = await next_event(a, "ack")
        await a.send(frame)
        again = await next_event(a, "ack")
        assert ack["client_id"] == again["client_id"] == "k-1"
        assert ack["seq"] == again["seq"] == 1 and ack["message_id"] == again["message_id"]
        assert [m["body"] for m in await messages(b, 1)] == ["hello"]
    history = await room.ana.client.get(f"/api/v1/channels/{room.channel_id}/messages")
    assert [m["seq"] for m in history.json()["items"]] == [1]


async def test_backlog_after_seq_then_live_in_order(room):
    for i in range(1, 6):
        await room.post(room.ana, f"m{i}")
    async with room.open(room.ben, after=2) as b:
        assert (await next_event(b, "hello"))["last_seq"] == 5
        assert [m["seq"] for m in await messages(b, 3)] == [3, 4, 5]
        await room.post(room.ana, "m6")
        assert [m["seq"] for m in await messages(b, 1)] == [6]


async def test_reconnect_while_messages_keep_arriving_misses_nothing_and_doubles_nothing(room):
    total = 60
    seen: list[int] = []

    async def writer():
        for i in range(total):
            await room.post(room.ana, f"n{i}")

    async with room.open(room.ben, after=0) as b:
        await next_event(b, "hello")
        task = asyncio.create_task(writer())
        seen += [m["seq"] for m in await messages(b, 5)]
    # Offline while the writer goes on, then back with after=<last seen>, during more posts.
    await asyncio.sleep(0.2)
    for _ in range(3):
        async with room.open(room.ben, after=seen[-1]) as b:
            await next_event(b, "hello")
            seen += [m["seq"] for m in await messages(b, 10)]
    async with room.open(room.ben, after=seen[-1]) as b:
        await next_event(b, "hello")
        seen += [m["seq"] for m in await messages(b, total - len(seen))]
        await task
    assert seen == list(range(1, total + 1))


async def test_edits_deletes_reactions_and_typing_reach_others(room):
    async with room.open(room.ana) as a, room.open(room.ben) as b:
        await next_event(a, "hello")
        await next_event(b, "hello")
        message = await room.post(room.ben, "tpyo")
        await messages(a, 1)
        client = room.ben.client
        await client.patch(f"/api/v1/messages/{message['id']}", headers=room.ben.csrf, json={"body": "typo"})
        edited = await next_event(a, "message_edited")
        assert edited["message"]["body"] == "typo" and edited["message"]["edited_at"]
        await client.put(f"/api/v1/messages/{message['id']}/reactions/%F0%9F%8E%89", headers=room.ben.csrf)
        reaction = await next_event(a, "reaction")
        assert (reaction["emoji"], reaction["action"], reaction["user"]["id"]) == ("🎉", "added", room.ben.id)
        assert reaction["reactions"] == [{"emoji": "🎉", "count": 1, "user_ids": [room.ben.id]}]
        await b.send('{"type":"typing"}')
        typing = await next_event(a, "typing")
        assert typing["user"] == {"id": room.ben.id, "display_name": "Ben Okafor"}
        await room.ana.client.delete(f"/api/v1/messages/{message['id']}", headers=room.ana.csrf)
        deleted = await next_event(b, "message_deleted")
        assert deleted["message_id"] == message["id"] and deleted["deleted_by"] == room.ana.id


async def _presence_of(ws, key: str, user_id: str) -> dict:
    while True:
        event = await next_event(ws, "presence")
        if any(u["id"] == user_id for u in event[key]):
            return event


async def test_presence_shows_who_is_online(room):
    async with room.open(room.ana) as a:
        hello = await next_event(a, "hello")
        assert hello["online"] == [{"id": room.ana.id, "display_name": "Ana Lima"}]
        async with room.open(room.ben) as b:
            assert len((await next_event(b, "hello"))["online"]) == 2
            joined = await _presence_of(a, "joined", room.ben.id)
            assert {"id": room.ben.id, "display_name": "Ben Okafor"} in joined["joined"]
        left = await _presence_of(a, "left", room.ben.id)
        assert left["online_count"] == 1


async def test_chat_token_sends_over_the_socket_and_read_token_cannot(room):
    chat_token = await bearer_token(room.ana, ["chat"], name="bot")
    read_token = await bearer_token(room.ana, ["read"], name="reader")
    async with connect(room.ws_url(), additional_headers={"Authorization": f"Bearer {chat_token}"}) as bot:
        await next_event(bot, "hello")
        await bot.send('{"type":"send","client_id":"bot-1","body":"beep"}')
        assert (await next_event(bot, "ack"))["seq"] == 1
    async with connect(room.ws_url(), additional_headers={"Authorization": f"Bearer {read_token}"}) as ro:
        await next_event(ro, "hello")
        await ro.send('{"type":"send","client_id":"ro-1","body":"boop"}')
        error = await next_event(ro, "error")
        assert error["code"] == "forbidden"


async def test_a_session_chat_closes_for_new_messages_when_the_session_ends(room):
    lounge = await make_lounge(room.ana, name="Book club")
    await join(room.ben, lounge["id"])
    session = await make_session(room.ana, lounge["id"])
    sessionmaker = room.live.app.state.sessionmaker

    async def move_end(hours: float) -> None:
        now = datetime.now(UTC)
        async with sessionmaker() as db:
            await db.execute(update(LearningSession).where(LearningSession.id == session["id"]).values(
                starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=hours)))
            await db.commit()

    url = room.ws_url(channel_id=session["channel_id"])
    async with connect(url, additional_headers=room.cookie_headers(room.ben)) as b:
        await next_event(b, "hello")
        await b.send(orjson.dumps({"type": "send", "client_id": "s-1", "body": "on time"}).decode())
        assert (await next_event(b, "ack"))["seq"] == 1
        await move_end(-1)
        await b.send(orjson.dumps({"type": "send", "client_id": "s-2", "body": "too late"}).decode())
        error = await next_event(b, "error", "ack")
        assert error == {"type": "error", "code": "chat_closed", "client_id": "s-2",
                         "detail": "This session has ended. Its chat stays here to read."}
        await b.send(orjson.dumps({"type": "send", "client_id": "s-1", "body": "on time"}).decode())
        assert (await next_event(b, "ack", "error"))["seq"] == 1  # a resend is still acked
        await move_end(+1)  # the host ran it over time: the open socket sees the new end
        await b.send(orjson.dumps({"type": "send", "client_id": "s-3", "body": "still here"}).decode())
        assert (await next_event(b, "ack", "error"))["seq"] == 2
    history = await room.ben.client.get(f"/api/v1/channels/{session['channel_id']}/messages")
    assert [m["body"] for m in history.json()["items"]] == ["on time", "still here"]
