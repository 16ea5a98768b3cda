"""Pages over short lists that are ordered in Python (members, attendees, resources): the
cursor is an opaque offset, so such lists answer with the same `{items, next_cursor}` shape."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TypeVar

from app.errors import InvalidInput

T = TypeVar("T")


def slice_page(items: Sequence[T], *, cursor: str | None, limit: int) -> tuple[list[T], str | None]:
    start = 0
    if cursor:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            start = int(raw.removeprefix("o:"))
        except ValueError as exc:
            raise InvalidInput("The cursor is not one this server gave out.", field="cursor") from exc
        if start < 0:
            raise InvalidInput("The cursor is not one this server gave out.", field="cursor")
    end = start + limit
    next_cursor = None
    if end < len(items):
        next_cursor = base64.urlsafe_b64encode(f"o:{end}".encode()).decode().rstrip("=")
    return list(items[start:end]), next_cursor
