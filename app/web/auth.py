"""Who is calling: one resolver for the session cookie or a bearer token, and the
dependencies routes declare (`Reader`, `Writer`, `Chatter`, `AdminUser`, `MaybeUser`).

A cookie-authenticated unsafe request must carry the session's CSRF token in `X-CSRF-Token`;
bearer requests are exempt (a browser never attaches them on its own).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from fastapi import Depends, Request

from app.db import Db
from app.errors import Forbidden, Unauthenticated
from app.models import User
from app.security import csrf_token_for, digest, same_secret
from app.services import accounts

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_SCOPES = frozenset({"read", "write", "chat"})
# The scope a `requires(...)` dependency demands, readable from the route (OpenAPI reads it).
SCOPE_ATTR = "__required_scope__"


@dataclass(frozen=True)
class Principal:
    user: User
    via: Literal["session", "token"]
    scopes: frozenset[str]
    login_session_id: str | None = None
    token_id: str | None = None
    csrf_token: str | None = field(default=None, repr=False)


def bearer_secret(authorization: str | None) -> str | None:
    """The token in `Authorization: Bearer <token>`, or None when the header is absent or malformed."""
    scheme, _, secret = (authorization or "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


async def _resolve(request: Request, db: Db) -> Principal | None:
    cached = getattr(request.state, "principal", False)
    if cached is not False:
        return cached
    principal: Principal | None = None
    authorization = request.headers.get("authorization")
    if authorization is not None:
        secret = bearer_secret(authorization)
        if secret is None:
            raise Unauthenticated("Use 'Authorization: Bearer <token>'.")
        found = await request.app.state.token_cache.get_or_load(
            digest(secret), lambda: accounts.user_for_token(db, secret=secret))
        if found is None:
            raise Unauthenticated("This token is unknown, revoked or expired.")
        user, token = found
        allowed = set(token.scopes) & (SESSION_SCOPES | ({"admin"} if user.is_admin else set()))
        principal = Principal(user=user, via="token", scopes=frozenset(allowed), token_id=token.id)
    else:
        settings = request.app.state.settings
        secret = request.cookies.get(settings.session_cookie_name)
        if secret:
            found_session = await accounts.user_for_session(db, secret=secret)
            if found_session is not None:
                user, login = found_session
                scopes = SESSION_SCOPES | ({"admin"} if user.is_admin else set())
                principal = Principal(
                    user=user, via="session", scopes=frozenset(scopes),
                    login_session_id=login.id,
                    csrf_token=csrf_token_for(secret, settings.secret),
                )
    if principal is not None and principal.via == "session" and request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not sent or not same_secret(sent, principal.csrf_token or ""):
            raise Forbidden("The CSRF token is missing or wrong. Reload the page and try again.")
    request.state.principal = principal
    return principal


def requires(scope: str):
    """A dependency that demands a signed-in caller holding `scope`."""

    async def dependency(request: Request,
                         principal: Annotated[Principal | None, Depends(_resolve)]) -> Principal:
        if principal is None:
            raise Unauthenticated("Sign in, or send an API token.")
        if scope not in principal.scopes:
            if principal.via == "token":
                raise Forbidden(f"This token lacks the '{scope}' scope.")
            raise Forbidden("Only administrators may do this.")
        await request.app.state.api_limits.check(
            request, user_id=principal.user.id, token_id=principal.token_id)
        return principal

    dependency.__name__ = f"requires_{scope}"
    setattr(dependency, SCOPE_ATTR, scope)
    return dependency


async def _maybe_reader(principal: Annotated[Principal | None, Depends(_resolve)]) -> Principal | None:
    """Pages: anonymous visitors (each page decides what they get) or callers who may read; a
    token without the `read` scope is shown no page."""
    if principal is not None and "read" not in principal.scopes:
        raise Forbidden("This token lacks the 'read' scope.")
    return principal


MaybeUser = Annotated[Principal | None, Depends(_maybe_reader)]
Reader = Annotated[Principal, Depends(requires("read"))]
Writer = Annotated[Principal, Depends(requires("write"))]
Chatter = Annotated[Principal, Depends(requires("chat"))]
AdminUser = Annotated[Principal, Depends(requires("admin"))]
