"""The `Allow` header of a 405 answer: every method the path has, across all its routes.

Routing stops at the first route whose path matches, so on its own a 405 would list only that
route's methods (`GET` for `/api/v1/me`, which also has `PATCH`).
"""

from __future__ import annotations

from fastapi.routing import iter_route_contexts
from starlette.requests import Request
from starlette.routing import Match


def allowed_methods(request: Request) -> str:
    """The methods of every route of the app whose path matches the request's, as `Allow` lists
    them."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= route.methods or set()
    return ", ".join(sorted(methods))
