"""The chat socket while the database cannot be reached: a handshake is refused with 503 and
Retry-After before anything is accepted, and a `send` on an open socket is answered with an
`unavailable` error naming its `client_id`, so the client sends it again once the database
is back; nothing is stored twice and nothing is lost."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.realtime.conftest import next_event

# Nothing listens here: every connection to it is refused, as during a database restart.
NOWHERE = "postgresql+asyncpg://lounge@127.0.0.1:1/lounge"


@pytest.fixture
async def nowhere():
    engine = create_async_engine(NOWHERE)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def test_a_handshake_during_an_outage_is_refused_with_503(room, nowhere):
    state = room.live.app.state
    reachable, state.sessionmaker = state.sessionmaker, nowhere
    try:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(room.ws_url(), additional_headers=room.cookie_headers(room.ben)):
                pass
    finally:
        state.sessionmaker = reachable
    response = refused.value.response
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert orjson.loads(response.body)["title"] == "Service unavailable"
    async with room.open(room.ben) as ws:  # back: the same handshake is accepted
        await next_event(ws, "hello")


async def test_a_send_during_an_outage_is_refused_and_its_resend_is_stored_once(room, nowhere):
    writer = room.live.app.state.rooms.writer
    async with room.open(room.ben) as ws:
        await next_event(ws, "hello")
        reachable, writer.sessionmaker = writer.sessionmaker, nowhere
        try:
            await ws.send(orjson.dumps({"type": "send", "client_id": "c-1", "body": "Still there?"}).decode())
            error = await next_event(ws, "error", "ack")
        finally:
            writer.sessionmaker = reachable
        assert error["type"] == "error" and error["code"] == "unavailable"
        assert error["client_id"] == "c-1" and error["retry_after"] == 2
        await ws.send(orjson.dumps({"type": "send", "client_id": "c-1", "body": "Still there?"}).decode())
        ack = await next_event(ws, "ack")
        assert ack["client_id"] == "c-1"
    listed = await room.ana.client.get(f"/api/v1/channels/{room.channel_id}/messages")
    assert [m["body"] for m in listed.json()["items"]] == ["Still there?"]
