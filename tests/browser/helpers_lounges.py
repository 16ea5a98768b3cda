"""Shared set-up for the lounge, session and XSS browser tests: people signed in in browser
contexts of their own, an API client with a bearer token for fast seeding, times formatted
the way a viewer in a given zone must see them on a page, and the live server's clock moved on
for a session (`move_live_session`)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Page
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from tests.api.sessions_helpers import move_session

MEMBER_SCOPES = ["read", "write", "chat"]
PAGE_FORMAT = "%a %d %b %Y, %H:%M"  # what pages show (the zone's name follows)
T = TypeVar("T")


@dataclass
class Person:
    """Someone using the app: their account, their own signed-in page, and their user id."""

    name: str
    email: str
    password: str
    time_zone: str
    page: Page
    user_id: str


def signed_in_page(new_page, email: str, password: str, time_zone: str = "UTC") -> tuple[Page, str]:
    """A page in a browser context of its own, signed in through the API (which sets the same
    cookie the login page does); returns it with the user's id."""
    page = new_page(timezone_id=time_zone)
    answer = page.request.post("/api/v1/auth/login", data={"email": email, "password": password})
    assert answer.ok, answer.text()
    return page, answer.json()["user"]["id"]


def person(new_page, create_account, name: str, time_zone: str = "UTC") -> Person:
    """A new account in `time_zone`, signed in in a browser context of its own."""
    account = create_account(name, time_zone=time_zone)
    page, user_id = signed_in_page(new_page, account.email, account.password, time_zone)
    return Person(name=name, email=account.email, password=account.password, time_zone=time_zone,
                  page=page, user_id=user_id)


def api_client(base_url: str, email: str, password: str, scopes: list[str] | None = None) -> httpx.Client:
    """An httpx client acting with a fresh bearer token of `scopes` (by default a member's:
    read, write and chat)."""
    with httpx.Client(base_url=base_url) as cookies:
        login = cookies.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.text
        created = cookies.post("/api/v1/me/tokens", headers={"X-CSRF-Token": login.json()["csrf_token"]},
                               json={"name": "browser tests", "scopes": scopes or MEMBER_SCOPES})
        assert created.status_code == 201, created.text
    return httpx.Client(base_url=base_url, timeout=10,
                        headers={"Authorization": f"Bearer {created.json()['token']}"})


def shown_time(moment: datetime, time_zone: str, fmt: str = PAGE_FORMAT) -> str:
    """`moment` as a page shows it to a viewer in `time_zone`, the zone's name included."""
    local = moment.astimezone(ZoneInfo(time_zone))
    return f"{local.strftime(fmt)} {local.tzname()}"


def wall_time_in_days(days_ahead: int, hour: int, minute: int, time_zone: str) -> datetime:
    """Wall time `hour:minute` in `time_zone`, `days_ahead` days from now (as a UTC datetime)."""
    zone = ZoneInfo(time_zone)
    day = (datetime.now(zone) + timedelta(days=days_ahead)).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs a coroutine to completion on a fresh thread (this one's loop belongs to Playwright)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# The database each running live server uses, by its base URL, for `move_live_session`.
LIVE_DATABASES: dict[str, str] = {}


def move_live_session(base_url: str, session_id: str, *, starts_at: datetime,
                      ends_at: datetime | None = None) -> None:
    """Put a session of the live server at `starts_at`, usually in the past (the clock has moved
    on since it was scheduled: nobody may schedule a session to start in the past)."""
    async def move() -> None:
        engine = create_async_engine(LIVE_DATABASES[base_url])
        try:
            async with async_sessionmaker(engine)() as db:
                await move_session(db, session_id, starts_at=starts_at, ends_at=ends_at)
        finally:
            await engine.dispose()

    run_coroutine(move())
