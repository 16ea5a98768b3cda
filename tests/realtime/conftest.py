"""A real uvicorn (websockets-sansio) serving the app on a free loopback port, in the test's
own event loop, and WebSocket clients that speak the chat protocol through `websockets`."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect

from app.config import Settings
from app.main import create_app
from app.realtime.connection import Connection
from app.realtime.server_send import SCOPE_KEY as SERVER_SEND
from app.schemas.chat import Author
from tests.chat_support import lounge_with
from tests.conftest import Account, sign_up


def bare_connection(settings: Settings, server_send: Callable[..., Any] | None = None) -> Connection:
    """A `Connection` outside any server, for unit tests (`server_send` stands for the server's
    own ASGI `send`, when the test needs one)."""
    rooms = SimpleNamespace(settings=settings, instance="test")
    websocket = SimpleNamespace(scope={} if server_send is None else {SERVER_SEND: server_send}, send=None)
    return Connection(websocket, rooms=rooms, author=Author(id="usr_1", display_name="Ana"),  # type: ignore[arg-type]
                      access=SimpleNamespace(channel_id="chn_1"), can_send=True, after=None)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Live:
    url: str
    app: FastAPI
    server: uvicorn.Server

    @property
    def ws_base(self) -> str:
        return self.url.replace("http://", "ws://", 1)


@asynccontextmanager
async def live_server(settings: Settings, *, ws_per_message_deflate: bool = False,
                      **overrides: Any) -> AsyncIterator[Live]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(settings.model_copy(update={"base_url": url, **overrides}))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, ws="websockets-sansio",
                            ws_per_message_deflate=ws_per_message_deflate, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield Live(url, app, server)
    finally:
        server.should_exit = True
        await task


@pytest.fixture
def serve(settings: Settings) -> Callable[..., Any]:
    """`async with serve(**setting_overrides) as live:` runs the app on a real port
    (`ws_per_message_deflate=True` lets clients negotiate compression)."""
    return lambda **overrides: live_server(settings, **overrides)


@dataclass
class Room:
    live: Live
    channel_id: str
    lounge_id: str
    ana: Account
    ben: Account

    def ws_url(self, after: int | None = None, channel_id: str | None = None) -> str:
        url = f"{self.live.ws_base}/api/v1/channels/{channel_id or self.channel_id}/ws"
        return url if after is None else f"{url}?after={after}"

    def cookie_headers(self, account: Account, origin: str | None = "own") -> dict[str, str]:
        headers = {"Cookie": f"lounge_session={account.client.cookies.get('lounge_session')}"}
        if origin == "own":
            headers["Origin"] = self.live.url
        elif origin is not None:
            headers["Origin"] = origin
        return headers

    def open(self, account: Account, after: int | None = None, **kwargs: Any):
        return connect(self.ws_url(after), additional_headers=self.cookie_headers(account), **kwargs)

    async def post(self, account: Account, body: str, **extra: Any) -> dict:
        response = await account.client.post(f"/api/v1/channels/{self.channel_id}/messages",
                                              headers=account.csrf, json={"body": body, **extra})
        assert response.status_code == 201, response.text
        return response.json()


@asynccontextmanager
async def chat_room(live: Live) -> AsyncIterator[Room]:
    """Ana hosts a private lounge that Ben belongs to; both signed in over real HTTP."""
    async with httpx.AsyncClient(base_url=live.url) as a, httpx.AsyncClient(base_url=live.url) as b:
        ana = await sign_up(a, "ana@example.com", "Ana Lima")
        ben = await sign_up(b, "ben@example.com", "Ben Okafor")
        lounge = await lounge_with(ana, ben)
        yield Room(live, lounge["channel_id"], lounge["id"], ana, ben)


@pytest.fixture
async def room(serve) -> AsyncIterator[Room]:
    async with serve() as live, chat_room(live) as r:
        yield r


async def next_event(ws: ClientConnection, *types: str, within: float = 10) -> dict:
    """The next event (of one of `types`, skipping others such as presence and typing)."""
    async with asyncio.timeout(within):
        while True:
            event = orjson.loads(await ws.recv())
            if not types or event["type"] in types:
                return event


async def messages(ws: ClientConnection, count: int, within: float = 20) -> list[dict]:
    return [(await next_event(ws, "message", within=within))["message"] for _ in range(count)]
