"""`GET /api/v1/lounges` (20 lounges, bearer token) on SQLite and on PostgreSQL, against a bare
Starlette endpoint returning the same JSON from memory, measured in the same run with wrk
(64 connections; server on one core, wrk on the other).

Target: Lounge at least 0.3 × the bare baseline's requests/s, with p99 under 50 ms.

Lounge answers a repeated directory read from memory (see `app/services/lounge_directory.py`);
each round also measures it with that memory off, so the cost of the query path (one query
per page) is on record too.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

import httpx

from bench.common import QUICK, each_database, ensure_wrk, run_wrk, start_uvicorn

SECONDS = 3 if QUICK else 10
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1" if QUICK else "3"))
CONNECTIONS = 64


def seed(base: str) -> str:
    """An account, an all-read token and 20 lounges; returns the token."""
    with httpx.Client(base_url=base, timeout=30) as client:
        client.post("/api/v1/auth/register", json={
            "email": "bench@example.com", "password": "benchmarks all day",
            "display_name": "Bench"}).raise_for_status()
        login = client.post("/api/v1/auth/login", json={
            "email": "bench@example.com", "password": "benchmarks all day"}).json()
        csrf = {"X-CSRF-Token": login["csrf_token"]}
        secret = client.post("/api/v1/me/tokens", headers=csrf, json={
            "name": "bench", "scopes": ["read", "write"]}).json()["token"]
        for n in range(20):
            client.post("/api/v1/lounges", headers={"Authorization": f"Bearer {secret}"}, json={
                "name": f"Lounge {n:02d} on reading papers together",
                "description": "We pick one paper a week and **discuss** it over lunch.",
                "tags": ["papers", "reading"], "visibility": "open"}).raise_for_status()
        return secret


def measure(backend: str, database_url: str, workdir: Path) -> list[tuple[float, ...]]:
    env = {"LOUNGE_DATABASE_URL": database_url, "LOUNGE_SECRET_KEY": "bench-secret-0123456789",
           "LOUNGE_DATA_DIR": str(workdir), "LOUNGE_RATE_LIMITS_ENABLED": "false",
           "LOUNGE_BASE_URL": "http://127.0.0.1", "LOUNGE_WORKER_ENABLED": "false",
           "LOUNGE_LOG_LEVEL": "WARNING"}
    env.pop("LOUNGE_REDIS_URL", None)
    app = start_uvicorn("app.main:create_app", env, workdir / f"{backend}-app.log", factory=True)
    try:
        token = seed(app.base)
        headers = {"Authorization": f"Bearer {token}"}
        body = httpx.get(f"{app.base}/api/v1/lounges?limit=20", headers=headers).content
    except Exception:
        app.stop()
        raise
    body_file = workdir / "body.json"
    body_file.write_bytes(body)
    app.stop()
    results = []
    for _ in range(ROUNDS):  # interleaved: Lounge, Lounge without the memory, bare, in every round
        ours = wrk_app(env, headers, workdir / f"{backend}-app.log")
        uncached = wrk_app({**env, "LOUNGE_DIRECTORY_CACHE_SECONDS": "0"}, headers,
                           workdir / f"{backend}-uncached.log")
        bare = start_uvicorn("bench.bare_json:app", {"BARE_BODY_FILE": str(body_file)},
                             workdir / "bare.log")
        try:
            run_wrk(f"{bare.base}/api/v1/lounges", headers={}, seconds=2)
            base = run_wrk(f"{bare.base}/api/v1/lounges", headers=headers, seconds=SECONDS)
        finally:
            bare.stop()
        for name, result in (("Lounge", ours), ("Lounge without the memory", uncached)):
            if result.errors:
                print(f"  warning: {result.errors} failed requests against {name}")
        results.append((ours.requests_per_second, ours.p99_ms, base.requests_per_second, base.p99_ms,
                        uncached.requests_per_second, uncached.p99_ms))
        print(f"  round: lounge {ours.requests_per_second:8.0f} req/s p50 {ours.p50_ms:5.1f} ms "
              f"p99 {ours.p99_ms:6.1f} ms | bare {base.requests_per_second:8.0f} req/s "
              f"p99 {base.p99_ms:5.1f} ms | ratio {ours.requests_per_second / base.requests_per_second:.2f}"
              f" | without memory {uncached.requests_per_second:6.0f} req/s p99 {uncached.p99_ms:6.1f} ms",
              flush=True)
    return results


def wrk_app(env: dict[str, str], headers: dict[str, str], log: Path):
    app = start_uvicorn("app.main:create_app", env, log, factory=True)
    try:
        run_wrk(f"{app.base}/api/v1/lounges?limit=20", headers=headers, seconds=2)
        return run_wrk(f"{app.base}/api/v1/lounges?limit=20", headers=headers, seconds=SECONDS)
    finally:
        app.stop()


def report(backend: str, results: list[tuple[float, ...]]) -> None:
    ratio = statistics.median(r[0] / r[2] for r in results)
    print(f"{backend:10s} lounge {statistics.median(r[0] for r in results):8.0f} req/s "
          f"(p99 {statistics.median(r[1] for r in results):5.1f} ms)  bare "
          f"{statistics.median(r[2] for r in results):8.0f} req/s (p99 "
          f"{statistics.median(r[3] for r in results):5.1f} ms)  ratio {ratio:.2f} "
          f"[target >= 0.30, p99 < 50 ms]; without the memory "
          f"{statistics.median(r[4] for r in results):6.0f} req/s (p99 "
          f"{statistics.median(r[5] for r in results):5.1f} ms, ratio "
          f"{statistics.median(r[4] / r[2] for r in results):.2f})")


def main() -> None:
    ensure_wrk()
    print(f"GET /api/v1/lounges, 20 items, bearer token, {CONNECTIONS} connections, "
          f"{SECONDS} s x {ROUNDS} rounds")
    summary = {}
    workdir = Path(tempfile.mkdtemp(prefix="lounge-bench-"))
    for label, url in each_database(workdir):
        print(f"{label}:")
        summary[label.lower()] = measure(label.lower(), url, workdir)
    print("\nsummary (medians):")
    for backend, results in summary.items():
        report(backend, results)


if __name__ == "__main__":
    main()
