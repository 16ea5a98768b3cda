"""Who is asking: an htmx partial swap, a browser page load, or an API client."""

from __future__ import annotations

import re

from starlette.requests import Request

VARY = "HX-Request, HX-Request-Type"
_SOURCE_ID = re.compile(r"#([A-Za-z][\w-]{0,63})$")


def wants_fragment(request: Request) -> bool:
    """htmx 4 asks for a fragment with `HX-Request: true` and `HX-Request-Type: partial`."""
    headers = request.headers
    return headers.get("hx-request") == "true" and headers.get("hx-request-type") == "partial"


def wants_page(request: Request) -> bool:
    """A browser navigating (or an htmx `full` request) rather than a tool or a partial swap."""
    return not wants_fragment(request) and "text/html" in request.headers.get("accept", "")


def source_form_id(request: Request) -> str | None:
    """The id of the element that sent an htmx request (`HX-Source: form#register-form`)."""
    match = _SOURCE_ID.search(request.headers.get("hx-source", ""))
    return match.group(1) if match else None
