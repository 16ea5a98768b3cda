"""Shapes and rules shared by every API model: pages of items, text as people type it, time
zones, fields that may be left out but not sent empty, and how strictly a JSON body is read.

Each rule here is stated once and serves twice: it is what the OpenAPI schema publishes
(`pattern`, `minLength`, `maxLength`, `enum`) and what the server checks, so a request that is
valid by the schema is never refused for it, and one that is not is never accepted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Annotated, Any, Generic, TypeVar
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WrapValidator,
)
from pydantic_core import PydanticCustomError, core_schema

T = TypeVar("T")

Ranges = tuple[tuple[int, int], ...]


class Page(BaseModel, Generic[T]):
    """A list answer: `items` and the cursor of the next page (null on the last one)."""

    items: list[T]
    next_cursor: str | None = None

    @classmethod
    def of_rows(cls, rows: Iterable[Any], next_cursor: str | None = None) -> Page[T]:
        """`Page[ItemPublic].of_rows(rows, cursor)`: each row read into the item model."""
        item_model = cls.__pydantic_generic_metadata__["args"][0]
        return cls(items=[item_model.model_validate(row) for row in rows], next_cursor=next_cursor)


# ---- regular expressions every engine reads alike -----------------------------------------------

def char_class(ranges: Iterable[tuple[int, int]]) -> str:
    """The inside of a `[...]` class for code point ranges. Characters of the first plane are
    written as `\\u` and four hex digits, the others as themselves: Python, ECMAScript (with
    `u`) and the Rust engines behind pydantic and JSON Schema validators all read both alike."""
    def one(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    return "".join(one(low) if low == high else f"{one(low)}-{one(high)}" for low, high in ranges)


def _code_points(ranges: Ranges) -> set[int]:
    return {code for low, high in ranges for code in range(low, high + 1)}


def _ranges(codes: Iterable[int]) -> Ranges:
    out: list[tuple[int, int]] = []
    for code in sorted(codes):
        if out and out[-1][1] == code - 1:
            out[-1] = (out[-1][0], code)
        else:
            out.append((code, code))
    return tuple(out)


@dataclass(frozen=True)
class Matches:
    """`Annotated[str, Matches(PATTERN, "message")]`: the value must match `PATTERN`, which the
    schema publishes as its `pattern`. A pattern anchored at both ends must match the whole
    value; any other must occur in it (JSON Schema's reading). A date is matched in its ISO
    form, as JSON carries it."""

    pattern: str
    message: str

    @cached_property
    def _test(self) -> Any:
        compiled = re.compile(self.pattern)
        anchored = self.pattern.startswith("^") and self.pattern.endswith("$")
        return compiled.fullmatch if anchored else compiled.search

    def matches(self, value: Any) -> bool:
        return self._test(value if isinstance(value, str) else value.isoformat()) is not None

    def check(self, value: Any) -> Any:
        if not self.matches(value):
            raise ValueError(self.message)
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        return {**handler(schema), "pattern": self.pattern}


# ---- text as people type it ---------------------------------------------------------------------

# What `str.strip()` removes (the characters `str.isspace()` holds true for).
WHITESPACE: Ranges = ((0x09, 0x0D), (0x1C, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680),
                      (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F),
                      (0x3000, 0x3000))
# Control characters (tab, line feed and carriage return are allowed in multi-line text).
_CONTROL: Ranges = ((0x00, 0x1F), (0x7F, 0x9F))
_LINE_BREAKS: Ranges = ((0x09, 0x0A), (0x0D, 0x0D))
# Invisible and direction-changing characters let one name pass for another; private-use
# characters show as anything at all.
_DECEPTIVE: Ranges = ((0xAD, 0xAD), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2060),
                      (0x2066, 0x2069), (0xFEFF, 0xFEFF), (0xE000, 0xF8FF))
# Somewhere in the value, a character that is not whitespace.
HAS_TEXT = f"[^{char_class(WHITESPACE)}]"


@lru_cache(maxsize=2)
def text_classes(multiline: bool = False) -> tuple[str, str]:
    """The characters text refuses and those that count as blank, as the insides of `[...]`."""
    refused = _code_points(_CONTROL) - (_code_points(_LINE_BREAKS) if multiline else set())
    refused |= _code_points(_DECEPTIVE)
    blank = _code_points(WHITESPACE) - refused
    return char_class(_ranges(refused)), char_class(_ranges(blank))


@dataclass(frozen=True)
class Text:
    """Text a person types: no control, invisible or direction-changing characters; at most
    `maximum` characters as sent, at least `minimum` (0, 1 or 2) of them not blank. The value
    kept is trimmed and NFKC-normalised (normalised only while that keeps it within bounds).

        Title = Annotated[str, Text(maximum=120, minimum=2, what="a title")]
    """

    maximum: int
    minimum: int = 0
    what: str = "some text"
    multiline: bool = False

    def __post_init__(self) -> None:
        assert self.minimum in (0, 1, 2), "the pattern spells out at most two visible characters"

    @cached_property
    def pattern(self) -> str:
        refused, blank = text_classes(self.multiline)
        visible = f"[^{refused}{blank}]"
        middle = f"[^{refused}]*"
        return "^" + {0: middle, 1: f"[{blank}]*{visible}{middle}",
                      2: f"[{blank}]*{visible}{middle}{visible}[{blank}]*"}[self.minimum] + "$"

    @cached_property
    def _refused(self) -> re.Pattern[str]:
        return re.compile(f"[{text_classes(self.multiline)[0]}]")

    @cached_property
    def _blank(self) -> re.Pattern[str]:
        return re.compile(f"[{text_classes(self.multiline)[1]}]")

    def check(self, value: str) -> str:
        if self._refused.search(value):
            raise ValueError("must not contain control, invisible or direction-changing characters")
        if len(value) > self.maximum:
            raise ValueError(f"Use at most {self.maximum} characters")
        if len(value) - len(self._blank.findall(value)) < self.minimum:
            raise ValueError(f"Enter {self.what}" if self.minimum == 1
                             else f"Use at least {self.minimum} characters")
        trimmed = value.strip()
        normalised = unicodedata.normalize("NFKC", trimmed).strip()
        return normalised if self.minimum <= len(normalised) <= self.maximum else trimmed

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        bounds = {"minLength": self.minimum} if self.minimum else {}
        return {**handler(schema), **bounds, "maxLength": self.maximum, "pattern": self.pattern}



REFUSED, BLANK = text_classes()


@dataclass(frozen=True)
class CommaList:
    """Labels (tags, skills) given as a list, one per item, or as the text of one input:
    comma-separated in a string, or in a list holding that one string (a form's text field).
    Blanks around each label and empty places between commas are ignored; at most `most`
    labels however they come. `item` is the regular expression of one label.

        Tags = Annotated[list[str], CommaList(item=TAG, most=10, what="tag", fold=str.lower)]
    """

    item: str
    most: int
    what: str
    fold: Any = None  # applied to each label kept, e.g. `str.lower`
    description: str = ""

    @cached_property
    def one(self) -> str:
        return f"^[{BLANK}]*{self.item}[{BLANK}]*$"

    @cached_property
    def text(self) -> str:
        part = f"[{BLANK}]*(?:{self.item})?[{BLANK}]*"
        return f"^{part}(?:,{part}){{0,{self.most - 1}}}$"

    def labels(self, value: object) -> object:
        """The labels, trimmed, folded and without repeats (left alone if not text or a list,
        for the type check to refuse)."""
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            value = value[0]
        if isinstance(value, str):
            if not re.fullmatch(self.text, value):
                raise ValueError(f"Give at most {self.most} {self.what}s, separated by commas, "
                                 f"each {self.rule}")
            parts = [part for part in value.split(",") if part.strip()]
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            if len(value) > self.most:
                raise ValueError(f"Give at most {self.most} {self.what}s")
            for item in value:
                if not re.fullmatch(self.one, item):
                    raise ValueError(f"'{item[:40]}' is not a {self.what}: use {self.rule}")
            parts = value
        else:
            return value
        kept: list[str] = []
        for part in parts:
            label = part.strip()
            label = self.fold(label) if self.fold else label
            if label.casefold() not in (k.casefold() for k in kept):
                kept.append(label)
        return kept

    @property
    def rule(self) -> str:
        return self.description or f"a {self.what}"

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.labels, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        text = {"type": "string", "pattern": self.text}
        return {
            "anyOf": [
                {"type": "array", "maxItems": self.most, "items": {"type": "string", "pattern": self.one}},
                {"type": "array", "maxItems": 1, "items": text},
                text,
            ],
            "description": f"At most {self.most} {self.what}s, each {self.rule}: one per item, or "
                           "comma-separated in one string (alone or as a list's only item, as a "
                           "form's text input sends them). Repeats are dropped.",
        }


def when(name: str, value: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    """The schema of "when property `name` matches `value`, the object also matches `then`",
    spelled as "`name` does not match `value`, or `then`" (linters read it more reliably than
    `if`/`then`)."""
    return {"anyOf": [{"properties": {name: {"not": value}}}, then]}


# ---- time zones ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def check_time_zone(value: object) -> object:
    if isinstance(value, str) and value not in time_zones():
        raise ValueError(f"'{value[:64]}' is not a known IANA time zone, such as Europe/London")
    return value


TimeZoneName = StrEnum("TimeZone", {zone: zone for zone in time_zones()})
TimeZoneName.__doc__ = "An IANA time zone, such as Europe/London."
# Read as a plain `str`; the schema lists every zone once, as the `TimeZone` component.
TimeZone = Annotated[TimeZoneName, BeforeValidator(check_time_zone), AfterValidator(str),
                     PlainSerializer(str, return_type=str)]


# ---- fields that may be left out ----------------------------------------------------------------

def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omittable() -> Any:
    """The default of a field a change may leave out but, when it names it, must give a value:
    `display_name: DisplayName = omittable()` (null is refused; the schema shows no default)."""
    return Field(default=None, json_schema_extra=_no_default)


# ---- values as JSON carries them ----------------------------------------------------------------

_FORM_BOOLEANS = frozenset({"true", "false"})


def _json_typed(kind: type, words: str) -> Any:
    """In JSON, only a value of the JSON type the schema gives (`false` is not 0, `"5"` is not 5);
    a form carries only text, and its text is read as the type (a yes/no as `true` or `false`)."""
    def is_kind(value: Any) -> bool:
        if kind is bool:
            return isinstance(value, bool)
        return isinstance(value, int | float) and not isinstance(value, bool)

    def validate(value: Any, handler: Any, info: ValidationInfo) -> Any:
        if info.mode == "json" and not is_kind(value):
            raise PydanticCustomError(f"{kind.__name__}_type", words)
        if kind is bool and isinstance(value, str) and value not in _FORM_BOOLEANS:
            raise PydanticCustomError("bool_type", words)  # a form says "true" or "false", not "0"
        return handler(value)

    return WrapValidator(validate)


# A calendar date in the years 1000–8999 (month lengths and leap years included), and a time.
_DAYS = ("(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
         "|02-(?:0[1-9]|1[0-9]|2[0-8])")
_LEAP_YEARS = "[1-8][0-9](?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00"
CALENDAR_DATE = f"(?:[1-8][0-9]{{3}}-(?:{_DAYS})|(?:{_LEAP_YEARS})-02-29)"
YEARS = "^[1-8][0-9]{3}-"
_CLOCK = "(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_SECONDS = ":[0-5][0-9](?:\\.[0-9]+)?"
_OFFSET = f"(?:[Zz]|[+-]{_CLOCK})"
_DATE_TIME = f"{CALENDAR_DATE}[Tt]{_CLOCK}{_SECONDS}{_OFFSET}"  # RFC 3339 `date-time`
_LOCAL_TIME = f"^{CALENDAR_DATE}T{_CLOCK}(?:{_SECONDS})?$"
_INSTANT_SCHEMA = {"type": "string", "format": "date-time", "pattern": YEARS}


@dataclass(frozen=True)
class Written:
    """A date or time given as ISO 8601 text, never as a number of seconds: the text must match
    `grammar` (the `format` the schema names, in the years 1000–8999), and the schema publishes
    `schema` (that format, and the years as a `pattern`)."""

    grammar: str
    schema: Any = field(compare=False)

    def check(self, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and re.fullmatch(self.grammar, value):
            return value
        if isinstance(value, str) or info.mode == "json":
            raise PydanticCustomError(
                "iso_text", "Use ISO 8601 (years 1000–8999), such as 2027-03-04 or 2027-03-04T12:30:00Z")
        return value  # a `date` or `datetime` object, from our own code

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.with_info_before_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        return dict(self.schema)


_JSON_INT = _json_typed(int, "Input should be a whole number")


def json_int(**bounds: Any) -> Any:
    """An int field, `json_int(ge=0, le=6)`, that JSON must give as a number (bounds go first,
    so the schema shows them as `minimum` and `maximum`)."""
    return Annotated[int, Field(**bounds), _JSON_INT]



JsonBool = Annotated[bool, _json_typed(bool, "Input should be true or false")]
Day = Annotated[date, Written(f"^{CALENDAR_DATE}$", {"type": "string", "format": "date", "pattern": YEARS})]
Instant = Annotated[AwareDatetime, Written(f"^{_DATE_TIME}$", _INSTANT_SCHEMA)]
# With an offset, or without one: a wall-clock time somewhere the field's owner says.
WallTime = Annotated[datetime, Written(f"^{_DATE_TIME}$|{_LOCAL_TIME}", {"anyOf": [
    _INSTANT_SCHEMA, {"type": "string", "pattern": _LOCAL_TIME,
                      "description": "A local date and time, without an offset"}]})]


class StrictModel(BaseModel):
    """Request bodies refuse unknown fields, so typos fail loudly instead of being ignored."""

    model_config = ConfigDict(extra="forbid", str_max_length=100_000)
