"""Every API route of an app, flattened out of included routers, with its full path.

OpenAPI post-processing and the tests that sweep all routes (authorization, CSRF, bad input)
read the route list from here, so a new route can never be missed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import routing


def api_routes(app: Any) -> Iterator[Any]:
    """Route contexts (path_format, methods, dependant, name, …) of every `APIRoute`."""
    for context in routing.iter_route_contexts(app.routes):
        if isinstance(context.original_route, routing.APIRoute):
            yield context


def dependency_marker(route: Any, attribute: str) -> Any:
    """The value a dependency of `route` carries in `attribute` (a body model, a required
    scope, …), searched through the nested dependencies; None when none carries it."""
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        value = getattr(dependency.call, attribute, None)
        if value is not None:
            return value
        stack.extend(dependency.dependencies)
    return None
