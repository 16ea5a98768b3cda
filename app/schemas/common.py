"""Shapes and checks shared by every API model: pages of items, time zones, clean text."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Annotated, Any, Generic, TypeVar
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A list answer: `items` and the cursor of the next page (null on the last one)."""

    items: list[T]
    next_cursor: str | None = None

    @classmethod
    def of_rows(cls, rows: Iterable[Any], next_cursor: str | None = None) -> Page[T]:
        """`Page[ItemPublic].of_rows(rows, cursor)`: each row read into the item model."""
        item_model = cls.__pydantic_generic_metadata__["args"][0]
        return cls(items=[item_model.model_validate(row) for row in rows], next_cursor=next_cursor)


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def check_time_zone(value: str) -> str:
    if value not in time_zones():
        raise ValueError(f"'{value[:64]}' is not a known IANA time zone, such as Europe/London")
    return value


# Invisible and direction-changing characters let one name pass for another.
_BIDI_AND_INVISIBLE = {
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u00ad",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
}


def check_plain_text(value: str) -> str:
    """NFKC-normalise and refuse control, invisible and bidi-override characters."""
    value = unicodedata.normalize("NFKC", value).strip()
    for char in value:
        if char in _BIDI_AND_INVISIBLE or (unicodedata.category(char) in ("Cc", "Cs", "Co")):
            raise ValueError("must not contain control, invisible or direction-changing characters")
    return value


def check_multiline_text(value: str) -> str:
    """Like `check_plain_text`, but keeps line breaks and tabs."""
    value = unicodedata.normalize("NFKC", value).strip()
    for char in value:
        if char in "\n\r\t":
            continue
        if char in _BIDI_AND_INVISIBLE or unicodedata.category(char) in ("Cc", "Cs", "Co"):
            raise ValueError("must not contain control, invisible or direction-changing characters")
    return value


def bounded(check, *, minimum: int, maximum: int, what: str):
    """Wrap a text check with length limits that speak plainly ("Enter a display name")."""

    def validate(value: str) -> str:
        value = check(value)
        if len(value) < minimum:
            raise ValueError(f"Enter {what}" if minimum == 1 else f"Use at least {minimum} characters")
        if len(value) > maximum:
            raise ValueError(f"Use at most {maximum} characters")
        return value

    return AfterValidator(validate)


TimeZone = Annotated[str, AfterValidator(check_time_zone)]
PlainText = Annotated[str, AfterValidator(check_plain_text)]
MultilineText = Annotated[str, AfterValidator(check_multiline_text)]


class StrictModel(BaseModel):
    """Request bodies refuse unknown fields, so typos fail loudly instead of being ignored."""

    model_config = ConfigDict(extra="forbid", str_max_length=100_000)
