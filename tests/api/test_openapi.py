"""The published OpenAPI document is complete enough for a client generator: every `/api/v1`
operation has a stable operationId, a tag, a documented success body (or 204), the problem
responses it can return, and an example. A new endpoint without these fails here."""

from __future__ import annotations

from typing import Any

import pytest

AUTH_FREE = {"register_user", "log_in", "read_calendar_feed"}


@pytest.fixture
async def spec(client) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(spec: dict[str, Any]):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if path.startswith("/api/v1"):
                yield path, method, operation


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def has_example(spec: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> bool:
    schema = resolve(spec, schema)
    if "examples" in schema or "example" in schema:
        return True
    if depth > 2:
        return False
    items = schema.get("properties", {}).get("items", {}).get("items")
    if items and has_example(spec, items, depth + 1):
        return True
    return any(has_example(spec, option, depth + 1) for option in schema.get("anyOf", []))


async def test_openapi_is_3_1_and_docs_render(client, spec):
    assert spec["openapi"].startswith("3.1")
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "openapi.json" in docs.text


async def test_every_operation_is_complete(spec):
    seen_ids: set[str] = set()
    problems: list[str] = []
    for path, method, op in operations(spec):
        where = f"{method.upper()} {path}"
        op_id = op.get("operationId", "")
        if not op_id or op_id in seen_ids:
            problems.append(f"{where}: missing or duplicate operationId")
        seen_ids.add(op_id)
        if not op.get("tags"):
            problems.append(f"{where}: no tag")
        responses = op.get("responses", {})
        success = [code for code in responses if code.startswith("2")]
        if not success:
            problems.append(f"{where}: no success response")
        for code in success:
            content = responses[code].get("content", {})
            if code != "204" and not content:
                problems.append(f"{where}: {code} has no body schema")
        for code, response in responses.items():
            if code[0] in "45" and "application/problem+json" not in response.get("content", {}):
                problems.append(f"{where}: {code} is not problem+json")
        if op_id not in AUTH_FREE and "401" not in responses:
            problems.append(f"{where}: does not declare 401")
        has_input = bool(op.get("parameters")) or "requestBody" in op
        if has_input and "422" not in responses:
            problems.append(f"{where}: takes input but does not declare 422")
        if "{" in path and "404" not in responses:
            problems.append(f"{where}: has a path id but does not declare 404")
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        examples = [body["schema"]] if body else []
        for code in success:
            schema = responses[code].get("content", {}).get("application/json", {}).get("schema")
            if schema:
                examples.append(schema)
        if examples and not any(has_example(spec, s) for s in examples):
            problems.append(f"{where}: no example in its request or response schema")
    assert not problems, "\n".join(problems)
