"""The WebSocket half of the authorization matrix, against the real app under uvicorn: per
actor, opening the private lounge's chat socket and sending on it, and editing and deleting
its messages (the protocol does those over HTTP only, so they are tried over HTTP against the
same server, with a connected socket watching for the event). And what a connected member
gets once they leave a private lounge: no further message, and their sockets closed within
5 seconds. The socket routes are read from the app, so a new one without rows fails.

Outcomes: `ok` (connect: the handshake is accepted and `hello` arrives; send: `ack` arrives and
the message is stored; edit/delete: a 2xx and the `message_edited` / `message_deleted` event
on a watching socket); `401`, `403`, `404`: the handshake (or the HTTP request) is refused
with that status before any socket is accepted, and for `send` on an accepted socket, `403`
is the `error` event with code `forbidden`. Every refusal leaves the database unchanged.
Cookie handshakes send `Origin` equal to the server's own address. The actors are those of
`matrix_world.py`; TOKEN names the too-few-scopes token each action is tried with.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
import pytest_asyncio
from fastapi import routing
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.main import create_app
from tests.realtime.conftest import Live, live_server
from tests.security.matrix_world import ACTORS, World, build_world, matrix_settings
from tests.security.snapshot import database_fingerprint

pytestmark = pytest.mark.asyncio(loop_scope="module")

SOCKET_ROUTE = "/api/v1/channels/{channel_id}/ws"
SOCKET_POLICY = """
ACTION  TOKEN  anon mem  non  host mod  adv  adm  fmr  few  rvk
connect write  401  ok   404  ok   ok   404  404  404  403  401
send    read   401  ok   404  ok   ok   404  404  404  403  401
edit    read   401  ok   404  403  403  404  404  404  403  401
delete  read   401  ok   404  ok   ok   404  404  404  403  401
"""
EVENT_WITHIN = 10  # seconds; a generous bound for an event that must come
REMOVAL_CLOSES_WITHIN = 5  # seconds, the promise under test
_client_ids = itertools.count(1)


def parse_socket_policy(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    rows = {}
    for line in text.strip().splitlines()[1:]:
        action, token, *outcomes = line.split()
        assert len(outcomes) == len(ACTORS), action
        rows[action] = (token, dict(zip(ACTORS, outcomes, strict=True)))
    return rows


RULES = parse_socket_policy(SOCKET_POLICY)
CELLS = [(action, actor) for action in RULES for actor in ACTORS]


def socket_routes() -> list[str]:
    app = create_app(Settings(database_url="sqlite+aiosqlite://", secret_key="x"))
    return sorted(context.path_format for context in routing.iter_route_contexts(app.routes)
                  if isinstance(context.original_route, routing.APIWebSocketRoute))


async def test_every_socket_route_has_a_policy():
    assert socket_routes() == [SOCKET_ROUTE], "a new WebSocket route needs rows in this matrix"


@dataclass
class SocketWorld:
    live: Live
    world: World
    sessions: Any

    def ws_url(self, channel_id: str) -> str:
        return f"{self.live.ws_base}/api/v1/channels/{channel_id}/ws"

    def socket_headers(self, actor: str, token: str | None) -> dict[str, str]:
        headers = self.world.credentials(actor, token=token)
        headers.pop("X-CSRF-Token", None)
        if "Cookie" in headers:
            headers["Origin"] = self.live.url
        return headers

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.live.url)

    async def fingerprint(self) -> dict[str, str]:
        async with self.sessions() as db:
            return await database_fingerprint(db)

    async def post_as(self, actor: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self.http() as client:
            response = await client.post(path, json=body, headers=self.world.credentials(actor))
        assert response.status_code in (200, 201), response.text
        return response.json()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sockets(databases, tmp_path_factory):
    url = await databases.create()
    settings = matrix_settings(url, tmp_path_factory.mktemp("sockets"))
    engine = make_engine(settings)
    async with live_server(settings) as live:
        world = await build_world(lambda: httpx.AsyncClient(base_url=live.url), live.app.state.settings)
        yield SocketWorld(live, world, make_sessionmaker(engine))
    await engine.dispose()
    await databases.drop(url)


async def next_event(ws: ClientConnection, *types: str) -> dict[str, Any]:
    async with asyncio.timeout(EVENT_WITHIN):
        while True:
            event = orjson.loads(await ws.recv())
            if event["type"] in types:
                return event


async def open_socket(sw: SocketWorld, actor: str, channel_id: str,
                      token: str | None = None) -> ClientConnection | int:
    """An accepted socket (after its `hello`), or the status that refused the handshake."""
    try:
        ws = await connect(sw.ws_url(channel_id), additional_headers=sw.socket_headers(actor, token))
    except InvalidStatus as exc:
        return exc.response.status_code
    await next_event(ws, "hello")
    return ws


async def try_connect(sw: SocketWorld, actor: str, token: str) -> str:
    ws = await open_socket(sw, actor, sw.world.private["channel_id"], token)
    if isinstance(ws, int):
        return str(ws)
    await ws.close()
    return "ok"


async def try_send(sw: SocketWorld, actor: str, token: str) -> str:
    ws = await open_socket(sw, actor, sw.world.private["channel_id"], token)
    if isinstance(ws, int):
        return str(ws)
    client_id = f"cell-{next(_client_ids)}"
    try:
        frame = {"type": "send", "client_id": client_id, "body": "over the socket"}
        await ws.send(orjson.dumps(frame).decode())
        event = await next_event(ws, "ack", "error")
    finally:
        await ws.close()
    if event["type"] == "error":
        assert event["code"] == "forbidden", event
        return "403"
    assert event["client_id"] == client_id
    return "ok"


async def try_change(sw: SocketWorld, actor: str, token: str, action: str) -> str:
    """Edit or delete a message the member has just posted, while the host's socket watches."""
    world = sw.world
    channel_id = world.private["channel_id"]
    message = await sw.post_as("member", f"/api/v1/channels/{channel_id}/messages", {"body": "change me"})
    watcher = await open_socket(sw, "host", channel_id)
    assert not isinstance(watcher, int)
    before = await sw.fingerprint()
    try:
        async with sw.http() as client:
            headers = world.credentials(actor, "chat", token=token)
            if action == "edit":
                response = await client.patch(f"/api/v1/messages/{message['id']}", headers=headers,
                                              json={"body": "changed"})
            else:
                response = await client.delete(f"/api/v1/messages/{message['id']}", headers=headers)
        if response.status_code >= 400:
            assert await sw.fingerprint() == before, "a refused change changed the database"
            return str(response.status_code)
        event = await next_event(watcher, "message_edited" if action == "edit" else "message_deleted")
        assert (event.get("message_id") or event["message"]["id"]) == message["id"], event
        return "ok"
    finally:
        await watcher.close()


@pytest.mark.parametrize(("action", "actor"), CELLS, ids=[f"{actor}-{action}" for action, actor in CELLS])
async def test_socket_cell(sockets: SocketWorld, action: str, actor: str):
    token, outcomes = RULES[action]
    expected = outcomes[actor]
    if action in ("edit", "delete"):
        outcome = await try_change(sockets, actor, token, action)
        assert outcome == expected
        return
    before = await sockets.fingerprint()
    outcome = await (try_connect if action == "connect" else try_send)(sockets, actor, token)
    assert outcome == expected
    if expected != "ok":
        assert await sockets.fingerprint() == before, "a refused socket action changed the database"


async def test_a_member_who_leaves_hears_nothing_more_and_is_disconnected(sockets: SocketWorld):
    """The member is connected to a private lounge's chat and to its session's chat, leaves the
    lounge, and the host posts in both at once: the member receives neither message, and both
    sockets are closed (1008) within 5 seconds."""
    world = sockets.world
    lounge = await sockets.post_as("host", "/api/v1/lounges",
                                   {"name": "Leaving room", "visibility": "private"})
    await sockets.post_as("host", f"/api/v1/lounges/{lounge['id']}/invites",
                          {"user_id": world.people["member"].id})
    session = await sockets.post_as("host", f"/api/v1/lounges/{lounge['id']}/sessions", {
        "title": "Leaving talk", "time_zone": "UTC", "starts_at": "2031-06-02T12:00:00+00:00",
        "ends_at": "2031-06-02T13:00:00+00:00"})
    channels = [lounge["channel_id"], session["channel_id"]]
    mine = [await open_socket(sockets, "member", channel) for channel in channels]
    hosts = [await open_socket(sockets, "host", channel) for channel in channels]
    assert not any(isinstance(ws, int) for ws in mine + hosts)

    await sockets.post_as("member", f"/api/v1/lounges/{lounge['id']}/leave", {})
    posted = [await sockets.post_as("host", f"/api/v1/channels/{channel}/messages",
                                    {"body": "after you left"}) for channel in channels]
    for ws, message in zip(hosts, posted, strict=True):
        assert (await next_event(ws, "message"))["message"]["id"] == message["id"]
        await ws.close()

    for ws in mine:
        received = []
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(REMOVAL_CLOSES_WITHIN):
                while True:
                    received.append(orjson.loads(await ws.recv()))
        assert [e for e in received if e["type"] == "message"] == []
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
