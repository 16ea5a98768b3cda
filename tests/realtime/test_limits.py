"""The chat WebSocket's limits and refusals: Origin and membership checks before accept, body
and frame sizes, rates and floods, bad frames, slow consumers, removal and shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time

import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.frames import Frame
from websockets.uri import parse_uri

from app.realtime import send_buffer
from tests.conftest import bearer_token, sign_up
from tests.realtime.conftest import bare_connection, chat_room, messages, next_event


async def _closed_with(ws, within: float = 15) -> int:
    async with asyncio.timeout(within):
        try:
            while True:
                await ws.recv()
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, "closed without a close frame"
            return closed.rcvd.code


async def _refused(url: str, headers: dict[str, str]) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, additional_headers=headers):
            pass
    return refused.value.response.status_code


async def test_cookie_handshakes_from_other_origins_are_refused_before_accept(room):
    port = room.live.url.rsplit(":", 1)[1]
    for origin in (None, "null", "http://evil.example", f"http://127.0.0.1:{port}.evil.example",
                   f"https://127.0.0.1:{port}", f"http://127.0.0.1:{int(port) + 1}",
                   f"http://127.0.0.1:{port}@evil.example"):
        assert await _refused(room.ws_url(), room.cookie_headers(room.ben, origin)) == 403, origin
    async with room.open(room.ben) as ws:
        assert (await next_event(ws, "hello"))["channel_id"] == room.channel_id


async def test_allowed_origins_may_connect_with_cookies(serve):
    async with serve(allowed_origins="https://intranet.example") as live, chat_room(live) as room:
        headers = room.cookie_headers(room.ben, "https://intranet.example")
        async with connect(room.ws_url(), additional_headers=headers) as ws:
            await next_event(ws, "hello")


async def test_strangers_and_outsiders_are_refused_at_the_handshake(room):
    assert await _refused(room.ws_url(), {"Origin": room.live.url}) == 401
    assert await _refused(room.ws_url(), {"Authorization": "Bearer nope"}) == 401
    async with __import__("httpx").AsyncClient(base_url=room.live.url) as c:
        cleo = await sign_up(c, "cleo@example.com", "Cleo Park")
        assert await _refused(room.ws_url(), room.cookie_headers(cleo)) == 404
        token = await bearer_token(cleo, ["chat"])
        assert await _refused(room.ws_url(), {"Authorization": f"Bearer {token}"}) == 404
    assert await _refused(room.ws_url(channel_id="chn_missing"), room.cookie_headers(room.ben)) == 404


async def test_long_bodies_bad_frames_and_binary_get_error_events_and_keep_the_socket(room):
    async with room.open(room.ben) as ws:
        await next_event(ws, "hello")
        await ws.send(orjson.dumps({"type": "send", "client_id": "a", "body": "x" * 4001}).decode())
        assert (await next_event(ws, "error"))["code"] == "invalid_body"
        await ws.send("{not json")
        assert (await next_event(ws, "error"))["code"] == "invalid_json"
        await ws.send("[1, 2]")
        assert (await next_event(ws, "error"))["code"] == "invalid_json"
        await ws.send(b"\x00\x01")
        assert (await next_event(ws, "error"))["code"] == "binary_not_supported"
        await ws.send('{"type":"dance"}')
        assert (await next_event(ws, "error"))["code"] == "unknown_type"
        await ws.send('{"type":"send","client_id":"has space","body":"x"}')
        assert (await next_event(ws, "error"))["code"] == "invalid_client_id"
        await ws.send(orjson.dumps({"type": "send", "client_id": "b", "body": "y" * 4000}).decode())
        assert (await next_event(ws, "ack"))["seq"] == 1


async def test_frames_over_64_kib_close_1009(room):
    async with room.open(room.ben) as ws:
        await next_event(ws, "hello")
        await ws.send("x" * (64 * 1024 + 1))
        assert await _closed_with(ws) == 1009


async def test_message_rate_gives_errors_and_a_flood_closes_1008(serve):
    async with serve(chat_message_burst=3, chat_messages_per_second=0.1, chat_frame_burst=200,
                     chat_flood_strikes=20) as live, chat_room(live) as room:
        async with room.open(room.ben) as ws:
            await next_event(ws, "hello")
            for i in range(5):
                await ws.send(orjson.dumps({"type": "send", "client_id": f"r{i}", "body": "hi"}).decode())
            replies = [await next_event(ws, "ack", "error") for _ in range(5)]
            assert [r["type"] for r in replies] == ["ack"] * 3 + ["error"] * 2
            assert replies[-1]["code"] == "rate_limited" and replies[-1]["retry_after"] > 0
            for i in range(30):
                await ws.send(orjson.dumps({"type": "send", "client_id": f"f{i}", "body": "spam"}).decode())
            assert await _closed_with(ws) == 1008
        history = await room.ben.client.get(f"/api/v1/channels/{room.channel_id}/messages")
        assert len(history.json()["items"]) == 3


async def test_a_frame_flood_closes_1008(serve):
    async with serve(chat_frame_burst=5, chat_frames_per_second=1, chat_flood_strikes=10) as live, \
            chat_room(live) as room, room.open(room.ben) as ws:
        await next_event(ws, "hello")
        for _ in range(40):
            await ws.send('{"type":"typing"}')
        assert await _closed_with(ws) == 1008


def _tiny_buffer_socket(url: str) -> socket.socket:
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    return sock


async def test_a_client_that_stops_reading_is_closed_1013_and_others_keep_receiving(serve):
    async with serve(chat_send_queue=16, rate_limits_enabled=False) as live, chat_room(live) as room:
        url = room.ws_url()
        async with room.open(room.ana) as healthy, \
                connect(url, sock=_tiny_buffer_socket(url), additional_headers=room.cookie_headers(room.ben),
                        max_queue=4, max_size=None) as slow:
            await next_event(healthy, "hello")
            big = "lorem ipsum " * 330
            total = 0
            while live.app.state.rooms.rooms[room.channel_id].connections != {
                    c for c in live.app.state.rooms.connections() if c.user_id == room.ana.id}:
                await room.post(room.ana, big)
                total += 1
                assert total < 2000, "the slow client was never dropped"
            for _ in range(5):
                await room.post(room.ana, "after the drop")
                total += 1
            got = await messages(healthy, total, within=30)
            assert [m["seq"] for m in got] == list(range(1, total + 1))
            assert await _closed_with(slow, within=20) == 1013


async def test_a_member_removed_from_the_lounge_is_closed_and_cannot_come_back(room):
    async with room.open(room.ben) as ws:
        await next_event(ws, "hello")
        left = await room.ben.client.post(f"/api/v1/lounges/{room.lounge_id}/leave", headers=room.ben.csrf)
        assert left.status_code == 200, left.text
        assert await _closed_with(ws, within=10) == 1008
    assert await _refused(room.ws_url(), room.cookie_headers(room.ben)) == 404


async def test_shutdown_closes_sockets_with_1012(serve):
    async with serve() as live, chat_room(live) as room:
        ws = await room.open(room.ben)
        await next_event(ws, "hello")
        live.server.should_exit = True
        assert await _closed_with(ws) == 1012


class _StalledReader:
    """A client that completes the handshake and then never reads: the server's frames pile up
    in its small receive buffer, then in the server's send queues."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.sock = _tiny_buffer_socket(url)
        self.sock.setblocking(False)
        self.protocol = ClientProtocol(parse_uri(url), max_size=None)
        self.request = self.protocol.connect()
        self.request.headers.update(headers)

    async def handshake(self) -> None:
        """Up to `hello`: from then on the server holds this socket in the room."""
        loop = asyncio.get_running_loop()
        self.protocol.send_request(self.request)
        await loop.sock_sendall(self.sock, b"".join(self.protocol.data_to_send()))
        hello: list = []
        while not hello:
            self.protocol.receive_data(await loop.sock_recv(self.sock, 1024))
            assert self.protocol.handshake_exc is None, self.protocol.handshake_exc
            hello = [e for e in self.protocol.events_received() if isinstance(e, Frame)]
        assert orjson.loads(hello[0].data)["type"] == "hello"

    async def read_to_the_end(self) -> tuple[int, str]:
        """Read everything the server kept for us; the close frame it ended with."""
        loop = asyncio.get_running_loop()
        while self.protocol.close_rcvd is None:
            data = await loop.sock_recv(self.sock, 1 << 16)
            if not data:
                break
            self.protocol.receive_data(data)
            self.protocol.events_received()
        assert self.protocol.close_rcvd is not None, "closed without a close frame"
        return self.protocol.close_rcvd.code, self.protocol.close_rcvd.reason


