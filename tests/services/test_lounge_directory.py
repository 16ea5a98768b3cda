"""The lounge directory memory: versioned entries, one load per burst of misses, and the
session events that invalidate it on every committed write to lounges, tags or members."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, update

from app.db import make_engine, make_sessionmaker
from app.models import Lounge, LoungeMember, LoungeTag, User
from app.schemas.accounts import UserRegister
from app.schemas.lounges import LoungeCreate
from app.services.accounts import register_user
from app.services.lounge_directory import DirectoryCache
from app.services.lounges import create_lounge
from app.single_flight import SingleFlight


async def test_entries_are_served_until_a_change_or_their_ttl():
    cache = DirectoryCache(ttl=30)
    cache.put("k", cache.version, "page")
    assert cache.get("k") == "page"
    cache.invalidate()
    assert cache.get("k") is None
    short = DirectoryCache(ttl=0.01)
    short.put("k", short.version, "page")
    await asyncio.sleep(0.02)
    assert short.get("k") is None


async def test_a_page_read_before_a_write_committed_is_not_kept():
    cache = DirectoryCache(ttl=30)
    version = cache.version
    cache.changed()  # a write lands while the page was being read
    cache.put("k", version, "stale page")
    assert cache.get("k") is None


async def test_a_burst_of_misses_loads_once():
    cache = DirectoryCache(ttl=30)
    loads = 0

    async def load():
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.01)
        return "page"

    pages = await asyncio.gather(*[cache.cached("k", load) for _ in range(20)])
    assert pages == ["page"] * 20 and loads == 1


async def test_with_the_memory_off_loads_run_side_by_side():
    cache = DirectoryCache(ttl=0)
    running = 0
    most = 0

    async def load():
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        return "page"

    await asyncio.gather(*[cache.cached("k", load) for _ in range(5)])
    assert most == 5 and cache.get("k") is None


async def test_single_flight_forgets_keys_nobody_holds():
    flight = SingleFlight()
    async with flight.turn("k"):
        assert flight.busy("k")
    assert not flight.busy("k") and not flight._locks


async def test_committed_writes_to_directory_tables_invalidate(settings, db):
    user = await register_user(db, data=UserRegister(
        email="ana@example.com", password="correct horse battery", display_name="Ana Lima"))
    view = await create_lounge(db, user=user, data=LoungeCreate(name="Python guild", tags=["python"]))
    lounge_id, user_id = view.lounge.id, user.id
    cache = DirectoryCache(ttl=30)
    engine = make_engine(settings)
    sessions = make_sessionmaker(engine, info={"lounge_directory": cache})
    try:
        async with sessions() as db:
            (await db.get(User, user_id)).display_name = "Ana Renamed"
            await db.commit()
            assert cache.version == 0, "a write elsewhere leaves the directory alone"

            (await db.get(Lounge, lounge_id)).name = "Renamed lounge"
            await db.commit()
            assert cache.version == 1

            await db.execute(update(Lounge).where(Lounge.id == lounge_id).values(description="bulk"))
            await db.commit()
            assert cache.version == 2

            await db.execute(delete(LoungeTag).where(LoungeTag.lounge_id == lounge_id))
            await db.commit()
            assert cache.version == 3

            db.add(LoungeTag(lounge_id=lounge_id, tag="new"))
            await db.rollback()
            await db.commit()
            assert cache.version == 3, "a rolled-back write changes nothing"

            member = await db.get(LoungeMember, (lounge_id, user_id))
            member.role = "moderator"
            await db.commit()
            assert cache.version == 4
    finally:
        await engine.dispose()
