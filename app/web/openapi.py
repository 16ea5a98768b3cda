"""OpenAPI helpers: the problem+json model and the error responses an operation declares."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


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
    403: "Signed in but not allowed (scope, role or CSRF)",
    404: "Not found, or not visible to the caller",
    409: "Conflicts with existing state",
    413: "Body too large",
    415: "Body is neither JSON nor a form",
    422: "Invalid input",
    429: "Rate limited; see Retry-After",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry for the problem statuses an operation can return."""
    return {
        code: {"model": Problem, "description": _DESCRIPTIONS.get(code, "Error"),
               "content": {"application/problem+json": {}}}
        for code in codes
    }


def move_problem_schemas(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI files a `model=` response under application/json, and adds its own 422 shape;
    every error we send is problem+json."""
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if code == "422":
                    response["description"] = _DESCRIPTIONS[422]
                    response["content"] = {"application/problem+json": {"schema": problem_ref}}
                elif "application/problem+json" in content and "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema
