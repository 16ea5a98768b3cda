"""`/api/v1/auth`: register, log in, log out. Pages post their forms here too."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.db import Db
from app.errors import Forbidden
from app.schemas.accounts import LoginResult, MePublic, UserLogin, UserRegister
from app.security import csrf_token_for
from app.services import accounts
from app.web.auth import Reader
from app.web.cookies import clear_session_cookie, set_session_cookie
from app.web.forms import FormOrJson
from app.web.negotiation import wants_fragment
from app.web.openapi import problems
from app.web.respond import hx_redirect, respond

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

# Register and log in do not look at an existing session cookie: they start a new one. They
# are still covered by the cross-site guard, which refuses foreign origins (login CSRF).


def _local_path(next_url: str | None) -> str:
    """Only ever redirect within this site."""
    if next_url and next_url.startswith("/") and not next_url.startswith(("//", "/\\")):
        return next_url
    return "/"


@router.post("/register", status_code=201, response_model=MePublic,
             responses=problems(403, 409, 413, 415, 422))
async def register_user(request: Request, db: Db,
                        body: FormOrJson[UserRegister]) -> Response:
    """Create an account and sign it in (the first account becomes an administrator)."""
    settings = request.app.state.settings
    if not settings.allow_registration:
        raise Forbidden("Registration is closed here; ask an administrator for an account.")
    user = await accounts.register_user(db, data=body)
    secret = await accounts.open_login_session(
        db, user=user, user_agent=request.headers.get("user-agent", ""),
        days=settings.session_days)
    public = MePublic.model_validate(user)
    response = respond(request, public, "fragments/signed_in.html", status=201,
                       context={"user": public})
    set_session_cookie(response, settings, secret)
    return hx_redirect(request, "/", response)


@router.post("/login", response_model=LoginResult, responses=problems(401, 403, 415, 422, 429))
async def log_in(request: Request, db: Db, body: FormOrJson[UserLogin],
                 next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    """Check email and password; sets the session cookie and returns the CSRF token."""
    settings = request.app.state.settings
    user, secret = await accounts.log_in(
        db, email=body.email, password=body.password,
        address=request.client.host if request.client else "unknown",
        throttle=request.app.state.login_throttle,
        user_agent=request.headers.get("user-agent", ""), session_days=settings.session_days)
    result = LoginResult(user=MePublic.model_validate(user),
                         csrf_token=csrf_token_for(secret, settings.secret))
    response = respond(request, result, "fragments/signed_in.html", context={"user": result.user})
    set_session_cookie(response, settings, secret)
    return hx_redirect(request, _local_path(next), response)


@router.post("/logout", status_code=204, responses=problems(401, 403))
async def log_out(request: Request, db: Db, caller: Reader) -> Response:
    """End this login session (the cookie stops working at once, everywhere)."""
    if caller.login_session_id is not None:
        await accounts.log_out(db, login_session_id=caller.login_session_id)
    # htmx ignores 204 answers, so it gets a 200 carrying the redirect.
    response = Response(status_code=200 if wants_fragment(request) else 204)
    clear_session_cookie(response, request.app.state.settings)
    return hx_redirect(request, "/login", response)
