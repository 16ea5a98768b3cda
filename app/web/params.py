"""Query and path parameters every list and resource route shares: page sizes, cursors, ids.

A cursor is opaque to callers (pass back the `next_cursor` of the previous page), yet its shape
is published, and every string of that shape names a place in the list: one a caller makes up
is never refused, it only answers some page (or none).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from starlette.convertors import Convertor, register_url_convertor

from app.services.listing import OFFSET_CURSOR
from app.services.pagination import KEYSET_CURSOR

ID_PATTERN = "[A-Za-z0-9_-]{1,40}"

Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (1–100)")]
Cursor = Annotated[str | None, Query(
    pattern=f"^{KEYSET_CURSOR}$", description="Opaque: the `next_cursor` of the previous page")]
OffsetCursor = Annotated[str | None, Query(
    pattern=f"^{OFFSET_CURSOR}$", description="Opaque: the `next_cursor` of the previous page")]
ResourceId = Annotated[str, Path(pattern=f"^{ID_PATTERN}$", description="An opaque public id")]


class IdConvertor(Convertor[str]):
    """`{name:id}` in a route path matches only what an id can be, so `/sessions/{id}.ics`
    is never read as the session `<id>.ics`."""

    regex = ID_PATTERN

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("id", IdConvertor())
