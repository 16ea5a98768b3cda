"""Fixtures every test shares: a freshly migrated database per test, the app with its lifespan
running, httpx clients over ASGI, and helpers that act through the real API.

The run's backend follows `LOUNGE_DATABASE_URL` / `LOUNGE_REDIS_URL` (see `tests/databases.py`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app import security
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.main import create_app
from app.services import accounts
from tests.databases import PostgresDatabases, SqliteDatabases, service_missing
from tests.redis_server import RedisServer

DATABASE_URL = os.environ.get("LOUNGE_DATABASE_URL", "")
REDIS_URL = os.environ.get("LOUNGE_REDIS_URL") or None
PASSWORD = "correct horse battery"


@functools.cache
def _hash_once(password: str) -> str:
    return security.hash_password(password)


@functools.cache
def _verify_once(password: str, password_hash: str | None) -> bool:
    return security.verify_password(password, password_hash)


@pytest.fixture(autouse=True)
def remembered_password_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at production cost takes ~50 ms a call, and the suite signs up thousands of people
    with a few passwords, so each hash and each verdict is computed once per run. They are still
    real Argon2id hashes and real verifications; tests marked `real_argon2` (timing, cost) get the
    uncached functions."""
    if request.node.get_closest_marker("real_argon2") is None:
        monkeypatch.setattr(accounts, "hash_password", _hash_once)
        monkeypatch.setattr(accounts, "verify_password", _verify_once)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory):
    if DATABASE_URL.startswith("postgresql"):
        try:
            provider = PostgresDatabases(DATABASE_URL)
        except OSError as exc:
            service_missing("PostgreSQL", exc)
    else:
        provider = SqliteDatabases(tmp_path_factory.mktemp("db"))
    yield provider
    provider.close()


@pytest.fixture
async def database_url(databases) -> AsyncIterator[str]:
    url = await databases.create()
    yield url
    await databases.drop(url)


async def _flush_redis() -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.flushdb()
    except OSError as exc:
        service_missing("Redis", exc)
    finally:
        await redis.aclose()


@pytest.fixture
async def private_redis() -> AsyncIterator[RedisServer]:
    """A Redis of this test's own, which it may kill and start again (see tests/redis_server.py)."""
    server = RedisServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def settings(database_url: str, tmp_path: Path) -> Settings:
    if REDIS_URL:
        await _flush_redis()  # rate-limit counters must not leak from one test to the next
    return Settings(
        database_url=database_url, redis_url=REDIS_URL, secret_key="test-secret-key-0123456789",
        data_dir=tmp_path, base_url="http://testserver", smtp_url=None,
        # Budgets large enough for bulk-writing tests; the limit tests set their own.
        rate_limit_reads="100000/minute", rate_limit_writes="100000/minute",
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


def _client(app: FastAPI, **kwargs) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://testserver", **kwargs)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app) as c:
        yield c


@pytest.fixture
def new_client(app: FastAPI):
    """Another, separate client (its own cookie jar): `async with new_client() as c:`."""
    return lambda **kwargs: _client(app, **kwargs)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A database session for service tests, with no HTTP in between."""
    engine = make_engine(settings)
    async with make_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


@pytest.fixture
async def sessionmaker(settings: Settings):
    """A session factory of its own, for tests that play several workers or instances."""
    engine = make_engine(settings)
    yield make_sessionmaker(engine)
    await engine.dispose()


@dataclass
class Account:
    id: str
    email: str
    display_name: str
    csrf_token: str
    client: httpx.AsyncClient

    @property
    def csrf(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf_token}


async def sign_up(client: httpx.AsyncClient, email: str, display_name: str = "Ana Lima",
                  password: str = PASSWORD, time_zone: str = "UTC") -> Account:
    """Register through the API and log in, leaving the session cookie in `client`."""
    response = await client.post("/api/v1/auth/register", json={
        "email": email, "password": password, "display_name": display_name,
        "time_zone": time_zone})
    assert response.status_code == 201, response.text
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    body = login.json()
    return Account(id=body["user"]["id"], email=email, display_name=display_name,
                   csrf_token=body["csrf_token"], client=client)


async def bearer_token(account: Account, scopes: list[str], name: str = "tool") -> str:
    response = await account.client.post("/api/v1/me/tokens", headers=account.csrf,
                                         json={"name": name, "scopes": scopes})
    assert response.status_code == 201, response.text
    return response.json()["token"]


@pytest.fixture
async def ana(client: httpx.AsyncClient) -> Account:
    """The first account (so an administrator), signed in on `client`."""
    return await sign_up(client, "ana@example.com", "Ana Lima")


@pytest.fixture
async def ben(new_client) -> AsyncIterator[Account]:
    """A second, ordinary member with a client of his own."""
    async with new_client() as c:
        yield await sign_up(c, "ben@example.com", "Ben Okafor")
