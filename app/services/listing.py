"""Pages over short lists that are ordered in Python (members, attendees, resources): the
cursor is an offset (`OFFSET_CURSOR`; any such number is a place in the list), so such lists
answer with the same `{items, next_cursor}` shape."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

from app.errors import InvalidInput

T = TypeVar("T")
OFFSET_CURSOR = "[0-9]{1,9}"


def slice_page(items: Sequence[T], *, cursor: str | None, limit: int) -> tuple[list[T], str | None]:
    start = 0
    if cursor:
        if not re.fullmatch(OFFSET_CURSOR, cursor):
            raise InvalidInput("The cursor is not one this server gave out.", field="cursor")
        start = int(cursor)
    end = start + limit
    next_cursor = str(end) if end < len(items) else None
    return list(items[start:end]), next_cursor
