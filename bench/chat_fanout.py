"""Chat fan-out: Lounge's chat WebSocket (persisting every message; on the embedded SQLite
default, and on PostgreSQL + Redis) against a bare Starlette broadcast room of our own
(`bench/bare_broadcast.py`), in the same run, driven by the same load generator
(`bench/load_chat.py`) in a separate process pinned to the other core.

For N = 100, 500 and 1,000 clients in one channel and S = 10 senders it prints the highest
sustained deliveries/s with p99 < 100 ms (rate doubling, then bisecting), p50/p99 at fixed
rates of 50 and 100 messages/s, each with its ratio to the bare baseline; then server memory
per idle connection with 5,000 idle sockets. BENCH_QUICK=1 runs N = 100 and 500 on SQLite
with short steps and 1,000 idle sockets (about a minute).

Targets: sustained into 500 clients >= 0.8 x bare; p99 < 50 ms at 100 msg/s into 500;
< 40 KiB per idle connection.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import LOAD_CPU, QUICK, ROOT, Server, pinned, start_uvicorn
from tests.databases import POSTGRES_URL, PostgresDatabases, SqliteDatabases

SENDERS = 10
SIZES = (100, 500) if QUICK else (100, 500, 1000)
FIXED_RATES = (50, 100)
STEP_SECONDS = 1.5 if QUICK else 2.0
FIXED_SECONDS = 2.0 if QUICK else 5.0
START_DELIVERIES = 12_500
IDLE = 1000 if QUICK else 5000
PASSWORD = "benchmarks all day"  # noqa: S105 - throwaway accounts in a throwaway database
REDIS_URL = os.environ.get("LOUNGE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def app_env(database_url: str, workdir: Path, redis_url: str | None) -> dict[str, str]:
    env = {"LOUNGE_DATABASE_URL": database_url, "LOUNGE_SECRET_KEY": "bench-secret-0123456789",
           "LOUNGE_DATA_DIR": str(workdir), "LOUNGE_RATE_LIMITS_ENABLED": "false",
           "LOUNGE_BASE_URL": "http://127.0.0.1", "LOUNGE_LOG_LEVEL": "WARNING",
           # Benchmarks raise the per-person chat limits through settings, as the docs say.
           "LOUNGE_CHAT_MESSAGE_BURST": "1000000", "LOUNGE_CHAT_MESSAGES_PER_SECOND": "1000000",
           "LOUNGE_CHAT_FRAME_BURST": "1000000", "LOUNGE_CHAT_FRAMES_PER_SECOND": "1000000",
           "LOUNGE_REDIS_URL": redis_url or "",
           # A serving instance: the outbox worker (webhooks, e-mail) runs in its own instance.
           "LOUNGE_WORKER_ENABLED": "false"}
    return env


def seed(base: str) -> tuple[str, list[str], str]:
    """A host, S senders and one listener in an open lounge; returns (channel, sender tokens,
    listener token)."""
    tokens = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for i in range(SENDERS + 2):
            email = f"bench{i}@example.com"
            client.post("/api/v1/auth/register", json={
                "email": email, "password": PASSWORD, "display_name": f"Bench {i}"}).raise_for_status()
            login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()
            token = client.post("/api/v1/me/tokens", headers={"X-CSRF-Token": login["csrf_token"]}, json={
                "name": "bench", "scopes": ["read", "write", "chat"]}).json()["token"]
            client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": login["csrf_token"]})
            client.cookies.clear()
            tokens.append(token)
        host = {"Authorization": f"Bearer {tokens[0]}"}
        lounge = client.post("/api/v1/lounges", headers=host, json={
            "name": "Benchmark room", "visibility": "open"}).json()
        for token in tokens[1:]:
            client.post(f"/api/v1/lounges/{lounge['id']}/join",
                        headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    return lounge["channel_id"], tokens[1:SENDERS + 1], tokens[SENDERS + 1]


def run_load(job: dict[str, Any]) -> dict[str, Any]:
    command = pinned(LOAD_CPU, [sys.executable, "-m", "bench.load_chat"])
    result = subprocess.run(command, input=json.dumps(job) + "\n", capture_output=True, text=True,
                            cwd=ROOT, check=False)
    for line in result.stderr.splitlines():
        if line.startswith("    "):
            print(line, flush=True)
    for line in result.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"load generator failed:\n{result.stderr[-3000:]}")


def target(server: Server, path: str, headers: list[list[str]]) -> dict[str, Any]:
    host, port = server.base.removeprefix("http://").split(":")
    return {"host": host, "port": int(port), "path": path, "headers": headers,
            "server_pid": server.process.pid}


def fanout(server: Server, path: str, headers: list[list[str]], n: int) -> dict[str, Any]:
    job = {**target(server, path, headers), "n": n, "senders": SENDERS, "fixed": list(FIXED_RATES),
           "fixed_seconds": FIXED_SECONDS, "ramp": True, "step": STEP_SECONDS,
           "start": START_DELIVERIES}
    return run_load(job)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def idle_memory(server: Server, path: str, headers: list[list[str]]) -> float:
    """KiB of server memory per idle connection, after a warm-up of 100 sockets."""
    hold_idle(server, path, headers, 100)
    time.sleep(1.0)
    before = rss_kib(server.process.pid)
    return (hold_idle(server, path, headers, IDLE) - before) / IDLE


def hold_idle(server: Server, path: str, headers: list[list[str]], count: int) -> int:
    """Open `count` idle sockets, wait 3 s, read the server's RSS (KiB), close them."""
    job = {**target(server, path, headers), "idle": count}
    process = subprocess.Popen(pinned(LOAD_CPU, [sys.executable, "-m", "bench.load_chat"]), cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps(job) + "\n")
    process.stdin.flush()
    line = process.stdout.readline()
    if not line.startswith("READY"):
        process.kill()
        raise RuntimeError(f"idle connections failed: {line!r}")
    time.sleep(3.0)
    rss = rss_kib(server.process.pid)
    process.stdin.write("stop\n")
    process.stdin.flush()
    process.wait(60)
    time.sleep(1.0)
    return rss


