"""OpenAPI: the problem+json model, the error responses an operation declares, and
`finish_document()`, the pass over the generated document that states where the API is served,
how callers authenticate, and every status each operation can answer.

Security and the usual problem statuses are read from what each route really declares (the
scope its `requires(...)` dependency demands, its method, parameters and body), so routes only
list the statuses that are particular to them with `problems(...)`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from app.web.auth import SAFE_METHODS, SCOPE_ATTR
from app.web.forms import MODEL_ATTR
from app.web.routes import api_routes, dependency_marker


class FieldError(BaseModel):
    field: str | None = None
    msg: str
    loc: list[str | int] | None = None
    type: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "type": "https://lounge.example/problems/not-found", "title": "Not found",
        "status": 404, "detail": "There is nothing at this address.",
        "instance": "/api/v1/lounges/lng_x"}]})

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None


_DESCRIPTIONS = {
    401: "Not signed in, or the token is unknown, revoked or expired",
    403: "Not allowed: the token lacks the scope, the caller the role, or the request a valid "
         "CSRF token or an allowed origin",
    404: "Not found, or not visible to the caller",
    409: "Conflicts with existing state",
    413: "Body too large",
    415: "Body is neither JSON nor a form",
    422: "Invalid input",
    429: "Rate limited; see Retry-After",
    503: "The database cannot be reached just now; see Retry-After",
}


def _problem_content() -> dict[str, Any]:
    return {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


_SECURITY_SCHEMES = {
    "bearerToken": {
        "type": "http", "scheme": "bearer",
        "description": (
            "An API token, sent as `Authorization: Bearer <token>`. Create one with "
            "`POST /api/v1/me/tokens`; its secret is shown once. A token acts only within its "
            "scopes: `read` (every GET), `write` (create, change and delete), `chat` (post, edit "
            "and react to messages, mark channels read) and `admin` (administrators only: "
            "accounts, business goals, every webhook). Each operation names the scope it needs."),
    },
    "sessionCookie": {
        "type": "apiKey", "in": "cookie",
        "description": (
            "The browser session that `POST /api/v1/auth/login` (or registering) sets. It holds "
            "the `read`, `write` and `chat` scopes, and `admin` for administrators. POST, PUT, "
            "PATCH and DELETE also need `csrfToken`."),
    },
    "csrfToken": {
        "type": "apiKey", "in": "header", "name": "X-CSRF-Token",
        "description": (
            "The `csrf_token` that `POST /api/v1/auth/login` returns; required with the session "
            "cookie on POST, PUT, PATCH and DELETE (API tokens need none)."),
    },
}

_SECONDS = {"type": "integer", "minimum": 0}
_RATE_LIMIT_HEADERS = {
    "Retry-After": {"description": "Seconds to wait before trying again", "required": True,
                    "schema": {"type": "integer", "minimum": 1}},
    "RateLimit-Limit": {"description": "Requests allowed per window (API limits)", "schema": _SECONDS},
    "RateLimit-Remaining": {"description": "Requests left in this window (API limits)",
                            "schema": _SECONDS},
    "RateLimit-Reset": {"description": "Seconds until this window ends (API limits)",
                        "schema": _SECONDS},
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry for the problem statuses particular to one operation."""
    return {
        code: {"model": Problem, "description": _DESCRIPTIONS.get(code, "Error"),
               "content": {"application/problem+json": {}}}
        for code in codes
    }


def move_problem_schemas(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI files a `model=` response under application/json, and adds its own 422 shape;
    every error we send is problem+json."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if code == "422":
                    response["description"] = _DESCRIPTIONS[422]
                    response["content"] = _problem_content()
                elif "application/problem+json" in content and "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def finish_document(schema: dict[str, Any], app: Any) -> dict[str, Any]:
    """Servers, licence, security and the complete problem responses of every operation."""
    settings = app.state.settings
    move_problem_schemas(schema)
    _restore_examples(schema, app)
    schema["servers"] = [{"url": settings.base_url.rstrip("/") or "/", "description": "This Lounge"}]
    schema["info"]["license"] = {"name": "MIT", "identifier": "MIT"}
    components = schema.setdefault("components", {})
    components["securitySchemes"] = {
        **_SECURITY_SCHEMES,
        "sessionCookie": {**_SECURITY_SCHEMES["sessionCookie"], "name": settings.session_cookie_name},
    }
    components["headers"] = _RATE_LIMIT_HEADERS
    for route in api_routes(app):
        if not route.include_in_schema:
            continue
        scope = dependency_marker(route, SCOPE_ATTR)
        for method in route.methods:
            operation = schema["paths"][route.path_format][method.lower()]
            _secure(operation, scope, method)
            _answer_problems(operation, scope, method)
    return schema


def _secure(operation: dict[str, Any], scope: str | None, method: str) -> None:
    """Anonymous callers are welcome without a scope; otherwise a token holding it, or the
    session cookie (an administrator's for `admin`), with the CSRF header on unsafe methods."""
    if scope is None:
        operation["security"] = []
        return
    session: dict[str, list[str]] = {"sessionCookie": ["admin"] if scope == "admin" else []}
    if method not in SAFE_METHODS:
        session["csrfToken"] = []
    operation["security"] = [{"bearerToken": [scope]}, session]
    needs = f"Needs the `{scope}` scope."
    operation["description"] = f"{operation.get('description', '').rstrip()}\n\n{needs}".lstrip()


def _answer_problems(operation: dict[str, Any], scope: str | None, method: str) -> None:
    """Add the statuses every operation of its kind can answer to those it declares itself."""
    parameters = operation.get("parameters", [])
    codes: set[int] = {503}  # every operation reads or writes the database
    if scope is not None:
        codes |= {401, 403, 429}  # sign-in, scope, and the API limits
    if method not in SAFE_METHODS:
        codes.add(403)  # the CSRF token and the cross-site guard
    if "requestBody" in operation:
        codes |= {413, 415, 422}
    if parameters:
        codes.add(422)
    if any(parameter["in"] == "path" for parameter in parameters):
        codes.add(404)
    responses = operation.setdefault("responses", {})
    for code in codes:
        responses.setdefault(str(code), {"description": _DESCRIPTIONS[code], "content": _problem_content()})
    if "429" in responses:
        responses["429"]["headers"] = {name: {"$ref": f"#/components/headers/{name}"}
                                       for name in _RATE_LIMIT_HEADERS}
    responses["503"]["headers"] = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}
    operation["responses"] = dict(sorted(responses.items()))


def _restore_examples(schema: dict[str, Any], app: Any) -> None:
    """FastAPI leaves every null out of the document it writes, nulls in examples too, which
    drops required nullable fields from them; put back each model's examples as pydantic
    renders them, matched by schema title."""
    kinds = {kind for route in api_routes(app) if route.include_in_schema
             for kind in (route.response_model, dependency_marker(route, MODEL_ATTR),
                          *(response.get("model") for response in route.responses.values()))
             if kind is not None}
    examples: dict[str, list[Any]] = {}
    for kind in kinds:
        generated = TypeAdapter(kind).json_schema(mode="serialization")
        for definition in (generated, *generated.get("$defs", {}).values()):
            if "examples" in definition and "title" in definition:
                examples[definition["title"]] = definition["examples"]
    for component in schema.get("components", {}).get("schemas", {}).values():
        if "examples" in component and component.get("title") in examples:
            component["examples"] = examples[component["title"]]
