"""Accounts: registering, signing in and out, profiles, and personal API tokens.

Login sessions and tokens are looked up by the SHA-256 of their secret; the secret itself
is returned once (cookie or creation response) and never stored.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, Forbidden, NotFound, RateLimited, Unauthenticated
from app.models import ApiToken, LoginSession, User
from app.ratelimit import RateLimiter
from app.schemas.accounts import MeUpdate, TokenCreate, UserRegister
from app.security import digest, hash_password, new_api_token, new_secret, verify_password
from app.services import people
from app.services.handles import handle_from_name, skeleton
from app.services.pagination import page_of

WRONG_CREDENTIALS = "That email and password do not match an account."


def _now() -> datetime:
    return datetime.now(UTC)


async def register_user(db: AsyncSession, *, data: UserRegister) -> User:
    """Create an account; the very first account becomes an admin."""
    email = data.email.strip().lower()
    if await db.scalar(select(User.id).where(User.email == email)):
        raise Conflict("An account with this email already exists.", field="email")
    is_first = not await db.scalar(select(func.count()).select_from(User))
    if data.handle is not None:
        handle = await _free_handle(db, data.handle)
    else:
        handle = await _suggest_handle(db, handle_from_name(data.display_name))
    user = User(
        email=email,
        password_hash=await asyncio.to_thread(hash_password, data.password),
        display_name=data.display_name,
        handle=handle,
        handle_key=skeleton(handle),
        time_zone=data.time_zone,
        is_admin=is_first,
    )
    db.add(user)
    try:
        await db.commit()
    except IntegrityError as exc:  # a concurrent registration with the same email or handle won
        await db.rollback()
        raise Conflict("An account with this email or handle already exists.", field="email") from exc
    return user


async def _handle_taken(db: AsyncSession, handle: str, *, except_user: str | None = None) -> bool:
    query = select(User.id).where(User.handle_key == skeleton(handle))
    if except_user is not None:
        query = query.where(User.id != except_user)
    return await db.scalar(query) is not None


async def _free_handle(db: AsyncSession, handle: str, *, except_user: str | None = None) -> str:
    if await _handle_taken(db, handle, except_user=except_user):
        raise Conflict(f"@{handle} is taken, or looks too much like a handle someone has.",
                       field="handle")
    return handle


async def _suggest_handle(db: AsyncSession, base: str) -> str:
    for n in range(1, 1000):
        candidate = base if n == 1 else f"{base[:26]}{n}"
        if not await _handle_taken(db, candidate):
            return candidate
    raise Conflict("Choose a handle; the suggested ones are all taken.", field="handle")


@dataclass(frozen=True)
class LoginThrottle:
    """Counts failed sign-ins; a key whose budget is spent is refused until its window moves on.

    Three budgets, so that guessing is slow but an attacker cannot lock a victim out for long:
    - one account from one address: `spec` (10 failures in 10 minutes by default);
    - one address over all accounts: 5 × `spec` (stops spraying one password over many accounts
      without locking out a whole office behind one NAT for a few typos);
    - one account from all addresses: 100 failures an hour (a distributed attack can hold an
      account for at most an hour, and only while it keeps failing from many addresses).
    """

    limiter: RateLimiter
    spec: str = "10 per 600 seconds"

    def _budgets(self, email: str, address: str) -> list[tuple[str, tuple[str, ...]]]:
        item = self.limiter.limit(self.spec)
        per_address = f"{item.amount * 5} per {item.get_expiry()} seconds"
        return [
            (self.spec, ("login-pair", email, address)),
            (per_address, ("login-address", address)),
            ("100 per 3600 seconds", ("login-account", email)),
        ]

    async def check(self, email: str, address: str) -> None:
        for spec, keys in self._budgets(email, address):
            item = self.limiter.limit(spec)
            if not await self.limiter.allowed(item, *keys):
                _, retry_after = await self.limiter.remaining(item, *keys)
                raise RateLimited(
                    "Too many failed sign-in attempts. Wait a few minutes and try again.",
                    retry_after=retry_after,
                )

    async def failed(self, email: str, address: str) -> None:
        for spec, keys in self._budgets(email, address):
            await self.limiter.hit(self.limiter.limit(spec), *keys)


async def log_in(
    db: AsyncSession, *, email: str, password: str, address: str, throttle: LoginThrottle,
    user_agent: str = "", session_days: int = 14,
) -> tuple[User, str]:
    """Check the password and open a login session; returns the user and the cookie secret."""
    email = email.strip().lower()
    await throttle.check(email, address)
    user = await db.scalar(select(User).where(User.email == email))
    # An unknown email still costs one Argon2 verification, so timing does not tell them apart.
    # Argon2 takes tens of milliseconds: off the event loop, other requests keep being served.
    if not await asyncio.to_thread(verify_password, password, user.password_hash if user else None) \
            or user is None:
        await throttle.failed(email, address)
        raise Unauthenticated(WRONG_CREDENTIALS, field="password")
    secret = await open_login_session(db, user=user, user_agent=user_agent, days=session_days)
    return user, secret


async def open_login_session(db: AsyncSession, *, user: User, user_agent: str = "",
                             days: int = 14) -> str:
    """A fresh session (never a reused id) for a user who has just proved who they are."""
    secret = new_secret()
    db.add(LoginSession(user_id=user.id, token_hash=digest(secret), user_agent=user_agent[:255],
                        expires_at=_now() + timedelta(days=days)))
    await db.commit()
    return secret


async def log_out(db: AsyncSession, *, login_session_id: str) -> None:
    await db.execute(
        update(LoginSession)
        .where(LoginSession.id == login_session_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=_now())
    )
    await db.commit()


async def user_for_session(db: AsyncSession, *, secret: str) -> tuple[User, LoginSession] | None:
    row = (await db.execute(
        select(User, LoginSession)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == digest(secret), LoginSession.revoked_at.is_(None),
               LoginSession.expires_at > _now())
    )).first()
    return (row[0], row[1]) if row else None


async def user_for_token(db: AsyncSession, *, secret: str) -> tuple[User, ApiToken] | None:
    row = (await db.execute(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_(None))
    )).first()
    if row is None:
        return None
    user, token = row
    if token.expires_at is not None and token.expires_at <= _now():
        return None
    return user, token


async def update_profile(db: AsyncSession, *, user: User, changes: MeUpdate) -> User:
    values = changes.model_dump(exclude_unset=True)
    if "handle" in values:
        await _free_handle(db, values["handle"], except_user=user.id)
        values["handle_key"] = skeleton(values["handle"])
    if "manager_id" in values:
        await people.check_manager(db, user_id=user.id, manager_id=values["manager_id"])
    user = await db.merge(user)
    for name, value in values.items():
        setattr(user, name, "" if name == "bio" and value is None else value)
    await db.commit()
    return user


async def get_user(db: AsyncSession, *, user_id: str) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("No person has this id.")
    return user


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


async def find_users(db: AsyncSession, *, q: str | None, cursor: str | None,
                     limit: int) -> tuple[list[User], str | None]:
    query = select(User)
    if q:
        query = query.where(func.lower(User.display_name).like(_like_pattern(q), escape="\\"))
    return await page_of(db, query, User, cursor=cursor, limit=limit)


async def create_token(db: AsyncSession, *, user: User, data: TokenCreate,
                       granted: frozenset[str]) -> tuple[ApiToken, str]:
    """Mint a token; a caller can only hand out scopes it holds itself."""
    extra = [s for s in data.scopes if s not in granted]
    if extra:
        raise Forbidden(f"You cannot grant scopes you do not hold: {', '.join(extra)}.",
                        field="scopes")
    secret = new_api_token()
    token = ApiToken(user_id=user.id, name=data.name, token_hash=digest(secret),
                     prefix=secret[:10], scopes=list(data.scopes), expires_at=data.expires_at)
    db.add(token)
    await db.commit()
    return token, secret


async def list_tokens(db: AsyncSession, *, user: User, cursor: str | None,
                      limit: int) -> tuple[list[ApiToken], str | None]:
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    return await page_of(db, query, ApiToken, cursor=cursor, limit=limit, newest_first=True)


async def revoke_token(db: AsyncSession, *, user: User, token_id: str) -> ApiToken:
    token = await db.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if token is None:
        raise NotFound("You have no token with this id.")
    if token.revoked_at is None:
        token.revoked_at = _now()
        await db.commit()
    return token
