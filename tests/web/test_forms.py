"""`FormOrJson`: the same model from a JSON body or a form, and its OpenAPI documentation."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar

import httpx
import jsonschema_rs
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import FormData

from app.config import Settings
from app.main import create_app
from app.schemas.common import JsonBool
from app.web.forms import FormOrJson, body_models, document_bodies, form_to_dict
from app.web.problems import install_problem_handlers
from app.web.respond import respond
from app.web.templates import make_templates


class Colour(StrEnum):
    red = "red"
    blue = "blue"


class Part(BaseModel):
    label: str


class Thing(BaseModel):
    name: Annotated[str, Field(min_length=1)]
    tags: list[str] = []
    size: int | None = None
    limit: int | None = 5
    note: str | None = None
    ids: Annotated[list[Annotated[str, Field(max_length=8)]], Field(max_length=3)] | None = None
    colour: Colour = Colour.red
    part: Part | None = None
    form_blank_clears: ClassVar[frozenset[str]] = frozenset({"limit"})


def make_app() -> FastAPI:
    app = FastAPI()
    app.state.templates = make_templates()
    install_problem_handlers(app)

    @app.post("/things", response_model=Thing)
    async def create_thing(request: Request, body: FormOrJson[Thing]):
        return respond(request, body, "fragments/user_card.html",
                       context={"item": {"display_name": body.name, "bio": ""}})

    @app.post("/things/fields")
    async def fields_given(body: FormOrJson[Thing]):
        return sorted(body.model_fields_set)

    return app


async def post(app: FastAPI, path: str = "/things", **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        return await c.post(path, **kwargs)


async def test_json_and_form_give_the_same_model():
    app = make_app()
    as_json = await post(app, json={"name": "a", "tags": ["x", "y"], "size": 3})
    as_form = await post(app, data={"name": "a", "tags": ["x", "y"], "size": "3"})
    assert as_json.json() == as_form.json() == {
        "name": "a", "tags": ["x", "y"], "size": 3, "limit": 5, "note": None, "ids": None,
        "colour": "red", "part": None}


async def test_a_list_is_its_field_repeated_whatever_wraps_its_type():
    # `ids` is `Annotated[list[...], Field(...)] | None`: constraints and null around the list.
    response = await post(make_app(), content=b"name=a&ids=x&ids=y&tags=t",
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200, response.text
    assert (response.json()["ids"], response.json()["tags"]) == (["x", "y"], ["t"])
    one = await post(make_app(), data={"name": "a", "ids": "x"})
    assert one.json()["ids"] == ["x"]
    too_many = await post(make_app(), data={"name": "a", "ids": ["a", "b", "c", "d"]})
    assert too_many.status_code == 422
    empty_ones_count = await post(make_app(), data={"name": "a", "ids": ["", "", "", ""]})
    assert empty_ones_count.status_code == 422
    dropped = await post(make_app(), data={"name": "a", "ids": ["", "x", ""]})
    assert dropped.json()["ids"] == ["x"]


async def test_null_is_null_where_the_field_accepts_null():
    sent = {"name": "a", "size": "null", "limit": "null", "ids": "null", "part": "null"}
    response = await post(make_app(), data=sent)
    assert response.status_code == 200, response.text
    assert {k: response.json()[k] for k in ("size", "limit", "ids", "part")} == dict.fromkeys(
        ("size", "limit", "ids", "part"))
    given = await post(make_app(), "/things/fields", data={"name": "a", "note": "null"})
    assert given.json() == ["name", "note"]  # given as null, not left out


async def test_null_is_plain_text_where_the_field_does_not_accept_null():
    response = await post(make_app(), data={"name": "null", "tags": ["null"], "colour": "null"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["colour"]
    named = await post(make_app(), data={"name": "null", "tags": ["null", "x"]})
    assert (named.json()["name"], named.json()["tags"]) == ("null", ["null", "x"])
    both = await post(make_app(), data={"name": "a", "ids": ["null", "x"]})
    assert both.json()["ids"] == ["null", "x"]  # a list of two texts, not null


def _schema_types(field: dict[str, Any]) -> set[str]:
    return {option.get("type") for option in [field, *field.get("anyOf", [])]}


def test_every_body_of_the_app_takes_its_lists_and_nulls_as_a_form():
    """The rule holds for every list and every nullable field the schema of a body declares."""
    app = create_app(Settings(database_url="sqlite+aiosqlite://", secret_key="x"))
    checked = set()
    for _, model in body_models(app):
        for name, field in model.model_json_schema()["properties"].items():
            types, where = _schema_types(field), f"{model.__name__}.{name}"
            if "array" in types:
                assert form_to_dict(model, FormData([(name, "a"), (name, "b")]))[name] == ["a", "b"], where
                checked.add(name)
            if "null" in types:
                assert form_to_dict(model, FormData([(name, "null")]))[name] is None, where
    assert {"ids", "tags", "scopes", "events", "skills", "cohost_ids"} <= checked


async def test_empty_optional_form_fields_mean_not_given():
    response = await post(make_app(), data={"name": "a", "size": ""})
    assert response.json()["size"] is None
    assert response.json()["limit"] == 5
    given = await post(make_app(), "/things/fields", data={"name": "a", "note": "", "ids": ""})
    assert given.json() == ["ids", "name"]  # an emptied list is the empty list


async def test_a_model_may_let_an_emptied_form_field_clear_its_value():
    assert (await post(make_app(), data={"name": "a", "limit": ""})).json()["limit"] is None
    assert (await post(make_app(), data={"name": "a", "limit": "7"})).json()["limit"] == 7
    assert (await post(make_app(), json={"name": "a", "limit": ""})).status_code == 422


async def test_form_errors_are_422_problems():
    response = await post(make_app(), data={"name": "", "size": "big"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"name", "size"}


async def test_file_uploads_are_refused_where_no_file_is_expected():
    response = await post(make_app(), files={"name": ("evil.txt", b"x")})
    assert response.status_code == 422


def refs(node: Any) -> list[str]:
    """Every `$ref` anywhere in a document."""
    if isinstance(node, list):
        return [ref for item in node for ref in refs(item)]
    if not isinstance(node, dict):
        return []
    found = [node["$ref"]] if "$ref" in node else []
    return found + [ref for value in node.values() for ref in refs(value)]


def test_openapi_documents_json_and_the_form_as_distinct_components():
    app = make_app()
    schema = document_bodies(app.openapi(), app)
    body = schema["paths"]["/things"]["post"]["requestBody"]
    assert body["required"] is True  # `name` must be given
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Thing"}
    form_ref = body["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form_ref == {"$ref": "#/components/schemas/ThingForm"}
    components = schema["components"]["schemas"]
    thing, form = components["Thing"], components["ThingForm"]
    assert form["properties"].keys() == thing["properties"].keys()
    assert form["required"] == thing["required"] == ["name"]
    assert form["title"] == "ThingForm" and "repeated" in form["description"]
    assert "cleared" in form["properties"]["limit"]["description"]
    assert {"Colour", "Part"} <= components.keys()  # nested definitions are components too
    prefix = "#/components/schemas/"
    dangling = {r for r in refs(schema) if r.removeprefix(prefix) not in components}
    assert not dangling and all(r.startswith(prefix) for r in refs(schema))


class Optional(BaseModel):
    note: str | None = None


def test_a_body_with_nothing_it_must_have_may_be_left_out():
    app = FastAPI()

    @app.post("/notes")
    async def create_note(body: FormOrJson[Optional]):
        return body

    body = document_bodies(app.openapi(), app)["paths"]["/notes"]["post"]["requestBody"]
    assert body["required"] is False and "same as sending `{}`" in body["description"]


@pytest.mark.parametrize(("sent", "accepted"), [
    ({"name": "a"}, True),
    ({"name": "a", "size": "", "note": "", "tags": ""}, True),  # empty: not given
    ({"name": "a", "ids": "x"}, True),  # a list of one, sent once
    ({"name": "a", "ids": ["", "x"]}, True),
    ({"name": "a", "ids": ["", "", "", ""]}, False),  # four items, though empty
    ({"name": "a", "ids": ["123456789"]}, False),
    ({"name": ""}, False),  # a field that must be given is not empty
    ({"name": "a", "size": "big"}, False),
])
async def test_the_form_schema_allows_exactly_what_the_form_parser_accepts(sent, accepted):
    app = make_app()
    schema = document_bodies(app.openapi(), app)
    validator = jsonschema_rs.validator_for(
        {**schema["components"]["schemas"]["ThingForm"], "components": schema["components"]})
    as_schema_reads = {k: int(v) if k == "size" and v.isdigit() else v for k, v in sent.items()}
    assert validator.is_valid(as_schema_reads) is accepted
    assert ((await post(app, data=sent)).status_code == 200) is accepted


def test_a_form_says_yes_or_no_as_true_or_false():
    class Switch(BaseModel):
        on: JsonBool

    assert Switch.model_validate(form_to_dict(Switch, FormData([("on", "true")]))).on is True
    assert Switch.model_validate(form_to_dict(Switch, FormData([("on", "false")]))).on is False
    for word in ("0", "1", "yes", "on", "TRUE"):
        with pytest.raises(ValidationError):
            Switch.model_validate(form_to_dict(Switch, FormData([("on", word)])))
