"""The published OpenAPI document is complete enough for a client generator and tells the
truth: every `/api/v1` operation has a stable operationId, a tag, a documented success body
(or 204), the security it really requires, the problem responses it can return, and an
example; every example validates against its own schema; and the OpenAPI linter finds
nothing to report. A new endpoint without these fails here."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from app.config import Settings
from app.main import create_app

# The operations anyone may call: no token, no session.
AUTH_FREE = {"register_user", "log_in", "read_calendar_feed"}
SAFE_METHODS = {"get", "head", "options"}
REDOCLY = Path(__file__).resolve().parents[2] / "var" / "node" / "node_modules" / ".bin" / "redocly"


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
        security = op.get("security")
        if security is None:
            problems.append(f"{where}: no security")
        elif (security == []) != (op_id in AUTH_FREE):
            problems.append(f"{where}: security {security} but anonymous is {op_id in AUTH_FREE}")
        elif security and not {"401", "403", "429"} <= set(responses):
            problems.append(f"{where}: requires a sign-in but does not declare 401, 403 and 429")
        if "429" in responses and "Retry-After" not in responses["429"].get("headers", {}):
            problems.append(f"{where}: 429 without Retry-After")
        if "requestBody" in op and not {"413", "415", "422"} <= set(responses):
            problems.append(f"{where}: takes a body but does not declare 413, 415 and 422")
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


def test_security_follows_the_routes(spec):
    """A token with the scope, or the session cookie (with the CSRF header on unsafe methods)."""
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {**schemes["bearerToken"], "type": "http", "scheme": "bearer"}
    assert schemes["csrfToken"]["name"] == "X-CSRF-Token"
    for path, method, op in operations(spec):
        if not op["security"]:
            continue
        token, session = op["security"]
        [scope] = token["bearerToken"]
        assert scope in {"read", "write", "chat", "admin"}
        assert session["sessionCookie"] == (["admin"] if scope == "admin" else [])
        assert ("csrfToken" in session) == (method not in SAFE_METHODS), f"{method} {path}"
    assert spec["paths"]["/api/v1/users/{user_id}"]["patch"]["security"][0] == {"bearerToken": ["admin"]}
    assert spec["paths"]["/api/v1/channels/{channel_id}/messages"]["post"]["security"] == [
        {"bearerToken": ["chat"]}, {"sessionCookie": [], "csrfToken": []}]


def test_servers_and_cookie_come_from_the_settings(settings, spec):
    assert spec["servers"][0]["url"] == settings.base_url
    assert spec["components"]["securitySchemes"]["sessionCookie"]["name"] == settings.session_cookie_name
    assert spec["info"]["license"]["identifier"] == "MIT"
    https = create_app(Settings(database_url="sqlite+aiosqlite://", secret_key="x",
                                base_url="https://lounge.example.com/")).openapi()
    assert https["servers"][0]["url"] == "https://lounge.example.com"
    assert https["components"]["securitySchemes"]["sessionCookie"]["name"] == "__Host-lounge_session"


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _schema_examples(pointer: str, schema: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(where, pointer of the schema, value) for the examples of a schema and its subschemas."""
    for i, value in enumerate(schema.get("examples", [])):
        yield f"{pointer}/examples/{i}", pointer, value
    if "example" in schema:
        yield f"{pointer}/example", pointer, schema["example"]
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), dict):
            yield from _schema_examples(f"{pointer}/{key}", schema[key])
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for i, option in enumerate(schema.get(key, [])):
            yield from _schema_examples(f"{pointer}/{key}/{i}", option)
    for key in ("properties", "$defs"):
        for name, child in schema.get(key, {}).items():
            yield from _schema_examples(f"{pointer}/{key}/{_escape(name)}", child)


def _carried_examples(pointer: str, node: Any) -> Iterator[tuple[str, str, Any]]:
    """Examples of parameters, headers and media types: whatever holds a `schema` may carry an
    `example` or named Example objects next to it, and examples inside that schema."""
    if isinstance(node, list):
        for i, child in enumerate(node):
            yield from _carried_examples(f"{pointer}/{i}", child)
    elif isinstance(node, dict):
        if isinstance(node.get("schema"), dict):
            schema_at = f"{pointer}/schema"
            yield from _schema_examples(schema_at, node["schema"])
            if "example" in node:
                yield f"{pointer}/example", schema_at, node["example"]
            for name, example in node.get("examples", {}).items():
                yield f"{pointer}/examples/{_escape(name)}", schema_at, example["value"]
        for key, child in node.items():
            if key != "schema":
                yield from _carried_examples(f"{pointer}/{_escape(key)}", child)


def every_example(spec: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    for name, schema in spec["components"]["schemas"].items():
        yield from _schema_examples(f"/components/schemas/{_escape(name)}", schema)
    yield from _carried_examples("/paths", spec["paths"])
    for section, entries in spec["components"].items():
        if section != "schemas":
            yield from _carried_examples(f"/components/{section}", entries)


def validator(spec: dict[str, Any], pointer: str) -> jsonschema_rs.Validator:
    """The schema at `pointer`, its `$ref`s resolved within the document, dates checked."""
    fragment = pointer.replace("{", "%7B").replace("}", "%7D")
    return jsonschema_rs.Draft202012Validator({**spec, "$ref": f"#{fragment}"}, validate_formats=True)


def test_every_example_validates_against_its_schema(spec):
    dated = validator(spec, "/components/schemas/SessionPublic/properties/starts_at")
    assert not dated.is_valid("2027-03-04T12:30:00"), "date-time formats must be checked"
    found = list(every_example(spec))
    assert len(found) >= 60
    invalid = [f"#{where}{''.join(f'/{step}' for step in error.instance_path)}: {error.message}"
               for where, schema_at, value in found
               for error in validator(spec, schema_at).iter_errors(value)]
    assert not invalid, "\n".join(invalid)


def test_the_openapi_linter_finds_nothing(spec, tmp_path):
    """`redocly lint` with its recommended rules: no error and no warning."""
    if not REDOCLY.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("The OpenAPI linter is missing; `make node-tools` installs it.")
        pytest.skip("The OpenAPI linter is not installed; `make node-tools` installs it.")
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(spec))
    run = subprocess.run(  # noqa: S603 - our own pinned tool on our own file
        [REDOCLY, "lint", str(document), "--format=json", "--max-problems=1000"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"})
    assert run.stdout.strip(), run.stderr
    found = [f"{problem['severity']} {problem['ruleId']}: {problem['message']} at "
             f"{', '.join(place.get('pointer', '?') for place in problem['location'])}"
             for problem in json.loads(run.stdout)["problems"]]
    assert not found, "\n".join(found)
