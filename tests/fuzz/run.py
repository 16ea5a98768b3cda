"""Schemathesis over every `/api/v1` operation of a real running app.

Starts uvicorn on a free loopback port with a freshly migrated database (SQLite by default,
PostgreSQL when `LOUNGE_DATABASE_URL` says so), signs up an administrator, creates a token
with every scope and a little data for the stateful links to build on, then runs the
schemathesis CLI with a fixed seed, every check and every phase (examples, coverage, fuzzing,
stateful). Passing means: no 5xx; every response matches its declared schema, status, headers
and content type; every request valid by the schema is accepted and every invalid one refused;
an undeclared method answers 405 naming the path's methods; authentication is enforced; a
deleted resource is gone and a created one is there; and no operation was left out.
`tests/fuzz/hooks.py` holds the few rules a schema cannot state (across fields, or against
the clock), so that valid cases keep to them.

    python -m tests.fuzz.run            # the CI budget (about ten minutes)
    FUZZ_EXAMPLES=200 python -m tests.fuzz.run   # dig deeper
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.databases import PostgresDatabases, SqliteDatabases

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("FUZZ_SEED", "20261123"))
CHECKS = "all"
PHASES = "examples,coverage,fuzzing,stateful"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the app exited during start-up")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the app did not start within 30 s")


def seed_data(base: str) -> str:
    """An admin with an all-scope token, and data that stateful links can start from."""
    with httpx.Client(base_url=base, timeout=10) as client:
        client.post("/api/v1/auth/register", json={
            "email": "fuzz@example.com", "password": "fuzzing is fun 2026",
            "display_name": "Fuzz Admin"}).raise_for_status()
        login = client.post("/api/v1/auth/login", json={
            "email": "fuzz@example.com", "password": "fuzzing is fun 2026"})
        login.raise_for_status()
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        token = client.post("/api/v1/me/tokens", headers=csrf, json={
            "name": "fuzzer", "scopes": ["read", "write", "chat", "admin"]})
        token.raise_for_status()
        secret = token.json()["token"]
        auth = {"Authorization": f"Bearer {secret}"}
        lounge = client.post("/api/v1/lounges", headers=auth, json={
            "name": "Fuzz lounge", "description": "Seed data", "tags": ["fuzz"],
            "visibility": "open"})
        if lounge.status_code == 201:
            client.post(f"/api/v1/lounges/{lounge.json()['id']}/sessions", headers=auth, json={
                "title": "Seed session", "description": "", "kind": "chat",
                "starts_at": "2031-03-03T12:00:00Z", "ends_at": "2031-03-03T13:00:00Z",
                "time_zone": "UTC"})
        goal = client.post("/api/v1/goals", headers=auth, json={
            "title": "Seed goal", "why": "Seed data", "weekly_minutes": 30, "visibility": "team"})
        if goal.status_code == 201:
            client.post(f"/api/v1/goals/{goal.json()['id']}/plan", headers=auth, json={
                "kind": "activity", "title": "Seed step"})
            client.post(f"/api/v1/goals/{goal.json()['id']}/checkins", headers=auth, json={
                "note": "Seed check-in", "minutes": 15})
        return secret


def main() -> int:
    database_url = os.environ.get("LOUNGE_DATABASE_URL", "")
    workdir = Path(tempfile.mkdtemp(prefix="lounge-fuzz-"))
    provider = (PostgresDatabases(database_url) if database_url.startswith("postgresql")
                else SqliteDatabases(workdir))
    url = asyncio.run(provider.create())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LOUNGE_DATABASE_URL": url, "LOUNGE_BASE_URL": base,
           "LOUNGE_SECRET_KEY": "fuzz-secret-key-0123456789", "LOUNGE_DATA_DIR": str(workdir),
           "LOUNGE_RATE_LIMIT_READS": "1000000/minute", "LOUNGE_RATE_LIMIT_WRITES": "1000000/minute",
           "LOUNGE_WEBHOOK_ALLOWLIST": ""}
    log = (workdir / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--ws", "websockets-sansio", "--no-access-log"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(base, server)
        secret = seed_data(base)
        command = [
            str(Path(sys.executable).with_name("schemathesis")), "run", f"{base}/openapi.json",
            "--header", f"Authorization: Bearer {secret}",
            "--checks", CHECKS, "--phases", PHASES, "--max-examples", str(EXAMPLES), "--seed", str(SEED),
            "--include-path-regex", "^/api/v1/", "--workers", "1", "--no-color",
            "--generation-database", "none", "--request-timeout", "10",
            # The hooks drop the valid-looking cases a schema cannot rule out (sessions in the
            # past, longer than 12 hours...), which is most of them for a few operations.
            "--suppress-health-check", "filter_too_much",
        ]
        print(f"schemathesis: every check and phase, {EXAMPLES} examples per operation, seed {SEED}",
              flush=True)
        hooks = {"SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", "PYTHONPATH": str(ROOT)}
        result = subprocess.run(command, cwd=ROOT, env={**os.environ, **hooks}, check=False)
        if result.returncode != 0:
            print("--- app log (tail) ---")
            print((workdir / "server.log").read_text()[-5000:])
        return result.returncode
    finally:
        server.terminate()
        server.wait(10)
        log.close()
        asyncio.run(provider.drop(url))
        provider.close()


if __name__ == "__main__":
    raise SystemExit(main())
