"""Every unsafe route, tried with a cookie session but without the CSRF token, with a wrong
token, from a foreign Origin, and marked cross-site by the browser: 403 and nothing changes.
The route list comes from the app itself, so a new route is swept automatically."""

from __future__ import annotations

import re

import pytest

from app.config import Settings
from app.main import create_app
from app.web.routes import api_routes
from tests.security.snapshot import database_fingerprint

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Routes that start a session rather than use one; the cross-site guard still covers them.
NO_SESSION_NEEDED = {"register_user", "log_in"}


def unsafe_routes() -> list[tuple[str, str, str]]:
    app = create_app(Settings(database_url="sqlite+aiosqlite://", secret_key="x"))
    found = []
    for route in api_routes(app):
        for method in sorted(route.methods & UNSAFE):
            path = re.sub(r"\{[^}]+\}", "id_does_not_matter", route.path_format)
            found.append((route.name, method, path))
    return found


ROUTES = unsafe_routes()
ATTEMPTS = {
    "no token": {},
    "wrong token": {"X-CSRF-Token": "f" * 64},
    "foreign origin": {"Origin": "https://evil.example", "with_token": True},
    "null origin": {"Origin": "null", "with_token": True},
    "look-alike origin": {"Origin": "http://testserver.evil.example", "with_token": True},
    "cross-site fetch": {"Sec-Fetch-Site": "cross-site", "with_token": True},
}


def test_the_sweep_sees_routes():
    assert len(ROUTES) >= 5


# Routes that start a session are swept only by the cross-site attempts (they carry no session).
CELLS = [(name, method, path, attempt) for name, method, path in ROUTES for attempt in ATTEMPTS
         if name not in NO_SESSION_NEEDED or ATTEMPTS[attempt].get("with_token")]


@pytest.mark.parametrize(("name", "method", "path", "attempt"), CELLS,
                         ids=[f"{a}-{m} {p}" for _, m, p, a in CELLS])
async def test_unsafe_cookie_request_is_refused(client, ana, db, name, method, path, attempt):
    headers = dict(ATTEMPTS[attempt])
    if headers.pop("with_token", False):
        headers.update(ana.csrf)
    before = await database_fingerprint(db)
    response = await client.request(method, path, headers=headers, json={})
    assert response.status_code == 403, (attempt, response.text)
    assert await database_fingerprint(db) == before


async def test_get_requests_change_nothing(client, ana, db):
    app = client._transport.app
    before = await database_fingerprint(db)
    for route in api_routes(app):
        if "GET" in route.methods and "{" not in route.path_format:
            await client.get(route.path_format)
    assert await database_fingerprint(db) == before
