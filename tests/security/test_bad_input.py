"""The bad-input corpus: each hostile request gets its documented 4xx quickly (never a 500,
never a hang) and leaves the database exactly as it was. Add a row for every new input."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.models import OutboxJob
from app.schemas.goals import GoalPublic
from tests.security.snapshot import database_fingerprint

PASSWORD = "correct horse battery"
HANG_LIMIT_SECONDS = 5  # a generous guard against hangs; real answers take milliseconds


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    status: int
    json: Any = None
    content: bytes | None = None
    data: Any = None
    files: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    auth: bool = True  # send as the signed-in admin (cookie + CSRF token)


def reg(**overrides: Any) -> dict[str, Any]:
    return {"email": "new@example.com", "password": PASSWORD, "display_name": "New", **overrides}


def session(**overrides: Any) -> dict[str, Any]:
    return {"title": "Lunch and learn", "kind": "lunch_and_learn", "starts_at": "2031-03-04T12:30:00",
            "ends_at": "2031-03-04T13:15:00", "time_zone": "Europe/London", **overrides}


SESSIONS = "/api/v1/lounges/{lounge}/sessions"
GOALS = "/api/v1/goals"
GOAL = "/api/v1/goals/{goal}"
PAST = (date.today() - timedelta(days=2)).isoformat()


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


JSON = {"content-type": "application/json"}

CASES = [
    # Sizes and framing
    Case("2 MB JSON body", "POST", "/api/v1/auth/register", 413, content=b'{"x":"' + b"a" * 2_000_000 + b'"}', headers=JSON, auth=False),
    Case("declared 1 TB body", "POST", "/api/v1/auth/register", 413, content=b"{}", headers={**JSON, "content-length": "1000000000000"}, auth=False),
    Case("1 MB title in a token name", "POST", "/api/v1/me/tokens", 413, json={"name": "t" * 1_100_000, "scopes": ["read"]}),
    Case("1 MB password", "POST", "/api/v1/auth/register", 413, json=reg(password="p" * 1_100_000), auth=False),
    Case("100 kB password", "POST", "/api/v1/auth/register", 422, json=reg(password="p" * 100_000), auth=False),
    Case("100 kB display name", "PATCH", "/api/v1/me", 422, json={"display_name": "d" * 100_000}),
    Case("deeply nested JSON", "POST", "/api/v1/auth/register", 422, content=nested(20_000), headers=JSON, auth=False),
    Case("nested JSON in a field", "PATCH", "/api/v1/me", 422, content=b'{"bio":' + nested(5_000) + b"}", headers=JSON),
    Case("JSON array body", "POST", "/api/v1/auth/login", 422, json=[1, 2, 3], auth=False),
    Case("JSON string body", "POST", "/api/v1/auth/login", 422, json="hello", auth=False),
    Case("truncated JSON", "POST", "/api/v1/auth/login", 422, content=b'{"email": "a@', headers=JSON, auth=False),
    Case("invalid UTF-8", "POST", "/api/v1/auth/login", 422, content=b'{"email": "\xff\xfe"}', headers=JSON, auth=False),
    Case("XML body", "POST", "/api/v1/auth/login", 415, content=b"<login/>", headers={"content-type": "application/xml"}, auth=False),
    Case("text body", "PATCH", "/api/v1/me", 415, content=b"bio=x", headers={"content-type": "text/plain"}),
    # Numbers
    Case("5,000-digit integer as a limit", "GET", "/api/v1/me/tokens?limit=" + "9" * 5000, 422),
    Case("5,000-digit integer in JSON", "PATCH", "/api/v1/me", 422, content=b'{"bio": ' + b"9" * 5000 + b"}", headers=JSON),
    Case("NaN in JSON", "PATCH", "/api/v1/me", 422, content=b'{"bio": NaN}', headers=JSON),
    Case("Infinity in JSON", "PATCH", "/api/v1/me", 422, content=b'{"display_name": Infinity}', headers=JSON),
    Case("limit 0", "GET", "/api/v1/users?limit=0", 422),
    Case("limit 101", "GET", "/api/v1/users?limit=101", 422),
    Case("negative limit", "GET", "/api/v1/users?limit=-1", 422),
    Case("limit as text", "GET", "/api/v1/users?limit=ten", 422),
    # Text that databases or people would choke on
    Case("NUL byte in display name", "PATCH", "/api/v1/me", 422, json={"display_name": "Ana\x00"}),
    Case("NUL byte in bio", "PATCH", "/api/v1/me", 422, json={"bio": "hello\x00world"}),
    Case("NUL byte in email", "POST", "/api/v1/auth/register", 422, json=reg(email="a\x00@example.com"), auth=False),
    Case("NUL byte in token name", "POST", "/api/v1/me/tokens", 422, json={"name": "bot\x00", "scopes": ["read"]}),
    Case("lone surrogate in display name", "PATCH", "/api/v1/me", 422, content=b'{"display_name": "A\\ud800"}', headers=JSON),
    Case("lone surrogate in bio", "PATCH", "/api/v1/me", 422, content=b'{"bio": "x\\udfff"}', headers=JSON),
    Case("lone surrogate in register name", "POST", "/api/v1/auth/register", 422, content=b'{"email":"s@example.com","password":"correct horse battery","display_name":"\\ud83d"}', headers=JSON, auth=False),
    Case("bidi override in display name", "PATCH", "/api/v1/me", 422, json={"display_name": "Ana\u202etxt.exe"}),
    Case("zero-width joiner in display name", "PATCH", "/api/v1/me", 422, json={"display_name": "A\u200dna"}),
    Case("control character in token name", "POST", "/api/v1/me/tokens", 422, json={"name": "bot\x1b[31m", "scopes": ["read"]}),
    Case("whitespace-only display name", "PATCH", "/api/v1/me", 422, json={"display_name": " \t "}),
    # Emails and passwords
    Case("malformed email", "POST", "/api/v1/auth/register", 422, json=reg(email="not-an-email"), auth=False),
    Case("email without domain dot", "POST", "/api/v1/auth/register", 422, json=reg(email="a@localhost"), auth=False),
    Case("300-character email", "POST", "/api/v1/auth/register", 422, json=reg(email="a" * 290 + "@example.com"), auth=False),
    Case("short password", "POST", "/api/v1/auth/register", 422, json=reg(password="123456789"), auth=False),
    Case("password as number", "POST", "/api/v1/auth/register", 422, json=reg(password=1234567890123), auth=False),
    Case("missing password on login", "POST", "/api/v1/auth/login", 422, json={"email": "a@example.com"}, auth=False),
    # Time zones and times
    Case("unknown time zone", "PATCH", "/api/v1/me", 422, json={"time_zone": "Mars/Olympus_Mons"}),
    Case("time zone path traversal", "PATCH", "/api/v1/me", 422, json={"time_zone": "../../etc/passwd"}),
    Case("time zone that is a file name", "PATCH", "/api/v1/me", 422, json={"time_zone": "zone.tab"}),
    Case("empty time zone", "PATCH", "/api/v1/me", 422, json={"time_zone": ""}),
    Case("expiry in the past", "POST", "/api/v1/me/tokens", 422, json={"name": "x", "scopes": ["read"], "expires_at": "2000-01-01T00:00:00Z"}),
    Case("expiry without offset", "POST", "/api/v1/me/tokens", 422, json={"name": "x", "scopes": ["read"], "expires_at": "2031-01-01T00:00:00"}),
    Case("expiry not a date", "POST", "/api/v1/me/tokens", 422, json={"name": "x", "scopes": ["read"], "expires_at": "soon"}),
    Case("expiry on 31 February", "POST", "/api/v1/me/tokens", 422, json={"name": "x", "scopes": ["read"], "expires_at": "2031-02-31"}),
    Case("year 99999 expiry", "POST", "/api/v1/me/tokens", 422, json={"name": "x", "scopes": ["read"], "expires_at": "99999-01-01T00:00:00Z"}),
    # Shapes
    Case("unknown field", "PATCH", "/api/v1/me", 422, json={"is_admin": True}),
    Case("scopes as a string", "POST", "/api/v1/me/tokens", 422, json={"name": "x", "scopes": "read"}),
    Case("unknown scope", "POST", "/api/v1/me/tokens", 422, json={"name": "x", "scopes": ["sudo"]}),
    Case("500 scopes", "POST", "/api/v1/me/tokens", 422, json={"name": "x", "scopes": ["read"] * 500}),
    Case("null display name", "PATCH", "/api/v1/me", 422, json={"display_name": None}),
    Case("manager is myself or nobody", "PATCH", "/api/v1/me", 409, json={"manager_id": "usr_nobody"}),
    # Ids and cursors
    Case("1,000-character id", "GET", "/api/v1/users/" + "u" * 1000, 422),
    Case("unknown id", "GET", "/api/v1/users/usr_unknown", 404),
    Case("garbage cursor", "GET", "/api/v1/users?cursor=%%%", 422),
    Case("cursor of valid base64 but wrong shape", "GET", "/api/v1/users?cursor=WzFd", 422),
    Case("2,000-character cursor", "GET", "/api/v1/users?cursor=" + "A" * 2000, 422),
    Case("500-character search", "GET", "/api/v1/users?q=" + "q" * 500, 422),
    # Sessions: time zones, DST (RFC 5545: a local time in a gap does not exist), hostile RRULEs
    Case("session in an unknown zone", "POST", SESSIONS, 422, json=session(time_zone="Europe/Gotham")),
    Case("session in the spring-forward gap", "POST", SESSIONS, 422, json=session(starts_at="2031-03-30T01:30:00", ends_at="2031-03-30T02:45:00")),
    Case("session ending in the gap", "POST", SESSIONS, 422, json=session(starts_at="2031-03-30T00:30:00", ends_at="2031-03-30T01:15:00")),
    Case("session ending before it starts", "POST", SESSIONS, 422, json=session(ends_at="2031-03-04T11:00:00")),
    Case("session lasting a month", "POST", SESSIONS, 422, json=session(ends_at="2031-04-04T13:15:00")),
    Case("RRULE every second", "POST", SESSIONS, 422, json=session(recurrence="FREQ=SECONDLY;COUNT=10")),
    Case("RRULE every minute", "POST", SESSIONS, 422, json=session(recurrence="FREQ=MINUTELY;COUNT=10")),
    Case("RRULE with no end", "POST", SESSIONS, 422, json=session(recurrence="FREQ=WEEKLY")),
    Case("RRULE with a huge COUNT", "POST", SESSIONS, 422, json=session(recurrence="FREQ=DAILY;COUNT=100000000")),
    Case("RRULE with 201 occurrences", "POST", SESSIONS, 422, json=session(recurrence="FREQ=DAILY;COUNT=201")),
    Case("RRULE until far in the future", "POST", SESSIONS, 422, json=session(recurrence="FREQ=DAILY;UNTIL=99991231T000000Z")),
    Case("RRULE with BYHOUR expansion", "POST", SESSIONS, 422, json=session(recurrence="FREQ=DAILY;COUNT=5;BYHOUR=1,2,3")),
    Case("RRULE that is not a rule", "POST", SESSIONS, 422, json=session(recurrence="DROP TABLE lounges;--")),
    Case("RRULE with COUNT and UNTIL", "POST", SESSIONS, 422, json=session(recurrence="FREQ=WEEKLY;COUNT=3;UNTIL=20310601T000000Z")),
    Case("negative capacity", "POST", SESSIONS, 422, json=session(capacity=-1)),
    Case("javascript: join link", "POST", SESSIONS, 422, json=session(join_url="javascript:alert(1)")),
    Case("unknown session kind", "POST", SESSIONS, 422, json=session(kind="party")),
    Case("1 MB session title", "POST", SESSIONS, 413, json=session(title="t" * 1_100_000)),
    Case("NUL byte in session title", "POST", SESSIONS, 422, json=session(title="Lunch\x00")),
    Case("lounge slug with a slash", "POST", "/api/v1/lounges", 422, json={"name": "X", "slug": "a/b", "description": "", "tags": [], "visibility": "open"}),
    Case("lounge visibility secret", "POST", "/api/v1/lounges", 422, json={"name": "X", "description": "", "tags": [], "visibility": "secret"}),
    Case("1,000 lounge tags", "POST", "/api/v1/lounges", 422, json={"name": "X", "description": "", "tags": [f"t{i}" for i in range(1000)], "visibility": "open"}),
    Case("RSVP maybe", "PUT", "/api/v1/sessions/{session}/rsvp", 422, json={"status": "maybe"}),
    Case("chat body over 4,000 characters", "POST", "/api/v1/channels/{channel}/messages", 422, json={"body": "x" * 4001}),
    Case("empty chat body", "POST", "/api/v1/channels/{channel}/messages", 422, json={"body": "   "}),
    # Goals: the contract, its plan, check-ins and support ("{...}" in a JSON value names a place)
    Case("empty goal title", "POST", GOALS, 422, json={"title": ""}),
    Case("whitespace-only goal title", "POST", GOALS, 422, json={"title": " \t "}),
    Case("NUL byte in goal title", "POST", GOALS, 422, json={"title": "SQL\x00"}),
    Case("10 MB contract text", "POST", GOALS, 413, json={"title": "x", "why": "w" * 10_000_000}),
    Case("6,000-character contract answer", "POST", GOALS, 422, json={"title": "x", "where_i_am": "w" * 6000}),
    Case("target date in 1900", "POST", GOALS, 422, json={"title": "x", "target_date": "1900-01-01"}),
    Case("target date in the past", "POST", GOALS, 422, json={"title": "x", "target_date": PAST}),
    Case("target date on 31 February", "POST", GOALS, 422, json={"title": "x", "target_date": "2031-02-31"}),
    Case("weekly minutes -5", "POST", GOALS, 422, json={"title": "x", "weekly_minutes": -5}),
    Case("weekly minutes 100000", "POST", GOALS, 422, json={"title": "x", "weekly_minutes": 100_000}),
    Case("learning start 25:00", "POST", GOALS, 422, json={"title": "x", "learning_start": "25:00"}),
    Case("unknown business goal", "POST", GOALS, 409, json={"title": "x", "business_goal_id": "bgl_nowhere"}),
    Case("goal visibility public", "POST", GOALS, 422, json={"title": "x", "visibility": "public"}),
    Case("13 skills", "POST", GOALS, 422, json={"title": "x", "skills": [f"s{i}" for i in range(13)]}),
    Case("goal owned by someone else", "POST", GOALS, 422, json={"title": "x", "owner_id": "usr_someone"}),
    Case("goal status finished", "PATCH", GOAL, 422, json={"status": "finished"}),
    Case("null goal title", "PATCH", GOAL, 422, json={"title": None}),
    Case("goal target date moved to 1900", "PATCH", GOAL, 422, json={"target_date": "1900-01-01"}),
    Case("goal weekly minutes -5", "PATCH", GOAL, 422, json={"weekly_minutes": -5}),
    Case("goal business goal that does not exist", "PATCH", GOAL, 409, json={"business_goal_id": "bgl_nowhere"}),
    Case("unknown goal", "GET", "/api/v1/goals/gol_unknown", 404),
    Case("goal status filter unknown", "GET", GOALS + "?status=finished", 422),
    Case("plan item in a private lounge I am not in", "POST", GOAL + "/plan", 409, json={"kind": "session", "session_id": "{hidden_session}"}),
    Case("plan item for a private lounge I am not in", "POST", GOAL + "/plan", 409, json={"kind": "lounge", "lounge_id": "{hidden_lounge}"}),
    Case("plan item for a challenge", "POST", GOAL + "/plan", 409, json={"kind": "challenge", "challenge_id": "chl_someday"}),
    Case("plan item with a javascript: link", "POST", GOAL + "/plan", 422, json={"kind": "resource", "title": "x", "url": "javascript:alert(1)"}),
    Case("plan item of an unknown kind", "POST", GOAL + "/plan", 422, json={"kind": "quest", "title": "x"}),
    Case("plan item moved to position -1", "PATCH", GOAL + "/plan/pln_unknown", 422, json={"position": -1}),
    Case("check-in with 1,441 minutes", "POST", GOAL + "/checkins", 422, json={"note": "x", "minutes": 1441}),
    Case("empty check-in note", "POST", GOAL + "/checkins", 422, json={"note": ""}),
    Case("empty goal comment", "POST", GOAL + "/comments", 422, json={"body": "  "}),
    Case("suggestion without its person", "POST", GOAL + "/suggestions", 422, json={"kind": "person"}),
    # Multipart
    Case("multipart flood of fields", "PATCH", "/api/v1/me", 422, data={f"f{i}": "x" for i in range(1000)}, files={"z": ("z.txt", b"z")}),
    Case("file where none is expected", "PATCH", "/api/v1/me", 422, files={"bio": ("bio.txt", b"hello")}),
    Case("form flood without files", "PATCH", "/api/v1/me", 422, content=("&".join(f"f{i}=x" for i in range(5000))).encode(), headers={"content-type": "application/x-www-form-urlencoded"}),
]


def test_corpus_is_large():
    assert len(CASES) >= 60


@pytest.fixture
async def places(client, ana, ben, db) -> dict[str, str]:
    """A lounge, a session and a channel for the cases that need one; a goal of the signed-in
    admin; and a private lounge of Ben's, with a session, that the admin is not in."""
    lounge = (await client.post("/api/v1/lounges", headers=ana.csrf, json={
        "name": "Corpus lounge", "description": "", "tags": [], "visibility": "open"})).json()
    created = await client.post(f"/api/v1/lounges/{lounge['id']}/sessions", headers=ana.csrf,
                                json=session())
    assert created.status_code == 201, created.text
    goal = await client.post(GOALS, headers=ana.csrf, json={"title": "Corpus goal"})
    assert goal.status_code == 201, goal.text
    hidden = (await ben.client.post("/api/v1/lounges", headers=ben.csrf, json={
        "name": "Inner circle", "visibility": "private"})).json()
    hidden_session = await ben.client.post(f"/api/v1/lounges/{hidden['id']}/sessions", headers=ben.csrf,
                                           json=session())
    assert hidden_session.status_code == 201, hidden_session.text
    await outbox_settled(db)
    return {"lounge": lounge["id"], "session": created.json()["id"], "channel": lounge["channel_id"],
            "goal": goal.json()["id"], "hidden_lounge": hidden["id"], "hidden_session": hidden_session.json()["id"]}


