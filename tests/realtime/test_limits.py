"""The chat WebSocket's limits and refusals: Origin and membership checks before accept, body
and frame sizes, rates and floods, bad frames, slow consumers, removal and shutdown."""

from __future__ import annotations

import asyncio
import socket

import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.conftest import bearer_token, sign_up
from tests.realtime.conftest import chat_room, messages, next_event


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
