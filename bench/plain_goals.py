"""A baseline for `goal_reads`: the route someone would write instead of Lounge, a plain
FastAPI app reading the same goals through SQLAlchemy async (aiosqlite or asyncpg) and
answering with FastAPI's default JSON encoding. No auth, no visibility rule, no paging."""

from __future__ import annotations

import os

from fastapi import FastAPI
from sqlalchemy import JSON, Column, Date, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

metadata = MetaData()
goals = Table(
    "goals", metadata,
    Column("id", String), Column("owner_id", String), Column("title", String), Column("why", String),
    Column("where_i_am", String), Column("where_i_want_to_be", String),
    Column("how_i_will_get_there", String), Column("how_i_will_know", String), Column("skills", JSON),
    Column("business_goal_id", String), Column("target_date", Date), Column("weekly_minutes", Integer),
    Column("visibility", String), Column("status", String), Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)

engine = create_async_engine(os.environ["PLAIN_DATABASE_URL"])
sessions = async_sessionmaker(engine, expire_on_commit=False)
OWNER = os.environ["PLAIN_OWNER_ID"]
app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/goals")
async def list_goals(limit: int = 20) -> list[dict]:
    async with sessions() as db:
        rows = (await db.execute(select(goals).where(goals.c.owner_id == OWNER)
                                 .order_by(goals.c.created_at.desc()).limit(limit))).mappings().all()
    return [dict(row) for row in rows]
