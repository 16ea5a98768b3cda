"""Account rules without HTTP: registration, sessions, tokens, password hashing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.config import Settings
from app.errors import Conflict, RateLimited, Unauthenticated
from app.models import LoginSession
from app.ratelimit import RateLimiter
from app.schemas.accounts import TokenCreate, UserRegister
from app.security import hash_password, verify_password
from app.services import accounts
from tests.conftest import PASSWORD


def registration(email: str, name: str = "Ana") -> UserRegister:
    return UserRegister(email=email, password=PASSWORD, display_name=name)


async def test_passwords_use_argon2id_at_least_at_owasp_minimums():
    encoded = hash_password(PASSWORD)
    assert encoded.startswith("$argon2id$")
    settings = dict(part.split("=") for part in encoded.split("$")[3].split(","))
    assert int(settings["m"]) >= 19456 and int(settings["t"]) >= 2 and int(settings["p"]) >= 1
    assert verify_password(PASSWORD, encoded) and not verify_password("nope", encoded)
    assert not verify_password(PASSWORD, None)


async def test_register_normalises_email_and_refuses_duplicates(db):
    user = await accounts.register_user(db, data=registration(" Ana@Example.COM "))
    assert user.email == "ana@example.com" and user.is_admin
    with pytest.raises(Conflict):
        await accounts.register_user(db, data=registration("ana@example.com", "Other"))


async def test_display_names_are_nfkc_normalised():
    assert registration("a@example.com", "Ａｎａ").display_name == "Ana"


async def test_login_opens_a_new_session_row_each_time(db):
    await accounts.register_user(db, data=registration("ana@example.com"))
    throttle = accounts.LoginThrottle(RateLimiter())
    _, first = await accounts.log_in(db, email="ana@example.com", password=PASSWORD,
                                     address="10.0.0.1", throttle=throttle)
    _, second = await accounts.log_in(db, email="ANA@example.com", password=PASSWORD,
                                      address="10.0.0.1", throttle=throttle)
    assert first != second
    assert len((await db.execute(select(LoginSession))).all()) == 2
    user, login = await accounts.user_for_session(db, secret=first)
    await accounts.log_out(db, login_session_id=login.id)
    assert await accounts.user_for_session(db, secret=first) is None
    assert await accounts.user_for_session(db, secret=second) is not None


async def test_an_attacker_elsewhere_cannot_lock_the_victim_out(db):
    await accounts.register_user(db, data=registration("ana@example.com"))
    throttle = accounts.LoginThrottle(RateLimiter(), "3 per 600 seconds")
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            await accounts.log_in(db, email="ana@example.com", password="wrong!",
                                  address="203.0.113.9", throttle=throttle)
    with pytest.raises(RateLimited) as limited:  # the attacker's address is stopped …
        await accounts.log_in(db, email="ana@example.com", password=PASSWORD,
                              address="203.0.113.9", throttle=throttle)
    assert limited.value.retry_after > 0
    user, _ = await accounts.log_in(db, email="ana@example.com", password=PASSWORD,
                                    address="10.0.0.7", throttle=throttle)  # … Ana is not
    assert user.email == "ana@example.com"


async def test_one_address_spraying_many_accounts_is_stopped(db):
    throttle = accounts.LoginThrottle(RateLimiter(), "2 per 600 seconds")
    for n in range(10):
        with pytest.raises(Unauthenticated):
            await accounts.log_in(db, email=f"user{n}@example.com", password="Winter2026!",
                                  address="203.0.113.9", throttle=throttle)
    with pytest.raises(RateLimited):
        await accounts.log_in(db, email="user99@example.com", password="Winter2026!",
                              address="203.0.113.9", throttle=throttle)


async def test_tokens_resolve_until_revoked(db):
    user = await accounts.register_user(db, data=registration("ana@example.com"))
    token, secret = await accounts.create_token(
        db, user=user, data=TokenCreate(name="bot", scopes=["chat", "read"]),
        granted=frozenset({"read", "chat"}))
    assert token.scopes == ["read", "chat"]
    found_user, found_token = await accounts.user_for_token(db, secret=secret)
    assert found_user.id == user.id and found_token.id == token.id
    await accounts.revoke_token(db, user=user, token_id=token.id)
    assert await accounts.user_for_token(db, secret=secret) is None


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = Settings(data_dir=tmp_path, secret_key=None).secret
    again = Settings(data_dir=tmp_path, secret_key=None).secret
    assert first == again and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_https_base_url_hardens_the_cookie():
    secure = Settings(base_url="https://lounge.example.com")
    assert secure.session_cookie_name == "__Host-lounge_session" and secure.https
    assert Settings(base_url="http://127.0.0.1:8000").session_cookie_name == "lounge_session"


async def test_handles_are_derived_and_look_alikes_refused(db):
    ana = await accounts.register_user(db, data=registration("ana@example.com", "Ana Lima"))
    assert ana.handle == "ana.lima"
    twin = await accounts.register_user(db, data=registration("ana2@example.com", "Ana Lima"))
    assert twin.handle == "ana.lima2"
    for fake in ("ana_lima", "anaIima", "ana1ima", "ANA.LIMA", "a-n-a-l-i-m-a"):
        with pytest.raises(Conflict) as refused:
            await accounts.register_user(db, data=UserRegister(
                email=f"{fake.lower().replace('.', '')}@example.org", password=PASSWORD,
                display_name="Someone", handle=fake))
        assert refused.value.field == "handle"


def test_handle_rules():
    from app.services.handles import check_handle, handle_from_name, skeleton

    assert check_handle("@Ana.Lima") == "ana.lima"
    assert handle_from_name("Zoë Ñúñez-Å") == "zoe.nunez.a"
    assert skeleton("modern") == skeleton("modem")
    for bad in ("", ".ana", "ana.", "a b", "ána", "x" * 31, "ana\u200b"):
        with pytest.raises(ValueError):
            check_handle(bad)


async def test_an_unreachable_limit_store_lets_sign_in_through(db):
    """A Redis restart must not turn sign-in into 500s: the limiter allows and logs."""
    await accounts.register_user(db, data=registration("ana@example.com"))
    throttle = accounts.LoginThrottle(RateLimiter("redis://127.0.0.1:1/0"))
    user, _ = await accounts.log_in(db, email="ana@example.com", password=PASSWORD,
                                    address="10.0.0.1", throttle=throttle)
    assert user.email == "ana@example.com"