def filled(value: Any, places: dict[str, str]) -> Any:
    """`value` with every string that is exactly "{place}" replaced by that place's id."""
    if isinstance(value, dict):
        return {key: filled(item, places) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in places:
        return places[value[1:-1]]
    return value


async def outbox_settled(db) -> None:
    """Let the app's worker finish the events of the setup, so it changes nothing mid-case."""
    for _ in range(100):
        pending = await db.scalar(select(func.count()).select_from(OutboxJob)
                                  .where(OutboxJob.status.in_(("pending", "running")),
                                         OutboxJob.run_at <= datetime.now(UTC)))
        await db.rollback()
        if not pending:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not settle")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_bad_input_is_refused_cleanly(client, new_client, ana, places, db, case: Case):
    before = await database_fingerprint(db)
    headers = dict(case.headers)
    if case.auth:
        headers.update(ana.csrf)
        target = client
    else:
        target = new_client()
        await target.__aenter__()
    try:
        response = await asyncio.wait_for(target.request(
            case.method, case.path.format(**places), json=filled(case.json, places), content=case.content,
            data=case.data,
            files=case.files, headers=headers), HANG_LIMIT_SECONDS)
    finally:
        if not case.auth:
            await target.__aexit__(None, None, None)
    assert response.status_code == case.status, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await database_fingerprint(db) == before


async def test_like_wildcards_in_search_are_literal(client, ana, ben):
    for pattern in ("%", "_", "\\", "%a%", "_en%"):
        response = await client.get("/api/v1/users", params={"q": pattern})
        assert response.status_code == 200
        assert response.json()["items"] == [], pattern


async def test_markdown_with_scripts_in_a_goal_is_stored_as_text_and_rendered_safely(client, ana):
    hostile = ('<script>alert(1)</script>\n\n[click](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n'
               '<a href="https://evil.example" onclick="alert(4)">x</a> **still bold**')
    created = await client.post(GOALS, headers=ana.csrf, json={"title": "<b>Title</b>", "why": hostile})
    assert created.status_code == 201, created.text
    goal = GoalPublic.model_validate((await client.get(f"{GOALS}/{created.json()['id']}")).json())
    assert goal.why == hostile and goal.title == "<b>Title</b>"  # stored as the text it was
    html = goal.html("why")
    assert "<strong>still bold</strong>" in html and "&lt;script&gt;" in html
    for unsafe in ("<script", "<img", "<a href=\"https://evil", "href=\"javascript"):
        assert unsafe not in html
    assert not re.search(r"<[^>]*\bon\w+=", html)  # no tag keeps an event handler (text may show one)
