"""Registration, login and logout through `/api/v1/auth`, as tools and pages call them."""

from __future__ import annotations

import statistics
import time

import httpx
import pytest
from sqlalchemy import select

from app.models import LoginSession, User
from tests.conftest import PASSWORD, sign_up

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


async def test_first_account_is_admin_and_later_ones_are_not(client, new_client):
    first = await client.post("/api/v1/auth/register", json={
        "email": "Ana@Example.com", "password": PASSWORD, "display_name": "Ana"})
    assert first.status_code == 201
    assert first.json()["is_admin"] is True
    assert first.json()["email"] == "ana@example.com"
    assert "password_hash" not in first.json()
    async with new_client() as other:
        second = await other.post("/api/v1/auth/register", json={
            "email": "ben@example.com", "password": PASSWORD, "display_name": "Ben"})
    assert second.status_code == 201
    assert second.json()["is_admin"] is False


async def test_register_answers_vary_on_htmx_headers(client):
    response = await client.post("/api/v1/auth/register", json={
        "email": "ana@example.com", "password": PASSWORD, "display_name": "Ana"})
    assert response.headers["vary"] == "HX-Request, HX-Request-Type"
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(("payload", "field", "message"), [
    ({"email": "not-an-email", "password": PASSWORD, "display_name": "A"}, "email",
     "valid email address"),
    ({"email": "a@example.com", "password": "short", "display_name": "A"}, "password",
     "at least 10 characters"),
    ({"email": "a@example.com", "password": PASSWORD, "display_name": "  "}, "display_name",
     "Enter a display name"),
    ({"email": "a@example.com", "password": PASSWORD, "display_name": "A",
      "time_zone": "Mars/Olympus"}, "time_zone", "not a known IANA time zone"),
    ({"email": "a@example.com", "password": PASSWORD, "display_name": "A\u202eevil"},
     "display_name", "direction-changing"),
])
async def test_register_rejects_bad_input_with_a_problem(client, db, payload, field, message):
    response = await client.post("/api/v1/auth/register", json=payload)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "Invalid input"
    assert any(e["field"] == field and message in e["msg"] for e in problem["errors"]), problem
    assert (await db.execute(select(User))).first() is None  # nothing half-written


async def test_duplicate_email_is_a_conflict(client, ana, new_client):
    async with new_client() as other:
        response = await other.post("/api/v1/auth/register", json={
            "email": "ANA@example.com", "password": PASSWORD, "display_name": "Imposter"})
    assert response.status_code == 409
    assert response.json()["errors"] == [
        {"field": "email", "msg": "An account with this email already exists."}]


async def test_register_accepts_a_plain_form(client):
    response = await client.post("/api/v1/auth/register", data={
        "email": "ana@example.com", "password": PASSWORD, "display_name": "Ana",
        "time_zone": "Europe/Lisbon"})
    assert response.status_code == 201, response.text
    assert response.json()["time_zone"] == "Europe/Lisbon"


async def test_register_from_htmx_redirects_home_and_sets_the_cookie(client):
    response = await client.post("/api/v1/auth/register", headers=HTMX, data={
        "email": "ana@example.com", "password": PASSWORD, "display_name": "Ana"})
    assert response.status_code == 201
    assert response.headers["hx-redirect"] == "/"
    assert "text/html" in response.headers["content-type"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("lounge_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie


async def test_htmx_validation_errors_land_beside_their_fields(client):
    response = await client.post(
        "/api/v1/auth/register", headers={**HTMX, "HX-Source": "form#register-form"},
        data={"email": "nope", "password": "short", "display_name": "Ana"})
    assert response.status_code == 422
    html = response.text
    assert 'hx-target="#register-form-email-error"' in html
    assert 'hx-target="#register-form-password-error"' in html
    assert "Use at least 10 characters" in html
    assert 'role="alert"' in html


async def test_login_returns_csrf_token_and_sets_a_new_session_each_time(client, ana, db):
    again = await client.post("/api/v1/auth/login", json={"email": ana.email, "password": PASSWORD})
    assert again.status_code == 200
    assert again.json()["csrf_token"] != ana.csrf_token
    sessions = (await db.execute(select(LoginSession).where(LoginSession.user_id == ana.id))).all()
    assert len(sessions) == 3  # register, the fixture's login, this login


@pytest.mark.parametrize("email", ["ana@example.com", "nobody@example.com"])
async def test_wrong_password_and_unknown_email_look_the_same(client, ana, new_client, email):
    async with new_client() as other:
        response = await other.post("/api/v1/auth/login",
                                    json={"email": email, "password": "wrong password!"})
    assert response.status_code == 401
    assert response.json()["detail"] == "That email and password do not match an account."
    assert response.json()["errors"][0]["field"] == "password"


async def test_eleventh_failed_login_is_rate_limited(client, ana, new_client):
    async with new_client() as other:
        for _ in range(10):
            failed = await other.post("/api/v1/auth/login",
                                      json={"email": ana.email, "password": "wrong password!"})
            assert failed.status_code == 401
        limited = await other.post("/api/v1/auth/login",
                                   json={"email": ana.email, "password": PASSWORD})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert limited.headers["content-type"] == "application/problem+json"


async def test_logout_revokes_the_session_for_good(client, ana):
    stolen_cookie = client.cookies.get("lounge_session")
    response = await client.post("/api/v1/auth/logout", headers=ana.csrf)
    assert response.status_code == 204
    assert (await client.get("/api/v1/me")).status_code == 401
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver",
                                 cookies={"lounge_session": stolen_cookie}) as replay:
        assert (await replay.get("/api/v1/me")).status_code == 401


async def test_registration_can_be_closed(settings, client):
    settings.allow_registration = False
    response = await client.post("/api/v1/auth/register", json={
        "email": "x@example.com", "password": PASSWORD, "display_name": "X"})
    assert response.status_code == 403


async def test_sign_up_helper_gives_a_working_session(client):
    account = await sign_up(client, "carla@example.com", "Carla")
    me = await client.get("/api/v1/me")
    assert me.json()["id"] == account.id


@pytest.mark.real_argon2
async def test_unknown_email_costs_as_much_as_a_wrong_password(client, ana, new_client):
    """Timing must not reveal which emails have accounts. Both paths run one Argon2 check, so
    their medians are close; without the dummy check the unknown email would be ~10× faster.
    The bound is loose on purpose (a noisy shared machine), yet far from that 10×."""
    durations: dict[str, list[float]] = {"known": [], "unknown": []}
    async with new_client() as other:
        for n in range(8):
            for kind, email in (("known", ana.email), ("unknown", f"nobody{n}@example.com")):
                started = time.perf_counter()
                response = await other.post("/api/v1/auth/login",
                                            json={"email": email, "password": "wrong password!"})
                durations[kind].append(time.perf_counter() - started)
                assert response.status_code in (401, 429)
    ratio = statistics.median(durations["unknown"]) / statistics.median(durations["known"])
    assert 0.4 < ratio < 2.5, durations
