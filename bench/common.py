"""Shared benchmark plumbing: free ports, servers pinned to one core, wrk runs and parsing."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("BENCH_QUICK") == "1"
SERVER_CPU = "0"
LOAD_CPU = "1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pinned(cpu: str, command: list[str]) -> list[str]:
    """Pin to one core when the machine has two, so server and load never share a core."""
    if os.cpu_count() and os.cpu_count() > 1 and Path("/usr/bin/taskset").exists():
        return ["taskset", "-c", cpu, *command]
    return command


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_uvicorn(target: str, env: dict[str, str], log: Path, *, factory: bool = False) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
               "--loop", "uvloop", "--http", "httptools", "--ws", "websockets-sansio",
               "--ws-per-message-deflate", "false", "--no-access-log", "--log-level", "warning"]
    if factory:
        command.insert(4, "--factory")
    handle = log.open("w")
    process = subprocess.Popen(pinned(SERVER_CPU, command), cwd=ROOT, env={**os.environ, **env},
                               stdout=handle, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{target} exited: {log.read_text()[-2000:]}")
        try:
            httpx.get(f"{server.base}/healthz", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{target} did not start")


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def _percentile(output: str, label: str) -> float:
    """A latency percentile from wrk's report; infinite when no request completed."""
    match = re.search(label + r"\s+(\d[\d.]*(?:us|ms|s))\b", output)
    return _ms(match.group(1)) if match else float("inf")


FRESH_SCRIPT = Path(__file__).resolve().parent / "fresh.lua"


def run_wrk(url: str, *, headers: dict[str, str], connections: int = 64,
            seconds: int = 10, fresh: bool = False) -> WrkResult:
    """wrk against `url`; with `fresh`, every request gets a query parameter never sent before."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if fresh:
        command[1:1] = ["-s", str(FRESH_SCRIPT)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(pinned(LOAD_CPU, command), capture_output=True, text=True,
                            check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50, p99 = _percentile(output, "50%"), _percentile(output, "99%")
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors += sum(int(g) for g in match.groups())
    return WrkResult(rps, p50, p99, errors)


def ensure_wrk() -> None:
    if subprocess.run(["which", "wrk"], capture_output=True).returncode != 0:
        raise SystemExit("wrk is not installed (make bench installs it from Debian's packages)")


def each_database(workdir: Path) -> Iterator[tuple[str, str]]:
    """A fresh, migrated database on SQLite, then on PostgreSQL when it is reachable (the one
    in `LOUNGE_DATABASE_URL`, else the local test server), as (label, URL); each is dropped
    once the caller moves on."""
    from tests.databases import POSTGRES_URL, PostgresDatabases, SqliteDatabases

    yield "SQLite", asyncio.run(SqliteDatabases(workdir).create())
    pg_url = os.environ.get("LOUNGE_DATABASE_URL", "")
    try:
        postgres = PostgresDatabases(pg_url if pg_url.startswith("postgresql") else POSTGRES_URL)
    except OSError as exc:
        print(f"PostgreSQL not reachable ({exc}); skipped")
        return
    url = asyncio.run(postgres.create())
    try:
        yield "PostgreSQL", url
    finally:
        asyncio.run(postgres.drop(url))
        postgres.close()
