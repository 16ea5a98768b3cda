"""Query and path parameters every list and resource route shares."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (1–100)")]
Cursor = Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page")]
ResourceId = Annotated[str, Path(max_length=40, description="An opaque public id")]
