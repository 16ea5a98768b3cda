"""`FormOrJson[Model]`: one request-body dependency for pages (form posts) and tools (JSON).

Pages post plain forms to the same `/api/v1` endpoints that tools call with JSON; both are
validated by the same pydantic model. OpenAPI documents the JSON body (and the form
encoding) through `document_bodies()`, which `create_app` applies to the generated schema.
"""

from __future__ import annotations

import typing
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import InvalidInput, UnsupportedMediaType
from app.web.routes import api_routes

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MODEL_ATTR = "__form_or_json_model__"
# A model lists in this class attribute the optional fields an edit form clears by emptying
# them (sent as null); elsewhere an empty optional input means "not given". JSON is untouched.
BLANK_CLEARS = "form_blank_clears"


def _is_list_field(model: type[BaseModel], name: str) -> bool:
    field = model.model_fields.get(name)
    if field is None:
        return False
    annotation = field.annotation
    origins = {typing.get_origin(annotation)}
    origins.update(typing.get_origin(arg) for arg in typing.get_args(annotation))
    return bool(origins & {list, set, tuple, frozenset})


def _form_to_dict(model: type[BaseModel], form: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in form:
        if name.startswith("_"):
            continue  # page-only helpers such as "_next"
        values = form.getlist(name)
        if _is_list_field(model, name):
            data[name] = [v for v in values if v != ""]
            continue
        value = values[-1]
        field = model.model_fields.get(name)
        if value == "" and field is not None and not field.is_required():
            if name in getattr(model, BLANK_CLEARS, ()):
                data[name] = None
            continue  # an empty optional input means "not given"
        data[name] = value
    for name in model.model_fields:
        # An unticked group of checkboxes sends nothing; for a form that means "none chosen".
        if name not in data and _is_list_field(model, name) and model.model_fields[name].is_required():
            data[name] = []
    return data


def _raise(exc: ValidationError) -> typing.NoReturn:
    errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
    raise RequestValidationError(errors)


def _parser(model: type[BaseModel]):
    async def parse_body(request: Request) -> BaseModel:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type.startswith(_FORM_TYPES):
            try:
                async with request.form(max_files=0, max_fields=200) as form:
                    payload = _form_to_dict(model, form)
            except StarletteHTTPException as exc:  # too many fields, a file, a broken multipart body
                raise InvalidInput(f"The form could not be read: {exc.detail}") from exc
            try:
                return model.model_validate(payload)
            except ValidationError as exc:
                _raise(exc)
        if content_type in ("application/json", "") or content_type.endswith("+json"):
            body = await request.body()
            try:
                return model.model_validate_json(body or b"{}")
            except ValidationError as exc:
                _raise(exc)
        raise UnsupportedMediaType("Send JSON (application/json) or a form.")

    setattr(parse_body, MODEL_ATTR, model)
    return parse_body


class FormOrJson:
    """`body: FormOrJson[UserRegister]` parses a JSON or form body into `UserRegister`."""

    def __class_getitem__(cls, model: type[BaseModel]) -> Any:
        return Annotated[model, Depends(_parser(model))]


def _body_model(route: Any) -> type[BaseModel] | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        model = getattr(dep.call, MODEL_ATTR, None)
        if model is not None:
            return model
        stack.extend(dep.dependencies)
    return None


def document_bodies(schema: dict[str, Any], app: Any) -> dict[str, Any]:
    """Add a `requestBody` to every operation whose body comes through `FormOrJson`."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for route in api_routes(app):
        if not route.include_in_schema:
            continue
        model = _body_model(route)
        if model is None:
            continue
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in model_schema.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault(model.__name__, model_schema)
        ref = {"$ref": f"#/components/schemas/{model.__name__}"}
        for method in route.methods:
            operation = schema["paths"][route.path_format][method.lower()]
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {"schema": ref},
                    "application/x-www-form-urlencoded": {"schema": ref},
                },
            }
    return schema
