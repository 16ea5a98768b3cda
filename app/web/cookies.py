"""The login session cookie: HttpOnly, SameSite=Lax, Secure (and `__Host-`) over https."""

from __future__ import annotations

from starlette.responses import Response

from app.config import Settings


def set_session_cookie(response: Response, settings: Settings, secret: str) -> None:
    response.set_cookie(
        settings.session_cookie_name, secret, max_age=settings.session_days * 86400,
        path="/", httponly=True, samesite="lax", secure=settings.https,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(settings.session_cookie_name, path="/", httponly=True,
                           samesite="lax", secure=settings.https)
