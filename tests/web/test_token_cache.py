"""The bearer token memory: one database load per burst, the entry past its ttl kept only
while that load runs, and never a token past its own expiry."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from app.models import ApiToken, User
from app.web.token_cache import TokenCache


def rows(expires_at: datetime | None = None) -> tuple[User, ApiToken]:
    user = User(id="usr_1", email="ana@example.com", display_name="Ana", password_hash="x")
    token = ApiToken(id="tok_1", user_id="usr_1", name="tool", token_hash="d", scopes=["read"],
                     expires_at=expires_at)
    return user, token


async def test_a_burst_of_misses_costs_one_load():
    cache = TokenCache(ttl=5)
    loads = 0

    async def load():
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.01)
        return rows()

    found = await asyncio.gather(*[cache.get_or_load("d", load) for _ in range(20)])
    assert loads == 1 and {user.id for user, _ in found} == {"usr_1"}


async def test_an_entry_past_its_ttl_serves_only_while_it_is_reloaded():
    cache = TokenCache(ttl=0.05)
    cache.put("d", *rows())
    await asyncio.sleep(0.06)
    assert cache.peek("d") is None
    release = asyncio.Event()

    async def revoked_meanwhile():
        await release.wait()
        return None

    reload = asyncio.create_task(cache.get_or_load("d", revoked_meanwhile))
    await asyncio.sleep(0)
    assert cache.peek("d") is not None, "others go on with the old entry during the reload"
    release.set()
    assert await reload is None
    assert cache.peek("d") is None and cache.get("d") is None


async def test_an_expired_token_is_never_served():
    cache = TokenCache(ttl=60)
    cache.put("d", *rows(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert cache.peek("d") is None
