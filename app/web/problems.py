"""Every error leaves as one of three things: RFC 9457 problem+json for API callers, an error
fragment for htmx (with each field's message placed beside that field), or a friendly page
for a browser. Nothing leaves as a stack trace.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.errors import AppError
from app.web.allow import allowed_methods
from app.web.error_words import plain_message, sentence
from app.web.labels import label_of
from app.web.negotiation import VARY, source_form_id, wants_fragment, wants_page

log = logging.getLogger("lounge.errors")
# Only our own field names may become part of an element id in an error answer.
_FIELD_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}")

_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Service unavailable",
}


def problem(
    request: Request,
    *,
    status: int,
    detail: str,
    title: str | None = None,
    slug: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    page_errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The answer for an error; `page_errors` are `errors` in a page's words, if they differ."""
    title = title or _TITLES.get(status, "Error")
    slug = slug or title.lower().replace(" ", "-")
    if wants_fragment(request):
        response: Response = request.app.state.templates.TemplateResponse(
            request,
            "fragments/error.html",
            {"status": status, "detail": detail,
             **_beside_fields(source_form_id(request), page_errors or errors or [])},
            status_code=status,
        )
    elif wants_page(request):
        response = request.app.state.templates.TemplateResponse(
            request,
            "pages/error.html",
            {"status": status, "title": title, "detail": detail,
             "errors": _once_per_field(page_errors or errors or [])},
            status_code=status,
        )
    else:
        body: dict[str, Any] = {
            "type": f"https://lounge.example/problems/{slug}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": request.url.path,
        }
        if errors:
            body["errors"] = errors
        response = Response(orjson.dumps(body), status, media_type="application/problem+json")
    response.headers["Vary"] = VARY
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str | None:
    names = [str(part) for part in loc[1:] if isinstance(part, str)] if len(loc) > 1 else []
    return names[0] if names else None


def _once_per_field(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One message per field (a union of types fails once per member), the first one given."""
    seen: set[str] = set()
    kept = []
    for error in errors:
        field = error.get("field")
        if field and field in seen:
            continue
        if field:
            seen.add(field)
        kept.append(error)
    return kept


def _beside_fields(form_id: str | None, errors: list[dict[str, Any]]) -> dict[str, Any]:
    """What the htmx error answer shows: each field's message beside that field, and a summary
    that links to those fields by their labels and says, in words, what belongs to no field."""
    placed, linked, general = [], [], []
    for error in _once_per_field(errors):
        field = error.get("field")
        if form_id and field and _FIELD_NAME.fullmatch(field):
            slot = f"{form_id}-{field}"
            placed.append({"slot": f"{slot}-error", "msg": error["msg"]})
            label = label_of(form_id, field)
            if label:
                linked.append({"href": f"#{slot}", "label": label})
        else:
            general.append(error["msg"])
    return {"placed": placed, "linked": linked, "general": general}


async def app_error_response(request: Request, exc: Exception) -> Response:
    """The problem answer for one of our own errors (`AppError`)."""
    assert isinstance(exc, AppError)
    retry_after = getattr(exc, "retry_after", None)  # RateLimited, ServiceUnavailable
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    if exc.status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="lounge"'}
    errors = [{"field": exc.field, "msg": sentence(exc.detail)}] if exc.field else None
    return problem(request, status=exc.status, title=exc.title, slug=exc.slug,
                   detail=exc.detail, errors=errors, headers=headers)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors, beside = [], []
    for error in exc.errors():
        loc = list(error.get("loc", ()))
        field = _field_of(loc)
        errors.append({
            "loc": [p if isinstance(p, str | int) else str(p) for p in loc],
            "field": field,
            "msg": plain_message(error, field, for_tools=True),
            "type": str(error.get("type", "value_error")),
        })
        beside.append({"field": field, "msg": plain_message(error, field)})
    detail = "; ".join(
        f"{e['field']}: {e['msg']}" if e["field"] else e["msg"] for e in errors
    ) or "The request is not valid."
    return problem(request, status=422, detail=detail, errors=errors, page_errors=beside)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    headers = exc.headers
    if exc.status_code == 404:
        detail = "There is nothing at this address."
    elif exc.status_code == 405:
        headers = {**(headers or {}), "Allow": allowed_methods(request)}
    return problem(request, status=exc.status_code, detail=detail, headers=headers)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(request, status=500, detail="An unexpected error happened; it has been logged.")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error_response)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
