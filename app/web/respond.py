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


def json_response(body: bytes, *, status: int = 200) -> Response:
    """A JSON answer as every endpoint gives it (varying on the htmx headers)."""
    return JSONResponse(body, status_code=status, headers={"Vary": VARY})


def respond(
    request: Request,
    data: BaseModel | None,
    template: str,
    *,
    status: int = 200,
    context: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    json: bytes | None = None,
) -> Response:
    """JSON for tools; `template` rendered with `item=data` for htmx partial requests.

    `json` is `data` already serialised, for answers kept in memory.
    """
    if wants_fragment(request):
        templates = request.app.state.templates
        response: Response = templates.TemplateResponse(
            request, template, {"item": data, **(context or {})}, status_code=status
        )
        response.headers["Vary"] = VARY
    elif data is None:
        response = Response(status_code=204 if status == 200 else status, headers={"Vary": VARY})
    else:
        response = json_response(json if json is not None else to_json(data), status=status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def hx_redirect(request: Request, url: str, response: Response) -> Response:
    """Send htmx to another page after a successful action (login, register, logout)."""
    if wants_fragment(request):
        response.headers["HX-Redirect"] = url
    return response
