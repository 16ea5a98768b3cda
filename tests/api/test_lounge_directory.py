"""`GET /api/v1/lounges` answered from the directory memory: a tool polling it sees every
change the moment it is committed, never another person's page, and the same refusals
(revoked token, missing scope, rate limit) as on the routed path."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import update

from app.db import make_engine, make_sessionmaker
from app.main import create_app
from app.models import Lounge
from tests.api.test_lounges import HTMX, make_lounge
from tests.conftest import REDIS_URL, bearer_token

DIRECTORY = "/api/v1/lounges?limit=20"


async def names(tool, headers) -> dict[str, dict]:
    response = await tool.get(DIRECTORY, headers=headers)
    assert response.status_code == 200, response.text
    return {item["name"]: item for item in response.json()["items"]}


async def test_every_write_shows_at_once_to_a_polling_tool(client, ana, ben, new_client):
    lounge = await make_lounge(ana)
    secret = await bearer_token(ana, ["read"])
    auth = {"Authorization": f"Bearer {secret}"}
    async with new_client() as tool:
        assert (await names(tool, auth))["Python guild"]["member_count"] == 1
        assert (await names(tool, auth))["Python guild"]["member_count"] == 1  # from memory

        assert (await ben.client.post(f"/api/v1/lounges/{lounge['id']}/join", headers=ben.csrf)).is_success
        assert (await names(tool, auth))["Python guild"]["member_count"] == 2

        await client.patch(f"/api/v1/lounges/{lounge['id']}", headers=ana.csrf,
                           json={"name": "Rust guild", "tags": ["rust"]})
        seen = await names(tool, auth)
        assert list(seen) == ["Rust guild"] and seen["Rust guild"]["tags"] == ["rust"]

        await ben.client.post(f"/api/v1/lounges/{lounge['id']}/leave", headers=ben.csrf)
        assert (await names(tool, auth))["Rust guild"]["member_count"] == 1

        await make_lounge(ana, name="Second lounge")
        assert set(await names(tool, auth)) == {"Rust guild", "Second lounge"}

        await client.delete(f"/api/v1/lounges/{lounge['id']}", headers=ana.csrf)
        assert set(await names(tool, auth)) == {"Second lounge"}


async def test_the_answer_really_comes_from_memory(settings, client, ana, new_client):
    await make_lounge(ana)
    auth = {"Authorization": f"Bearer {await bearer_token(ana, ['read'])}"}
    engine = make_engine(settings)  # a writer that does not tell the app
    try:
        async with new_client() as tool:
            await names(tool, auth)
            async with make_sessionmaker(engine)() as db:
                await db.execute(update(Lounge).values(description="changed behind the app's back"))
                await db.commit()
            assert (await names(tool, auth))["Python guild"]["description"] == "Talks on **Python**."
            await make_lounge(ana, name="Another lounge")  # a write through the app invalidates
            assert (await names(tool, auth))["Python guild"]["description"] == \
                "changed behind the app's back"
    finally:
        await engine.dispose()


async def test_private_lounges_stay_private_in_remembered_pages(client, ana, ben, new_client):
    private = await make_lounge(ana, name="Private circle", visibility="private")
    await make_lounge(ana, name="Open lounge")
    ana_auth = {"Authorization": f"Bearer {await bearer_token(ana, ['read'])}"}
    ben_auth = {"Authorization": f"Bearer {await bearer_token(ben, ['read'])}"}
    async with new_client() as tool:
        for _ in range(2):
            assert set(await names(tool, ana_auth)) == {"Private circle", "Open lounge"}
            assert set(await names(tool, ben_auth)) == {"Open lounge"}
        invited = await client.post(f"/api/v1/lounges/{private['id']}/invites", headers=ana.csrf,
                                    json={"user_id": ben.id})
        assert invited.status_code == 201
        assert set(await names(tool, ben_auth)) == {"Private circle", "Open lounge"}


async def test_remembered_pages_refuse_what_the_route_refuses(app, client, ana, new_client):
    await make_lounge(ana)
    reader = await bearer_token(ana, ["read"])
    writer = await bearer_token(ana, ["write"], name="writer")
    auth = {"Authorization": f"Bearer {reader}"}
    async with new_client() as tool:
        await names(tool, auth)
        assert (await tool.get(DIRECTORY, headers={"Authorization": f"Bearer {writer}"})).status_code == 403

        fragment = await tool.get(DIRECTORY, headers={**auth, **HTMX})
        assert fragment.headers["content-type"].startswith("text/html")
        assert "Python guild" in fragment.text

        other_query = await tool.get("/api/v1/lounges?limit=20&q=nothing-matches", headers=auth)
        assert other_query.json()["items"] == []

        app.state.api_limits.__init__(app.state.limiter, reads="2/minute", writes="2/minute")
        first = await tool.get(DIRECTORY, headers=auth)
        assert first.status_code == 200 and first.headers["ratelimit-remaining"] == "1"
        await tool.get(DIRECTORY, headers=auth)
        limited = await tool.get(DIRECTORY, headers=auth)
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "application/problem+json"
        assert limited.headers["ratelimit-remaining"] == "0" and int(limited.headers["retry-after"]) > 0
        assert limited.headers["x-request-id"]

        app.state.api_limits.enabled = False
        token_id = next(t["id"] for t in (await client.get("/api/v1/me/tokens")).json()["items"]
                        if t["name"] == "tool")
        assert (await client.delete(f"/api/v1/me/tokens/{token_id}", headers=ana.csrf)).status_code == 204
        revoked = await tool.get(DIRECTORY, headers=auth)
        assert revoked.status_code == 401


async def test_replayed_answers_are_counted_under_their_route(client, ana, new_client):
    await make_lounge(ana)
    auth = {"Authorization": f"Bearer {await bearer_token(ana, ['read'])}"}
    async with new_client() as tool:
        for _ in range(3):
            await names(tool, auth)
    metrics = (await client.get("/metrics")).text
    line = next(line for line in metrics.splitlines() if line.startswith("lounge_http_requests_total")
                and 'route="/api/v1/lounges"' in line and 'method="GET"' in line and 'status="200"' in line)
    assert float(line.rsplit(" ", 1)[1]) >= 3


@pytest.mark.skipif(not REDIS_URL, reason="instances share changes through Redis (LOUNGE_REDIS_URL)")
async def test_a_write_on_one_instance_clears_the_memory_of_another(settings, app, client, ana):
    await make_lounge(ana)
    auth = {"Authorization": f"Bearer {await bearer_token(ana, ['read'])}"}
    other = create_app(settings)
    async with LifespanManager(other), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=other), base_url="http://testserver") as elsewhere:
        assert set(await names(elsewhere, auth)) == {"Python guild"}
        await make_lounge(ana, name="Made on the first instance")
        deadline = asyncio.get_running_loop().time() + 5
        while set(await names(elsewhere, auth)) != {"Python guild", "Made on the first instance"}:
            assert asyncio.get_running_loop().time() < deadline, "the other instance kept a stale page"
            await asyncio.sleep(0.02)
