"""A private `redis-server` for tests that stop and start Redis: a process of its own on a free
loopback port, without persistence, so the shared Redis of the other suites is never touched.
Under CI a missing binary fails the test; elsewhere it skips."""

from __future__ import annotations

import asyncio
import shutil
import socket
import time
from collections.abc import Awaitable, Callable

from tests.databases import service_missing

START_WITHIN = 5.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _answers_ping(port: int) -> bool:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    try:
        writer.write(b"PING\r\n")
        await writer.drain()
        return (await reader.readline()).startswith(b"+PONG")
    except OSError:
        return False
    finally:
        writer.close()


class RedisServer:
    """`await start()`, `await stop()` (a kill, as a crash would be), `await start()` again on the
    same port."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            service_missing("redis-server", FileNotFoundError("no redis-server on PATH"))
        self.binary = binary
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
            "--appendonly", "no", stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL)
        async with asyncio.timeout(START_WITHIN):
            while not await _answers_ping(self.port):
                if self._process.returncode is not None:
                    raise RuntimeError(f"redis-server exited with {self._process.returncode}")
                await asyncio.sleep(0.02)

    async def stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            async with asyncio.timeout(START_WITHIN):
                await self._process.wait()
        self._process = None


async def until(check: Callable[[], Awaitable[bool]], *, within: float = 5.0,
                every: float = 0.1) -> float:
    """Poll `check` until it holds; the seconds it took (a TimeoutError after `within`)."""
    started = time.monotonic()
    async with asyncio.timeout(within):
        while True:
            if await check():
                return time.monotonic() - started
            await asyncio.sleep(every)
