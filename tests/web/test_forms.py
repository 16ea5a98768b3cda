"""`FormOrJson`: the same model from a JSON body or a form, and its OpenAPI documentation."""

from __future__ import annotations

from typing import Annotated, ClassVar

import httpx
from fastapi import FastAPI, Request
from pydantic import BaseModel, Field

from app.web.forms import FormOrJson, document_bodies
from app.web.problems import install_problem_handlers
from app.web.respond import respond
from app.web.templates import make_templates


class Thing(BaseModel):
    name: Annotated[str, Field(min_length=1)]
    tags: list[str] = []
    size: int | None = None
    limit: int | None = 5
    form_blank_clears: ClassVar[frozenset[str]] = frozenset({"limit"})


def make_app() -> FastAPI:
    app = FastAPI()
    app.state.templates = make_templates()
    install_problem_handlers(app)

    @app.post("/things", response_model=Thing)
    async def create_thing(request: Request, body: FormOrJson[Thing]):
        return respond(request, body, "fragments/user_card.html",
                       context={"item": {"display_name": body.name, "bio": ""}})

    return app


async def post(app: FastAPI, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        return await c.post("/things", **kwargs)


async def test_json_and_form_give_the_same_model():
    app = make_app()
    as_json = await post(app, json={"name": "a", "tags": ["x", "y"], "size": 3})
    as_form = await post(app, data={"name": "a", "tags": ["x", "y"], "size": "3"})
    assert as_json.json() == as_form.json() == {"name": "a", "tags": ["x", "y"], "size": 3, "limit": 5}


async def test_empty_optional_form_fields_mean_not_given():
    response = await post(make_app(), data={"name": "a", "size": ""})
    assert response.json()["size"] is None
    assert response.json()["limit"] == 5


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


async def test_openapi_documents_the_json_body():
    app = make_app()
    schema = document_bodies(app.openapi(), app)
    body = schema["paths"]["/things"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Thing"}
    assert "Thing" in schema["components"]["schemas"]
