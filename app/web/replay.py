"""Answers a repeated `GET /api/v1/lounges` from the lounge directory memory before routing
and dependency resolution, which on this hot path cost more than the answer itself.

Only what the route itself answered is replayed: the same person (a bearer token still in the
token memory, holding `read`), the same query string as sent, nothing written to the directory
since (see `app.services.lounge_directory`). Rate limits count as on every request. Anything
else (htmx fragments, cookie sessions, a first request) goes the normal way, which is what
fills the memory.
"""

from __future__ import annotations

from types import SimpleNamespace

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import RateLimited
from app.security import digest
from app.services.lounge_directory import directory_key
from app.web.auth import bearer_secret
from app.web.negotiation import wants_fragment
from app.web.problems import app_error_response
from app.web.respond import json_response

DIRECTORY_PATH = "/api/v1/lounges"
# What the metrics label the replayed answers with, as the route would be labelled.
DIRECTORY_ROUTE = SimpleNamespace(path=DIRECTORY_PATH)


class ReplayDirectoryPages:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != DIRECTORY_PATH or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        entry = self._remembered(request)
        if entry is None:
            await self.app(scope, receive, send)
            return
        body, user_id, token_id = entry
        state = scope["app"].state
        try:
            await state.api_limits.check(request, user_id=user_id, token_id=token_id)
        except RateLimited as exc:
            response = await app_error_response(request, exc)
        else:
            response = json_response(body)
        scope["route"] = DIRECTORY_ROUTE
        await response(scope, receive, send)

    @staticmethod
    def _remembered(request: Request) -> tuple[bytes, str, str] | None:
        if wants_fragment(request):
            return None
        secret = bearer_secret(request.headers.get("authorization"))
        if secret is None:
            return None
        state = request.app.state
        found = state.token_cache.peek(digest(secret))
        if found is None:
            return None
        user, token = found
        if "read" not in token["scopes"]:
            return None
        page = state.lounge_directory.get(directory_key(user["id"], request.scope["query_string"]))
        if page is None:
            return None
        return page.json, user["id"], token["id"]
