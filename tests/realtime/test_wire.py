"""Raw frames and bursts (`app/realtime/wire.py`, `Burst` in `app/realtime/connection.py`):
frames built once are the frames the websockets library would build, a socket on uvicorn's
sans-I/O server gets them by raw write and anything else through `send`, and what a room
receives in one go reaches every client as separate events, in seq order, once each."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from websockets.frames import Frame, Opcode

from app.config import Settings
from app.realtime import protocol
from app.realtime.connection import Burst, Connection
from app.realtime.hub import Hub
from app.realtime.wire import text_frame
from app.schemas.chat import Author
from app.services import chat
from app.services.lounges import channel_access
from tests.realtime.conftest import bare_connection, chat_room, messages, next_event


@pytest.mark.parametrize("text", ["", "x", "x" * 125, "x" * 126, "é" * 63, "x" * 65535, "x" * 65536,
                                  "é" * 40000], ids=lambda t: f"{len(t.encode())}-bytes")
def test_text_frames_are_the_frames_the_websockets_library_builds(text):
    assert text_frame(text) == Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


def _server_connections(live, user_id: str) -> list[Connection]:
    return [c for c in live.app.state.rooms.connections() if c.user_id == user_id]


async def test_sockets_on_the_sans_io_server_get_events_by_raw_write(room):
    async with room.open(room.ana) as a, room.open(room.ben) as b:
        await next_event(a, "hello")
        await next_event(b, "hello")
        assert all(c.wire is not None for c in room.live.app.state.rooms.connections())
        await room.post(room.ben, "raw <b>frames</b>")
        for ws in (a, b):
            (message,) = await messages(ws, 1)
            assert message["body"] == "raw <b>frames</b>" and message["seq"] == 1


async def test_with_compression_negotiated_events_go_through_send(serve):
    async with serve(ws_per_message_deflate=True) as live, chat_room(live) as room, \
            room.open(room.ana, compression="deflate") as a, room.open(room.ben) as b:
        await next_event(a, "hello")
        await next_event(b, "hello")
        (compressed,) = _server_connections(live, room.ana.id)
        assert compressed.wire is None
        await room.post(room.ben, "long enough to be worth compressing " * 20)
        await b.send(orjson.dumps({"type": "send", "client_id": "c-1", "body": "and back"}).decode())
        for ws in (a, b):
            assert [m["seq"] for m in await messages(ws, 2)] == [1, 2]


async def test_a_burst_reaches_everyone_as_separate_events_in_seq_order_once(room):
    """One publish of several payloads: a message, a typing event, the same message again, and
    a message whose predecessor was committed but never published (read from the database)."""
    sessionmaker, hub = room.live.app.state.sessionmaker, room.live.app.state.hub
    unpublished: list[bytes] = []

    class Silent(Hub):
        async def publish_many(self, topic: str, payloads: list[bytes]) -> None:
            unpublished.extend(payloads)

    async with room.open(room.ana) as a, room.open(room.ben) as b:
        await next_event(a, "hello")
        await next_event(b, "hello")
        async with sessionmaker() as db:
            access = await channel_access(db, channel_id=room.channel_id, user_id=room.ana.id)
            author = Author(id=room.ana.id, display_name="Ana Lima")
            await chat.post_messages(db, hub=Silent(), access=access, posts=[
                chat.Post(author, "one"), chat.Post(author, "two"), chat.Post(author, "three")])
        first, _, third = unpublished
        typing = protocol.typing_event(room.channel_id, {"id": room.ana.id, "display_name": "Ana Lima"})
        await hub.publish_many(protocol.topic(room.channel_id), [first, typing, first, third])
        for ws in (a, b):
            got = [await next_event(ws, "message", "typing") for _ in range(4)]
            assert [(e["type"], e.get("message", {}).get("body")) for e in got] == [
                ("message", "one"), ("typing", None), ("message", "two"), ("message", "three")]
            with pytest.raises(TimeoutError):
                await next_event(ws, "message", within=0.3)


class _Wire:
    def __init__(self, writable: bool = True) -> None:
        self.writable = writable
        self.writes: list[bytes] = []

    def write(self, frames: bytes) -> bool:
        if self.writable:
            self.writes.append(frames)
        return self.writable


def _idle_connection(settings: Settings, last_sent: int, wire: _Wire) -> Connection:
    connection = bare_connection(settings)
    connection.wire = wire  # type: ignore[assignment]
    connection.idle, connection.last_sent = True, last_sent
    return connection


def _events(*seqs: int) -> list[tuple[int, str]]:
    return [(seq, f'{{"type":"{"message" if seq else "typing"}","n":{seq}}}') for seq in seqs]


def test_a_burst_is_one_write_when_the_socket_needs_all_of_it(settings):
    wire = _Wire()
    connection = _idle_connection(settings, 2, wire)
    burst = Burst(_events(3, 0, 4))
    connection.offer_burst(burst)
    assert wire.writes == [burst.frames] and connection.last_sent == 4
    assert burst.frames == b"".join(text_frame(text) for _, text in _events(3, 0, 4))


def test_a_burst_partly_seen_already_is_sent_event_by_event_without_repeats(settings):
    wire = _Wire()
    connection = _idle_connection(settings, 3, wire)
    connection.offer_burst(Burst(_events(2, 3, 0, 4)))
    assert wire.writes == [text_frame(text) for _, text in _events(0, 4)]
    assert connection.last_sent == 4


async def test_a_burst_a_paused_socket_cannot_take_is_queued_in_order(settings):
    connection = _idle_connection(settings, 0, _Wire(writable=False))
    connection.offer_burst(Burst(_events(1, 0, 2)))
    assert not connection.idle
    assert connection.queue is not None
    assert [connection.queue.get_nowait() for _ in range(3)] == _events(1, 0, 2)
    await asyncio.sleep(0)
