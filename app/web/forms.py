"""`FormOrJson[Model]`: one request-body dependency for pages (form posts) and tools (JSON).

Pages post plain forms to the same `/api/v1` endpoints that tools call with JSON; both are
validated by the same pydantic model. A form maps onto the model with one rule for every body:

- a list field is the field repeated, once per item (`ids=a&ids=b`); empty items are dropped
  (though they count towards the list's largest size), and a required list that is not sent
  at all (no box ticked) is the empty list;
- `null` is null for a field that accepts null (tools that put JSON values into form fields
  spell null so); for any other field it is just the text;
- an empty optional field is "not given", unless the model lists it in `form_blank_clears`
  (edit forms that clear a value by emptying its input), where it is null;
- a yes/no is `true` or `false`.

OpenAPI documents each body through `document_bodies()`, which `create_app` applies to the
generated schema: the JSON body with the model's own component, the form with a `<Model>Form`
copy of it, so client generators give the two encodings distinct types and send JSON.
"""

from __future__ import annotations

import copy
import functools
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import annotated_types
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import InvalidInput, UnsupportedMediaType
from app.web.routes import api_routes, dependency_marker

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_LIST_TYPES = frozenset({list, set, tuple, frozenset})
_FORM_NULL = "null"
_NOT_GIVEN = object()
MODEL_ATTR = "__form_or_json_model__"
# A model lists in this class attribute the optional fields an edit form clears by emptying
# them (sent as null); elsewhere an empty optional input means "not given". JSON is untouched.
BLANK_CLEARS = "form_blank_clears"


def _leaf_types(annotation: Any) -> typing.Iterator[Any]:
    """What an annotation can hold, through `Annotated[...]` and unions: `list[str] | None` gives
    `list` and `NoneType`."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        yield from _leaf_types(typing.get_args(annotation)[0])
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _leaf_types(arg)
    else:
        yield origin or annotation


@dataclass(frozen=True)
class _FormShape:
    """The names of a model's fields by how a form carries them."""

    lists: frozenset[str]
    max_items: dict[str, int]
    nullable: frozenset[str]
    optional: frozenset[str]
    blank_clears: frozenset[str]


def _max_lengths(metadata: Iterable[Any]) -> typing.Iterator[int]:
    """The largest sizes the constraints of a field or of an `Annotated[...]` state."""
    for item in metadata:
        if isinstance(item, annotated_types.MaxLen):
            yield item.max_length
        elif isinstance(item, FieldInfo):
            yield from _max_lengths(item.metadata)


