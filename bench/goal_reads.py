"""The goals reads, on SQLite and on PostgreSQL, against two baselines measured in the same run:
a bare Starlette endpoint answering the same JSON from memory, and a plain FastAPI route
reading the same 20 goals through SQLAlchemy async (what someone would write instead).

wrk, 64 connections, the server on one core and wrk on the other. Every request carries a
query parameter never sent before (`bench/fresh.lua`), so nothing can be answered from a
memory of an identical request. Measured: `GET /api/v1/goals?owner=me` (20 goals),
`GET /api/v1/goals/{id}`, `GET /api/v1/goals/{id}/plan`, `GET /api/v1/team` (5 reports with 4
shared goals each), and the pages `/goals` and `/goals/{id}` with a signed-in cookie.
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
PASSWORD = "benchmarks all day"  # noqa: S105 - a bench account
CONTRACT = {
    "why": "Reviews wait for the two seniors; the team ships faster when anyone can lead one.",
    "where_i_am": "I take notes in reviews but have **never led** one.",
    "where_i_want_to_be": "I lead a review of a mid-sized change and the team acts on it.",
    "how_i_will_get_there": "Shadow two reviews, read the guide, co-lead one in March.",
    "how_i_will_know": "I have led one review alone and two people say it was useful.",
    "skills": ["facilitation", "system design"], "weekly_minutes": 90,
}


def _sign_up(client: httpx.Client, email: str, name: str) -> tuple[str, dict[str, str], str]:
    """Registers and signs in; returns the user id, CSRF header and session cookie."""
    client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD,
                                               "display_name": name}).raise_for_status()
    login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    login.raise_for_status()
    cookie = "; ".join(f"{k}={v}" for k, v in login.cookies.items())
    return login.json()["user"]["id"], {"X-CSRF-Token": login.json()["csrf_token"]}, cookie


def seed(base: str) -> dict[str, str]:
    """A manager with 20 goals of their own (5 plan items and 3 check-ins each) and 5 reports
    sharing 4 goals each; returns the manager's token, cookie, id and one goal id."""
    with httpx.Client(base_url=base, timeout=30) as client:
        manager_id, csrf, cookie = _sign_up(client, "bench@example.com", "Bench Manager")
        token = client.post("/api/v1/me/tokens", headers=csrf, json={
            "name": "bench", "scopes": ["read", "write"]}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        goal_id = ""
        for n in range(20):
            goal = client.post("/api/v1/goals", headers=auth, json={
                "title": f"Goal {n:02d}: lead a design review", "visibility": "team", **CONTRACT})
            goal.raise_for_status()
            goal_id = goal.json()["id"]
            for step in range(5):
                client.post(f"/api/v1/goals/{goal_id}/plan", headers=auth, json={
                    "kind": "resource", "title": f"Read chapter {step}",
                    "url": f"https://books.example.com/reviews/{step}"}).raise_for_status()
            for week in range(3):
                client.post(f"/api/v1/goals/{goal_id}/checkins", headers=auth, json={
                    "note": f"Week {week}: shadowed a review.", "minutes": 45}).raise_for_status()
    for r in range(5):
        with httpx.Client(base_url=base, timeout=30) as report:
            _id, report_csrf, _cookie = _sign_up(report, f"report{r}@example.com", f"Report {r}")
            report.patch("/api/v1/me", headers=report_csrf,
                         json={"manager_id": manager_id}).raise_for_status()
            for n in range(4):
                report.post("/api/v1/goals", headers=report_csrf, json={
                    "title": f"Report {r} goal {n}", "visibility": "team", **CONTRACT}).raise_for_status()
    return {"token": token, "cookie": cookie, "manager_id": manager_id, "goal_id": goal_id}


def routes(seeded: dict[str, str]) -> list[tuple[str, str, dict[str, str]]]:
    bearer = {"Authorization": f"Bearer {seeded['token']}"}
    cookie = {"Cookie": seeded["cookie"]}
    goal = seeded["goal_id"]
    return [
        ("GET /api/v1/goals?owner=me", "/api/v1/goals?owner=me&limit=20", bearer),
        ("GET /api/v1/goals/{id}", f"/api/v1/goals/{goal}", bearer),
        ("GET /api/v1/goals/{id}/plan", f"/api/v1/goals/{goal}/plan", bearer),
        ("GET /api/v1/team", "/api/v1/team", bearer),
        ("page /goals", "/goals", cookie),
        ("page /goals/{id}", f"/goals/{goal}", cookie),
    ]


def measure(backend: str, database_url: str, workdir: Path) -> dict[str, list[tuple[float, float]]]:
    env = {"LOUNGE_DATABASE_URL": database_url, "LOUNGE_SECRET_KEY": "bench-secret-0123456789",
           "LOUNGE_DATA_DIR": str(workdir), "LOUNGE_RATE_LIMITS_ENABLED": "false",
           "LOUNGE_BASE_URL": "http://127.0.0.1", "LOUNGE_WORKER_ENABLED": "false",
           "LOUNGE_LOG_LEVEL": "WARNING"}
    env.pop("LOUNGE_REDIS_URL", None)
    app = start_uvicorn("app.main:create_app", env, workdir / f"{backend}-goals-app.log", factory=True)
    figures: dict[str, list[tuple[float, float]]] = {}
    try:
        seeded = seed(app.base)
        measured = []
        for name, path, headers in routes(seeded):
            status = httpx.get(app.base + path, headers=headers).status_code
            if status != 200:
                print(f"  {name}: answers {status}; not measured")
                continue
            measured.append((name, path, headers))
        body = httpx.get(app.base + "/api/v1/goals?owner=me&limit=20",
                         headers={"Authorization": f"Bearer {seeded['token']}"}).content
        (workdir / "goals.json").write_bytes(body)
        for _ in range(ROUNDS):
            for name, path, headers in measured:
                run_wrk(app.base + path, headers=headers, seconds=2, fresh=True)
                result = run_wrk(app.base + path, headers=headers, seconds=SECONDS, fresh=True)
                if result.errors:
                    print(f"  warning: {result.errors} failed requests against {name}")
                figures.setdefault(name, []).append((result.requests_per_second, result.p99_ms))
            for name, target, extra in (
                    ("plain FastAPI + SQLAlchemy", "bench.plain_goals:app",
                     {"PLAIN_DATABASE_URL": database_url, "PLAIN_OWNER_ID": seeded["manager_id"]}),
                    ("bare Starlette", "bench.bare_json:app",
                     {"BARE_BODY_FILE": str(workdir / "goals.json")})):
                baseline = start_uvicorn(target, extra, workdir / f"{backend}-baseline.log")
                try:
                    run_wrk(f"{baseline.base}/goals", headers={}, seconds=2, fresh=True)
                    result = run_wrk(f"{baseline.base}/goals", headers={}, seconds=SECONDS, fresh=True)
                finally:
                    baseline.stop()
                figures.setdefault(name, []).append((result.requests_per_second, result.p99_ms))
            print("  round: " + " | ".join(f"{name} {runs[-1][0]:.0f}/s" for name, runs in figures.items()),
                  flush=True)
    finally:
        app.stop()
    return figures


def report(backend: str, figures: dict[str, list[tuple[float, float]]]) -> None:
    plain = [rps for rps, _p99 in figures["plain FastAPI + SQLAlchemy"]]
    bare = [rps for rps, _p99 in figures["bare Starlette"]]
    print(f"\n{backend} (medians of {ROUNDS} rounds; ratios per round, then the median)")
    print(f"  {'read':32s} {'req/s':>8s} {'p99 ms':>8s} {'x plain':>8s} {'x bare':>8s}")
    for name, runs in figures.items():
        rps = statistics.median(r for r, _p in runs)
        p99 = statistics.median(p for _r, p in runs)
        x_plain = statistics.median(r / b for (r, _p), b in zip(runs, plain, strict=True))
        x_bare = statistics.median(r / b for (r, _p), b in zip(runs, bare, strict=True))
        print(f"  {name:32s} {rps:8.0f} {p99:8.1f} {x_plain:8.2f} {x_bare:8.2f}")


def main() -> None:
    ensure_wrk()
    print(f"goals reads, fresh query parameter on every request, 64 connections, "
          f"{SECONDS} s x {ROUNDS} rounds")
    workdir = Path(tempfile.mkdtemp(prefix="lounge-bench-goals-"))
    summary = {}
    for label, url in each_database(workdir):
        print(f"{label}:")
        summary[label] = measure(label.lower(), url, workdir)
    for backend, figures in summary.items():
        report(backend, figures)


if __name__ == "__main__":
    main()
