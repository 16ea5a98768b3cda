"""Two app instances behind one PostgreSQL and one Redis: two uvicorn processes on two loopback
ports, one client on each. Messages, edits, reactions and presence cross between them, and a
Redis restart loses nothing."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect

from tests.chat_support import lounge_with
from tests.conftest import DATABASE_URL, REDIS_URL, bearer_token, sign_up
from tests.realtime.conftest import free_port, next_event

pytestmark = [
    pytest.mark.postgres, pytest.mark.redis,
    pytest.mark.skipif(not (DATABASE_URL.startswith("postgresql") and REDIS_URL),
                       reason="needs LOUNGE_DATABASE_URL=postgresql… and LOUNGE_REDIS_URL"),
]


@asynccontextmanager
async def instance(database_url: str, tmp_path) -> AsyncIterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LOUNGE_DATABASE_URL": database_url, "LOUNGE_REDIS_URL": REDIS_URL or "",
           "LOUNGE_SECRET_KEY": "test-secret-key-0123456789", "LOUNGE_BASE_URL": url,
           "LOUNGE_DATA_DIR": str(tmp_path), "LOUNGE_RATE_LIMITS_ENABLED": "false",
           "LOUNGE_WORKER_ENABLED": "false", "LOUNGE_LOG_LEVEL": "WARNING"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--host", "127.0.0.1",
        "--port", str(port), "--ws", "websockets-sansio", "--ws-per-message-deflate", "false",
        "--log-level", "warning", env=env)
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            for _ in range(200):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            else:
                raise RuntimeError("the instance did not start")
        yield url
    finally:
        process.terminate()
        async with asyncio.timeout(20):
            await process.wait()


def _ws(url: str, channel_id: str, token: str, after: int | None = None):
    query = "" if after is None else f"?after={after}"
    return connect(f"{url.replace('http', 'ws', 1)}/api/v1/channels/{channel_id}/ws{query}",
                   additional_headers={"Authorization": f"Bearer {token}"})


def _send(body: str, client_id: str) -> str:
    return orjson.dumps({"type": "send", "client_id": client_id, "body": body}).decode()


@pytest.fixture
async def pair(database_url, tmp_path):
    async with instance(database_url, tmp_path / "a") as a, instance(database_url, tmp_path / "b") as b, \
            httpx.AsyncClient(base_url=a) as ca, httpx.AsyncClient(base_url=b) as cb:
        ana = await sign_up(ca, "ana@example.com", "Ana Lima")
        ben = await sign_up(cb, "ben@example.com", "Ben Okafor")
        lounge = await lounge_with(ana, ben)
        tokens = (await bearer_token(ana, ["read", "chat"]), await bearer_token(ben, ["read", "chat"]))
        yield a, b, ana, ben, lounge["channel_id"], tokens


async def test_messages_edits_reactions_and_presence_cross_instances(pair):
    a, b, ana, ben, channel, (ana_token, ben_token) = pair
    async with _ws(a, channel, ana_token) as on_a:
        await next_event(on_a, "hello")
        async with _ws(b, channel, ben_token) as on_b:
            await next_event(on_b, "hello")
            presence = await next_event(on_a, "presence")
            while ben.id not in {u["id"] for u in presence["joined"]}:
                presence = await next_event(on_a, "presence")
            await on_b.send(_send("from B", "b-1"))
            assert (await next_event(on_b, "ack"))["seq"] == 1
            message = (await next_event(on_a, "message"))["message"]
            assert (message["seq"], message["body"]) == (1, "from B")
            await on_a.send(_send("from A", "a-1"))
            # B's own message may reach B after its ack (it goes round through Redis): skip it.
            echo = (await next_event(on_b, "message"))["message"]
            if echo["seq"] == 1:
                echo = (await next_event(on_b, "message"))["message"]
            assert (echo["seq"], echo["body"]) == (2, "from A")
            await ben.client.patch(f"/api/v1/messages/{message['id']}", headers=ben.csrf,
                                   json={"body": "from B, edited"})
            assert (await next_event(on_a, "message_edited"))["message"]["body"] == "from B, edited"
            await ana.client.put(f"/api/v1/messages/{message['id']}/reactions/%F0%9F%91%8D",
                                 headers=ana.csrf)
            reaction = await next_event(on_b, "reaction")
            assert (reaction["emoji"], reaction["user"]["id"]) == ("👍", ana.id)
            await on_b.send('{"type":"typing"}')
            assert (await next_event(on_a, "typing"))["user"]["id"] == ben.id
        presence = await next_event(on_a, "presence")
        while ben.id not in {u["id"] for u in presence["left"]}:
            presence = await next_event(on_a, "presence")


async def _run(*command: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.DEVNULL)
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode().strip()


async def _redis_restart() -> None:
    await _run("redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave")
    for _ in range(100):
        if (await _run("redis-cli", "-h", "127.0.0.1", "ping"))[0] != 0:
            break
        await asyncio.sleep(0.05)


async def _redis_start() -> None:
    await _run("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
               "--save", "", "--appendonly", "no")
    for _ in range(200):
        if (await _run("redis-cli", "-h", "127.0.0.1", "ping"))[1] == "PONG":
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("redis did not come back")


async def test_a_redis_restart_loses_nothing(pair):
    a, b, ana, ben, channel, (ana_token, ben_token) = pair
    seen: list[int] = []
    async with _ws(a, channel, ana_token) as on_a:
        await next_event(on_a, "hello")
        async with _ws(b, channel, ben_token, after=0) as on_b:
            await next_event(on_b, "hello")
            await on_a.send(_send("before", "x-0"))
            assert (await next_event(on_a, "ack"))["seq"] == 1
            seen.append((await next_event(on_b, "message"))["message"]["seq"])
            await _redis_restart()
            try:
                for i in range(1, 4):  # posted while Redis is down: committed, not published
                    await on_a.send(_send(f"during {i}", f"x-{i}"))
                    assert (await next_event(on_a, "ack"))["seq"] == i + 1
            finally:
                await _redis_start()
            # Instance B resubscribes and reads what it missed from the database.
            for _ in range(3):
                seen.append((await next_event(on_b, "message", within=20))["message"]["seq"])
        # And a client that reconnects with after= gets the rest, once.
        await on_a.send(_send("after", "x-4"))
        await next_event(on_a, "ack")
        async with _ws(b, channel, ben_token, after=seen[-1]) as on_b:
            await next_event(on_b, "hello")
            seen.append((await next_event(on_b, "message"))["message"]["seq"])
            await on_b.send(_send("B is back", "y-1"))
            assert (await next_event(on_a, "message", within=20))["message"]["body"] in ("after", "B is back")
    assert seen == [1, 2, 3, 4, 5]
