"""Keyset pagination: opaque cursors over `(created_at, id)`, stable while rows are inserted."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Select, and_, or_

from app.errors import InvalidInput


def encode_cursor(created_at: datetime, row_id: str) -> str:
    raw = orjson.dumps([created_at.isoformat(), row_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, row_id = orjson.loads(raw)
        return datetime.fromisoformat(stamp), str(row_id)
    except (ValueError, TypeError, orjson.JSONDecodeError) as exc:
        raise InvalidInput("The cursor is not one this server gave out.", field="cursor") from exc


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
