"""A database that cannot be reached is answered with 503 and `Retry-After` (problem+json, the
htmx fragment, the page that tries again), never a 500 or a traceback; the log says once that
it is gone and once that it is back, with how long it was gone."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from app.config import Settings
from app.main import create_app

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
PAGE = {"Accept": "text/html"}


async def serve(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(Settings(
        database_url=database_url, secret_key="test-secret-key-0123456789", data_dir=tmp_path,
        base_url="http://testserver", smtp_url=None, worker_enabled=False))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "2"


def assert_no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.fixture
async def refused(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """Lounge pointed at a PostgreSQL address where nothing listens."""
    async for client in serve("postgresql+asyncpg://lounge@127.0.0.1:1/lounge", tmp_path):
        yield client


async def test_a_refused_database_is_503_in_every_form_and_logged_once(refused, caplog):
    caplog.set_level(logging.INFO)
    login = {"email": "ana@example.com", "password": "correct horse battery"}
    api = await refused.post("/api/v1/auth/login", json=login)
    assert_unavailable(api)
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["status"] == 503 and "database" in api.json()["detail"]
    fragment = await refused.post("/api/v1/auth/login", data=login, headers=HTMX)
    assert_unavailable(fragment)
    assert 'role="alert"' in fragment.text and "Try again" in fragment.text
    refused.cookies.set("lounge_session", "a-session-the-database-would-know")
    page = await refused.get("/lounges", headers=PAGE)
    assert_unavailable(page)
    assert '<meta http-equiv="refresh" content="5">' in page.text and "be right back" in page.text
    gone = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(gone) == 1 and gone[0].levelno == logging.WARNING
    assert_no_tracebacks(caplog)


async def test_an_error_page_that_is_not_an_outage_does_not_refresh(refused):
    missing = await refused.get("/no-such-page", headers=PAGE)
    assert missing.status_code == 404 and "http-equiv" not in missing.text


async def test_the_log_says_when_the_database_is_back_and_how_long_it_was_gone(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    folder = tmp_path / "db"
    async for client in serve(f"sqlite+aiosqlite:///{folder}/lounge.db", tmp_path):
        shutil.rmtree(folder)  # the database file cannot be opened
        assert_unavailable(await client.post("/api/v1/auth/login", json={"email": "a@b.example",
                                                                         "password": "x" * 12}))
        client.cookies.set("lounge_session", "a-session-the-database-would-know")
        assert_unavailable(await client.get("/api/v1/me"))
        folder.mkdir()
        assert (await client.get("/readyz")).status_code == 200
    back = [r.getMessage() for r in caplog.records if "database back" in r.getMessage()]
    assert len(back) == 1 and "2 requests were refused" in back[0]
    assert_no_tracebacks(caplog)
