"""One endpoint, two representations: `respond()` answers JSON, or an HTML fragment for htmx.

The fragment is rendered from the very model the JSON is made of, so a page can never show
more than the API would. Every answer varies on the htmx headers, so caches and the
back button never mix the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from app.web.negotiation import VARY, wants_fragment


class JSONResponse(Response):
    """JSON from pydantic's own serialiser (no per-request validation pass)."""

    media_type = "application/json"


def to_json(data: BaseModel) -> bytes:
    return data.__pydantic_serializer__.to_json(data)


def respond(
    request: Request,
    data: BaseModel | None,
    template: str,
    *,
    status: int = 200,
    context: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """JSON for tools; `template` rendered with `item=data` for htmx partial requests."""
    if wants_fragment(request):
        templates = request.app.state.templates
        response: Response = templates.TemplateResponse(
            request, template, {"item": data, **(context or {})}, status_code=status
        )
    elif data is None:
        response = Response(status_code=204 if status == 200 else status)
    else:
        response = JSONResponse(to_json(data), status_code=status)
    response.headers["Vary"] = VARY
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def hx_redirect(request: Request, url: str, response: Response) -> Response:
    """Send htmx to another page after a successful action (login, register, logout)."""
    if wants_fragment(request):
        response.headers["HX-Redirect"] = url
    return response
