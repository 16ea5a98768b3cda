"""Who is opening a chat WebSocket: a bearer token (tools and bots), or the session cookie of a
page, which is believed only when the handshake's `Origin` is our own (`LOUNGE_BASE_URL`) or
listed in `LOUNGE_ALLOWED_ORIGINS`. Browsers attach cookies to cross-site WebSocket handshakes,
so a missing, `null` or foreign Origin is refused before the socket is accepted.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocket

from app.config import Settings
from app.errors import Forbidden, Unauthenticated
from app.services import accounts
from app.web.auth import SESSION_SCOPES, Principal, bearer_secret
from app.web.guards import origin_allowed


async def socket_principal(websocket: WebSocket, db: AsyncSession, settings: Settings) -> Principal:
    authorization = websocket.headers.get("authorization")
    if authorization is not None:
        token_secret = bearer_secret(authorization)
        if token_secret is None:
            raise Unauthenticated("Use 'Authorization: Bearer <token>'.")
        found = await accounts.user_for_token(db, secret=token_secret)
        if found is None:
            raise Unauthenticated("This token is unknown, revoked or expired.")
        user, token = found
        scopes = set(token.scopes) & (SESSION_SCOPES | ({"admin"} if user.is_admin else set()))
        if "read" not in scopes and "chat" not in scopes:
            raise Forbidden("This token needs the 'read' or 'chat' scope.")
        return Principal(user=user, via="token", scopes=frozenset(scopes), token_id=token.id)
    secret = websocket.cookies.get(settings.session_cookie_name)
    if not secret:
        raise Unauthenticated("Sign in, or send an API token.")
    origin = websocket.headers.get("origin", "")
    scheme = "https" if websocket.url.scheme in ("wss", "https") else "http"
    if not origin or not origin_allowed(origin, websocket.headers.get("host", ""), scheme,
                                        settings.trusted_origins):
        raise Forbidden("This origin may not open a chat socket.")
    found_session = await accounts.user_for_session(db, secret=secret)
    if found_session is None:
        raise Unauthenticated("Your session has ended; sign in again.")
    user, login = found_session
    scopes = SESSION_SCOPES | ({"admin"} if user.is_admin else set())
    return Principal(user=user, via="session", scopes=frozenset(scopes), login_session_id=login.id)