def row(label: str, result: dict[str, Any], bare: dict[str, Any] | None) -> str:
    sustained = result.get("max_sustained", 0.0)
    parts = [f"  {label:22s} sustained {sustained:9.0f}/s"]
    if bare:
        parts.append(f"({sustained / bare['max_sustained']:.2f}x bare)" if bare.get("max_sustained") else "")
    for fixed, base in zip(result["fixed"], (bare or {}).get("fixed", [None] * len(result["fixed"])),
                           strict=False):
        text = f"| {fixed['msgs_per_s']:.0f} msg/s p50 {fixed['p50_ms']:5.1f} p99 {fixed['p99_ms']:6.1f} ms"
        if base:
            text += f" ({fixed['p99_ms'] / base['p99_ms']:.1f}x)"
        if fixed["delivered"] < 0.995:
            text += f" delivered {fixed['delivered']:.3f}"
        parts.append(text)
    return " ".join(p for p in parts if p)


def app_backends(workdir: Path) -> list[tuple[str, str, str | None, Any]]:
    backends: list[tuple[str, str, str | None, Any]] = []
    sqlite = SqliteDatabases(workdir)
    backends.append(("sqlite", asyncio.run(sqlite.create()), None, None))
    if QUICK:
        return backends
    pg_url = os.environ.get("LOUNGE_DATABASE_URL", "")
    pg_url = pg_url if pg_url.startswith("postgresql") else POSTGRES_URL
    try:
        postgres = PostgresDatabases(pg_url)
    except OSError as exc:
        print(f"PostgreSQL not reachable ({exc}); measuring SQLite only")
        return backends
    backends.append(("postgresql+redis", asyncio.run(postgres.create()), REDIS_URL, postgres))
    return backends


def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # servers and load inherit it
    workdir = Path(tempfile.mkdtemp(prefix="lounge-chat-bench-"))
    print(f"one channel, {SENDERS} senders; server on core 0, load generator on core 1; "
          f"steps of {STEP_SECONDS}s (p99 < 100 ms and 99.5% delivered to pass)", flush=True)
    backends = app_backends(workdir)
    apps = {}
    for name, database_url, redis_url, _ in backends:
        server = start_uvicorn("app.main:create_app", app_env(database_url, workdir, redis_url),
                               workdir / f"{name}.log", factory=True)
        channel, senders, listener = seed(server.base)
        headers = [[f"Authorization: Bearer {t}"] for t in [*senders, listener]]
        apps[name] = (server, f"/api/v1/channels/{channel}/ws", headers)
    results: dict[int, dict[str, Any]] = {}
    try:
        for n in SIZES:
            results[n] = {}
            print(f"\nN = {n}", flush=True)
            bare = start_uvicorn("bench.bare_broadcast:app", {}, workdir / "bare.log")
            try:
                print("  bare starlette", flush=True)
                results[n]["bare"] = fanout(bare, "/ws", [[]] * (SENDERS + 1), n)
            finally:
                bare.stop()
            for name, (server, path, headers) in apps.items():
                print(f"  lounge on {name}", flush=True)
                results[n][name] = fanout(server, path, headers, n)
        memory: dict[str, float] = {}
        print(f"\nidle memory ({IDLE} connections)", flush=True)
        bare = start_uvicorn("bench.bare_broadcast:app", {}, workdir / "bare-idle.log")
        try:
            memory["bare"] = idle_memory(bare, "/ws", [[]])
        finally:
            bare.stop()
        for name, (server, path, headers) in apps.items():
            memory[name] = idle_memory(server, path, [headers[-1]])
    finally:
        for server, _, _ in apps.values():
            server.stop()
        for _, url, _, postgres in backends:
            if postgres is not None:
                asyncio.run(postgres.drop(url))
                postgres.close()

    print("\nsummary: deliveries/s with p99 < 100 ms; latency send->receive at fixed rates")
    for n, by_server in results.items():
        print(f"N = {n}")
        bare = by_server["bare"]
        print(row("bare starlette", bare, None))
        for name in apps:
            print(row(f"lounge {name}", by_server[name], bare))
    print(f"memory per idle connection ({IDLE} idle): " + ", ".join(
        f"{name} {kib:.1f} KiB" for name, kib in memory.items()))
    if 500 in results:
        for name in apps:
            ours, bare = results[500][name], results[500]["bare"]
            ratio = ours.get("max_sustained", 0) / bare["max_sustained"] if bare.get("max_sustained") else 0
            p99 = next((f["p99_ms"] for f in ours["fixed"] if f["msgs_per_s"] == 100), float("nan"))
            print(f"targets on {name}: sustained into 500 = {ratio:.2f}x bare (>= 0.8), "
                  f"p99 at 100 msg/s into 500 = {p99:.1f} ms (< 50), "
                  f"idle = {memory[name]:.1f} KiB (< 40)")


if __name__ == "__main__":
    main()