async def test_a_reader_that_stops_is_closed_1013_by_unsent_bytes_within_5_s(serve):
    """20 messages a second of 2,000 characters: the stalled socket is closed once its unsent
    bytes stay over the mark, long before its send queue of 256 events could fill."""
    async with serve(rate_limits_enabled=False) as live, chat_room(live) as room:
        rooms = live.app.state.rooms
        assert not list(rooms.connections())
        stalled = _StalledReader(room.ws_url(), room.cookie_headers(room.ben))
        async with asyncio.timeout(5):
            await stalled.handshake()
        (stalled_connection,) = rooms.connections()
        async with room.open(room.ben) as healthy:
            await next_event(healthy, "hello")
            body = "lorem ipsum " * 166 + "lorem ip"
            assert len(body) == 2000
            received: list[dict] = []

            async def read_everything() -> None:
                while True:
                    received.append((await next_event(healthy, "message"))["message"])

            reader = asyncio.create_task(read_everything())
            start = time.monotonic()
            posted = 0
            async with asyncio.timeout(10):
                while stalled_connection.close_code is None:
                    await room.post(room.ana, body)
                    posted += 1
                    await asyncio.sleep(max(0.0, start + posted / 20 - time.monotonic()))
            dropped_after = time.monotonic() - start
            print(f"stalled reader closed after {dropped_after:.2f} s and {posted} messages")
            reader.cancel()  # cancelling `recv` loses nothing
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            received += await messages(healthy, posted - len(received), within=10)
            assert [m["seq"] for m in received] == list(range(1, posted + 1))
            assert all(m["body"] == body for m in received)
        assert stalled_connection.close_code == 1013
        async with asyncio.timeout(15):
            code, reason = await stalled.read_to_the_end()
        stalled.sock.close()
        assert (code, reason) == (1013, stalled_connection.close_reason)
        assert dropped_after < 5, f"closed only after {dropped_after:.2f} s"


