"""Keyset pagination: opaque cursors over `(created_at, id)`, stable while rows are inserted.

A cursor is `<microseconds since 1970>.<id>`, and every string of that shape (`KEYSET_CURSOR`)
is a place in the list: the rows after that time, or after that id at that very time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, or_

from app.errors import InvalidInput

KEYSET_CURSOR = r"-?[0-9]{1,18}\.[A-Za-z0-9_-]{0,40}"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_EARLIEST = (datetime.min.replace(tzinfo=UTC) - _EPOCH) // _MICROSECOND
_LATEST = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // _MICROSECOND


def encode_cursor(created_at: datetime, row_id: str) -> str:
    return f"{(created_at - _EPOCH) // _MICROSECOND}.{row_id}"


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The time and id a cursor names; a time beyond what can be told is the first or last."""
    if not re.fullmatch(KEYSET_CURSOR, cursor):
        raise InvalidInput("The cursor is not one this server gave out.", field="cursor")
    micros, _, row_id = cursor.partition(".")
    return _EPOCH + min(max(int(micros), _EARLIEST), _LATEST) * _MICROSECOND, row_id


async def page_of(db: Any, query: Select[Any], model: Any, *, cursor: str | None, limit: int,
                  newest_first: bool = False, whole_rows: bool = False,
                  params: dict[str, Any] | None = None) -> tuple[list[Any], str | None]:
    """Run `query` one page at a time, ordered by (created_at, id).

    The page holds `model` instances, or with `whole_rows` the result rows, `model` first.
    `params` are the values of the query's bound parameters.
    """
    created, ident = model.created_at, model.id
    if cursor:
        at, row_id = decode_cursor(cursor)
        if newest_first:
            query = query.where(or_(created < at, and_(created == at, ident < row_id)))
        else:
            query = query.where(or_(created > at, and_(created == at, ident > row_id)))
    order = (created.desc(), ident.desc()) if newest_first else (created.asc(), ident.asc())
    result = await db.execute(query.order_by(*order).limit(limit + 1), params)
    rows = list(result.all() if whole_rows else result.scalars())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0] if whole_rows else rows[-1]
        next_cursor = encode_cursor(last.created_at, last.id)
    return rows, next_cursor