def _list_limits(annotation: Any) -> typing.Iterator[int]:
    """The largest sizes stated on a list type, through `Annotated[...]` and unions."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = typing.get_args(annotation)
        if typing.get_origin(inner) in _LIST_TYPES or inner in _LIST_TYPES:
            yield from _max_lengths(metadata)
        yield from _list_limits(inner)
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _list_limits(arg)


@functools.cache
def _shape(model: type[BaseModel]) -> _FormShape:
    leaves = {name: set(_leaf_types(field.annotation)) for name, field in model.model_fields.items()}
    return _FormShape(
        lists=frozenset(name for name, kinds in leaves.items() if kinds & _LIST_TYPES),
        max_items={name: min(limits) for name, field in model.model_fields.items()
                   if leaves[name] & _LIST_TYPES
                   and (limits := [*_max_lengths(field.metadata), *_list_limits(field.annotation)])},
        nullable=frozenset(name for name, kinds in leaves.items() if type(None) in kinds),
        optional=frozenset(name for name, field in model.model_fields.items() if not field.is_required()),
        blank_clears=frozenset(getattr(model, BLANK_CLEARS, ())),
    )


def _form_value(shape: _FormShape, name: str, values: list[str]) -> Any:
    """The value of one form field (`_NOT_GIVEN` when it counts as not sent)."""
    if name in shape.lists:
        if name in shape.nullable and values == [_FORM_NULL]:
            return None
        if len(values) > shape.max_items.get(name, len(values)):
            return values  # too many, counting empty ones: refused as sent
        return [value for value in values if value != ""]
    value = values[-1]
    if value == _FORM_NULL and name in shape.nullable:
        return None
    if value == "" and name in shape.optional:
        return None if name in shape.blank_clears else _NOT_GIVEN
    return value


def form_to_dict(model: type[BaseModel], form: Any) -> dict[str, Any]:
    """The fields of a submitted form (starlette `FormData`) as `model` reads them."""
    shape = _shape(model)
    data: dict[str, Any] = {}
    for name in form:
        if name.startswith("_"):
            continue  # page-only helpers such as "_next"
        value = _form_value(shape, name, form.getlist(name))
        if value is not _NOT_GIVEN:
            data[name] = value
    for name in shape.lists - shape.optional - data.keys():
        data[name] = []  # an unticked group of checkboxes sends nothing: none chosen
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
                    payload = form_to_dict(model, form)
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


def body_models(app: Any) -> typing.Iterator[tuple[Any, type[BaseModel]]]:
    """(route, model) for every documented API route whose body comes through `FormOrJson`."""
    for route in api_routes(app):
        model = dependency_marker(route, MODEL_ATTR)
        if route.include_in_schema and model is not None:
            yield route, model


def form_component(model: type[BaseModel], model_schema: dict[str, Any]) -> dict[str, Any]:
    """The `<Model>Form` component: the model's schema, described as a form carries it."""
    form = copy.deepcopy(model_schema)
    form["title"] = f"{model.__name__}Form"
    form["description"] = _sentences(form.get("description"), (
        f"`{model.__name__}` sent as a form: a list is its field repeated once per item, `null` "
        "stands for null, and an empty field counts as not sent unless its description says "
        "otherwise."))
    shape = _shape(model)
    properties = form.get("properties", {})
    for name, field in properties.items():
        if name in shape.lists:  # an empty item is dropped: a list is never "not given"
            field = properties[name] = _as_form_list(field)
        elif name in shape.optional:
            field = properties[name] = _or_blank(field)
        if name in shape.blank_clears:
            field["description"] = _sentences(field.get("description"), "Sent empty, it is cleared.")
    return form


_BLANK = {"type": "string", "maxLength": 0}
_SCHEMA_NOTES = ("title", "description", "default", "examples")


def _split(field: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A field's schema as its notes (title, description...) and the alternatives it allows."""
    notes = {key: field[key] for key in _SCHEMA_NOTES if key in field}
    rest = {key: value for key, value in field.items() if key not in _SCHEMA_NOTES}
    return notes, rest.get("anyOf", [rest])


def _or_blank(field: dict[str, Any]) -> dict[str, Any]:
    """A field's schema that also allows the empty text a form sends for "not given"."""
    notes, choices = _split(field)
    return {**notes, "anyOf": [*choices, _BLANK]}


def _as_form_list(field: dict[str, Any]) -> dict[str, Any]:
    """A list field as a form carries it: repeated, or sent once for a list of one. Empty items
    are dropped, so they are allowed only where an empty list is."""
    def widened(part: dict[str, Any]) -> list[dict[str, Any]]:
        if part.get("type") != "array":
            return [part]
        item = part.get("items", {})
        if not part.get("minItems"):
            item = {"anyOf": [item, _BLANK]}
        return [{**part, "items": item}, item]

    notes, choices = _split(field)
    return {**notes, "anyOf": [each for part in choices for each in widened(part)]}


def _sentences(*texts: str | None) -> str:
    return " ".join(text.strip() for text in texts if text)


def document_bodies(schema: dict[str, Any], app: Any) -> dict[str, Any]:
    """Add a `requestBody` to every operation whose body comes through `FormOrJson`: JSON with
    the model's component, a form with its `<Model>Form` component."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for route, model in body_models(app):
        name = model.__name__
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for def_name, definition in model_schema.pop("$defs", {}).items():
            components.setdefault(def_name, definition)
        components.setdefault(name, model_schema)
        components.setdefault(f"{name}Form", form_component(model, model_schema))
        for method in route.methods:
            operation = schema["paths"][route.path_format][method.lower()]
            required = any(field.is_required() for field in model.model_fields.values())
            operation["requestBody"] = {
                # The parser reads a missing body as `{}`: a body is needed when the model
                # has a field that must be given.
                "required": required,
                "description": "JSON, or the same fields as a form." + (
                    "" if required else " Leaving the body out is the same as sending `{}`."),
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}},
                    "application/x-www-form-urlencoded": {
                        "schema": {"$ref": f"#/components/schemas/{name}Form"}},
                },
            }
    return schema