class _Server:
    """Stands for a server protocol behind the ASGI `send`, keeping `transport` as uvicorn's do."""

    def __init__(self, transport: object) -> None:
        self.transport = transport

    async def send(self, message: dict) -> None:
        raise AssertionError("not called")


async def test_without_a_transport_that_reports_its_buffer_only_the_queue_rule_is_left(
        settings, caplog, monkeypatch):
    monkeypatch.setattr(send_buffer, "_warned", False)
    settings = settings.model_copy(update={"chat_send_queue": 8, "chat_slow_consumer_bytes": 16 * 1024})
    with caplog.at_level(logging.WARNING, "lounge.ws"):
        bare = [bare_connection(settings, server.send) for server in (_Server(None), _Server(object()))]
        bare.append(bare_connection(settings))  # Starlette's own `send`: no protocol behind it
    assert [c.send_buffer for c in bare] == [None, None, None]
    (warning,) = [r for r in caplog.records if r.name == "lounge.ws"]
    assert "send queue" in warning.getMessage()
    connection = bare[0]
    connection._catching_up = False
    for seq in range(1, 9):
        connection.offer(seq, "x" * 20_000)  # far over the byte mark, but nothing measures it
    assert connection.close_code is None and connection.queue is not None and connection.queue.full()
    connection.offer(9, "x")
    assert (connection.close_code, connection.close_reason) == (1013, "too slow; reconnect with after=")
    if connection._writer is not None:
        connection._writer.cancel()
