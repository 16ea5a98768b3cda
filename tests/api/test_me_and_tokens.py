"""`/api/v1/me` and personal API tokens: profile edits, scopes, revocation, expiry, CSRF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.models import ApiToken, User
from app.security import digest
from tests.conftest import bearer_token

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


async def test_me_needs_a_caller(client):
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_profile_update_through_json_and_form(client, ana):
    response = await client.patch("/api/v1/me", headers=ana.csrf, json={
        "display_name": "Ana L.", "time_zone": "America/Sao_Paulo", "bio": "Rust at lunch."})
    assert response.status_code == 200, response.text
    assert response.json()["time_zone"] == "America/Sao_Paulo"
    form = await client.patch("/api/v1/me", headers=ana.csrf, data={"bio": "Now Go too."})
    assert form.json()["bio"] == "Now Go too." and form.json()["display_name"] == "Ana L."
    assert (await client.get("/api/v1/me")).json()["bio"] == "Now Go too."


async def test_profile_update_as_htmx_fragment(client, ana):
    response = await client.patch("/api/v1/me", headers={**ana.csrf, **HTMX},
                                  data={"display_name": "Ana", "time_zone": "Asia/Tokyo", "bio": ""})
    assert response.status_code == 200
    assert 'id="profile-form"' in response.text
    assert "Times now show in Asia/Tokyo" in response.text
    assert response.headers["vary"] == "HX-Request, HX-Request-Type"


@pytest.mark.parametrize(("payload", "field", "status"), [
    ({"time_zone": "Europe/Atlantis"}, "time_zone", 422),
    ({"display_name": ""}, "display_name", 422),
    ({"display_name": None}, "display_name", 422),
    ({"bio": "x" * 501}, "bio", 422),
    ({"manager_id": "usr_nobody"}, "manager_id", 409),  # well-formed, but nobody has it
    ({"unknown": 1}, "unknown", 422),
])
async def test_profile_update_rejects_bad_values(client, ana, db, payload, field, status):
    response = await client.patch("/api/v1/me", headers=ana.csrf, json=payload)
    assert response.status_code == status
    assert any(e["field"] == field for e in response.json()["errors"]), response.json()
    user = await db.scalar(select(User).where(User.id == ana.id))
    assert user.time_zone == "UTC" and user.display_name == "Ana Lima" and user.bio == ""


async def test_manager_can_be_set_to_another_person(client, ana, ben):
    response = await ben.client.patch("/api/v1/me", headers=ben.csrf, json={"manager_id": ana.id})
    assert response.status_code == 200 and response.json()["manager_id"] == ana.id


async def test_cookie_writes_without_the_csrf_token_are_refused(client, ana, db):
    for headers in ({}, {"X-CSRF-Token": "0" * 64}, {"X-CSRF-Token": ana.csrf_token[:-1] + "x"}):
        response = await client.patch("/api/v1/me", headers=headers, json={"bio": "pwned"})
        assert response.status_code == 403, headers
        assert "CSRF" in response.json()["detail"]
    assert (await db.scalar(select(User.bio).where(User.id == ana.id))) == ""


async def test_cross_site_writes_are_refused_even_with_the_token(client, ana):
    for extra in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                  {"Sec-Fetch-Site": "cross-site"}):
        response = await client.patch("/api/v1/me", headers={**ana.csrf, **extra}, json={"bio": "x"})
        assert response.status_code == 403, extra
    same = await client.patch("/api/v1/me", headers={**ana.csrf, "Origin": "http://testserver",
                                                     "Sec-Fetch-Site": "same-origin"}, json={"bio": "ok"})
    assert same.status_code == 200


async def test_token_is_shown_once_and_stored_only_as_a_hash(client, ana, db):
    response = await client.post("/api/v1/me/tokens", headers=ana.csrf,
                                 json={"name": "calendar bot", "scopes": ["read", "chat"]})
    assert response.status_code == 201
    created = response.json()
    secret = created["token"]
    assert secret.startswith("lng_") and created["scopes"] == ["read", "chat"]
    row = await db.scalar(select(ApiToken).where(ApiToken.id == created["id"]))
    assert row.token_hash == digest(secret) and secret not in row.token_hash
    listed = (await client.get("/api/v1/me/tokens")).json()
    assert [t["id"] for t in listed["items"]] == [created["id"]]
    assert "token" not in listed["items"][0] and listed["next_cursor"] is None


async def test_bearer_token_works_without_cookies_or_csrf(client, ana, new_client):
    secret = await bearer_token(ana, ["read", "write"])
    async with new_client() as tool:
        auth = {"Authorization": f"Bearer {secret}"}
        assert (await tool.get("/api/v1/me", headers=auth)).json()["id"] == ana.id
        patched = await tool.patch("/api/v1/me", headers=auth, json={"bio": "set by a tool"})
        assert patched.status_code == 200


async def test_token_outside_its_scopes_gets_403(client, ana, new_client):
    secret = await bearer_token(ana, ["read"])
    async with new_client() as tool:
        response = await tool.patch("/api/v1/me", headers={"Authorization": f"Bearer {secret}"},
                                    json={"bio": "nope"})
    assert response.status_code == 403
    assert "write" in response.json()["detail"]


async def test_a_token_cannot_mint_wider_tokens(client, ana, new_client):
    secret = await bearer_token(ana, ["read", "write"])
    async with new_client() as tool:
        response = await tool.post("/api/v1/me/tokens", headers={"Authorization": f"Bearer {secret}"},
                                   json={"name": "escalate", "scopes": ["admin"]})
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "scopes"


async def test_admin_scope_needs_an_admin(client, ana, ben):
    response = await ben.client.post("/api/v1/me/tokens", headers=ben.csrf,
                                     json={"name": "x", "scopes": ["admin"]})
    assert response.status_code == 403


async def test_revoked_token_gets_401(client, ana, new_client):
    secret = await bearer_token(ana, ["read"])
    token_id = (await client.get("/api/v1/me/tokens")).json()["items"][0]["id"]
    revoked = await client.delete(f"/api/v1/me/tokens/{token_id}", headers=ana.csrf)
    assert revoked.status_code == 204
    async with new_client() as tool:
        response = await tool.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    listed = (await client.get("/api/v1/me/tokens")).json()["items"][0]
    assert listed["revoked_at"] is not None


async def test_expired_token_gets_401(client, ana, db, new_client):
    secret = await bearer_token(ana, ["read"])
    await db.execute(update(ApiToken).where(ApiToken.token_hash == digest(secret))
                     .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    await db.commit()
    async with new_client() as tool:
        response = await tool.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


async def test_malformed_authorization_header_is_401_not_a_cookie_fallback(client, ana):
    response = await client.get("/api/v1/me", headers={"Authorization": "Basic YWJj"})
    assert response.status_code == 401


async def test_someone_elses_token_cannot_be_revoked(client, ana, ben):
    await bearer_token(ana, ["read"])
    token_id = (await client.get("/api/v1/me/tokens")).json()["items"][0]["id"]
    response = await ben.client.delete(f"/api/v1/me/tokens/{token_id}", headers=ben.csrf)
    assert response.status_code == 404


@pytest.mark.parametrize(("payload", "field"), [
    ({"name": "", "scopes": ["read"]}, "name"),
    ({"name": "x", "scopes": []}, "scopes"),
    ({"name": "x", "scopes": ["root"]}, "scopes"),
    ({"name": "x", "scopes": ["read"], "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
    ({"name": "x", "scopes": ["read"], "expires_at": "2030-01-01T00:00:00"}, "expires_at"),
])
async def test_token_creation_validates(client, ana, payload, field):
    response = await client.post("/api/v1/me/tokens", headers=ana.csrf, json=payload)
    assert response.status_code == 422
    assert any(e["field"] == field for e in response.json()["errors"]), response.json()


async def test_token_form_from_the_page(client, ana):
    response = await client.post(
        "/api/v1/me/tokens", headers={**ana.csrf, **HTMX},
        data={"name": "ci bot", "scopes": ["read", "write"], "expires_at": "2031-06-30"})
    assert response.status_code == 201
    assert response.headers["hx-trigger"] == "tokens-changed"
    assert "lng_" in response.text and "will not be shown again" in response.text
    token = (await client.get("/api/v1/me/tokens")).json()["items"][0]
    assert token["expires_at"].startswith("2031-06-30T23:59:59")
    rows = await client.get("/api/v1/me/tokens", headers=HTMX)
    assert "ci bot" in rows.text and "<table" in rows.text


async def test_token_list_pages_with_a_cursor(client, ana):
    for n in range(5):
        await bearer_token(ana, ["read"], name=f"t{n}")
    first = (await client.get("/api/v1/me/tokens?limit=2")).json()
    second = (await client.get(f"/api/v1/me/tokens?limit=2&cursor={first['next_cursor']}")).json()
    third = (await client.get(f"/api/v1/me/tokens?limit=2&cursor={second['next_cursor']}")).json()
    names = [t["name"] for page in (first, second, third) for t in page["items"]]
    assert names == ["t4", "t3", "t2", "t1", "t0"] and third["next_cursor"] is None
    assert (await client.get("/api/v1/me/tokens?limit=101")).status_code == 422
    assert (await client.get("/api/v1/me/tokens?limit=0")).status_code == 422
    assert (await client.get("/api/v1/me/tokens?cursor=garbage")).status_code == 422


async def test_users_directory(client, ana, ben):
    found = (await client.get("/api/v1/users?q=okaf")).json()["items"]
    assert [u["display_name"] for u in found] == ["Ben Okafor"]
    assert "email" not in found[0]
    assert (await client.get("/api/v1/users?q=%25")).json()["items"] == []  # LIKE wildcard is literal
    assert (await client.get(f"/api/v1/users/{ben.id}")).json()["id"] == ben.id
    assert (await client.get("/api/v1/users/usr_missing")).status_code == 404


async def test_api_rate_limits_per_token_with_headers(settings, new_client, app, ana):
    app.state.api_limits.__init__(app.state.limiter, reads="3/minute", writes="2/minute")
    secret = await bearer_token(ana, ["read"])
    async with new_client() as tool:
        auth = {"Authorization": f"Bearer {secret}"}
        first = await tool.get("/api/v1/me", headers=auth)
        assert first.headers["ratelimit-limit"] == "3"
        assert first.headers["ratelimit-remaining"] == "2"
        await tool.get("/api/v1/me", headers=auth)
        await tool.get("/api/v1/me", headers=auth)
        limited = await tool.get("/api/v1/me", headers=auth)
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["retry-after"]) > 0
    assert limited.headers["ratelimit-remaining"] == "0"


async def test_handle_can_be_changed_but_not_to_a_look_alike(client, ana, ben):
    mine = await client.patch("/api/v1/me", headers=ana.csrf, json={"handle": "ana"})
    assert mine.status_code == 200 and mine.json()["handle"] == "ana"
    fake = await ben.client.patch("/api/v1/me", headers=ben.csrf, json={"handle": "an-a"})
    assert fake.status_code == 409
    assert fake.json()["errors"][0]["field"] == "handle"
