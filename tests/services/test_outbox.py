"""The outbox worker: idempotent enqueue, claiming under a lease, event fan-out, retries with
backoff, dead jobs, restarts, and two workers racing over the same rows."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db import make_engine, make_sessionmaker
from app.models import Notification, OutboxJob, User
from app.models.base import utcnow
from app.schemas.accounts import UserRegister
from app.services import accounts, events
from app.services.notifications import notify
from app.services.outbox import RunLater, Worker, backoff, enqueue


@pytest.fixture
async def user(db) -> User:
    return await accounts.register_user(db, data=UserRegister(
        email="ana@example.com", password="correct horse battery", display_name="Ana"))


async def jobs(db) -> list[OutboxJob]:
    query = select(OutboxJob).order_by(OutboxJob.created_at).execution_options(populate_existing=True)
    return list((await db.execute(query)).scalars())


async def test_enqueue_is_idempotent_on_its_key(db):
    await enqueue(db, "noop", {"n": 1}, key="same")
    await enqueue(db, "noop", {"n": 2}, key="same")
    await db.commit()
    await enqueue(db, "noop", {"n": 3}, key="same")
    await db.commit()
    rows = await jobs(db)
    assert [(r.kind, r.payload, r.status) for r in rows] == [("noop", {"n": 1}, "pending")]


async def test_a_job_runs_its_handler_and_is_marked_done(db, sessionmaker, user):
    seen = []

    async def handler(session, payload):
        seen.append(payload)
        notify(session, user_id=user.id, kind="test", title=payload["title"])

    worker = Worker(sessionmaker, events=events.EventHandlers(), jobs={"hello": handler})
    await enqueue(db, "hello", {"title": "Hi"}, key="k1")
    await db.commit()
    assert await worker.run_once() == 1
    assert seen == [{"title": "Hi"}]
    [row] = await jobs(db)
    assert row.status == "done" and row.attempts == 1 and row.finished_at is not None
    assert row.claimed_until is None
    assert (await db.execute(select(Notification.title))).scalars().all() == ["Hi"]
    assert await worker.run_once() == 0  # done jobs are not run again


async def test_future_jobs_wait_for_their_time(db, sessionmaker):
    seen = []

    async def handler(session, payload):
        seen.append(payload["n"])

    worker = Worker(sessionmaker, events=events.EventHandlers(), jobs={"later": handler})
    await enqueue(db, "later", {"n": 1}, key="k", run_at=utcnow() + timedelta(hours=1))
    await db.commit()
    assert await worker.drain() == 0
    assert await worker.drain(now=utcnow() + timedelta(hours=2)) == 1
    assert seen == [1]


async def test_an_event_reaches_every_subscribed_handler(db, sessionmaker):
    calls = []

    async def first(session, event_type, data):
        calls.append(("first", event_type, data))

    async def second(session, event_type, data):
        calls.append(("second", event_type, data))

    async def everything(session, event_type, data):
        calls.append(("all", event_type, data))

    handlers = events.EventHandlers()
    handlers.subscribe("session.cancelled", first)
    handlers.subscribe("session.cancelled", second)
    handlers.subscribe("*", everything)
    worker = Worker(sessionmaker, events=handlers)
    events.record(db, "session.cancelled", {"session_id": "lsn_1"})
    events.record(db, "lounge.created", {"lounge_id": "lng_1"})
    await db.commit()
    assert await worker.drain() == 2
    assert sorted(calls) == sorted([
        ("first", "session.cancelled", {"session_id": "lsn_1"}),
        ("second", "session.cancelled", {"session_id": "lsn_1"}),
        ("all", "session.cancelled", {"session_id": "lsn_1"}),
        ("all", "lounge.created", {"lounge_id": "lng_1"}),
    ])
    assert {r.status for r in await jobs(db)} == {"done"}


async def test_a_failing_handler_keeps_none_of_its_writes_and_retries_with_backoff(
        db, sessionmaker, user):
    attempts = []

    async def flaky(session, payload):
        notify(session, user_id=user.id, kind="test", title=f"try {len(attempts)}")
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionError("mail server said no")

    worker = Worker(sessionmaker, events=events.EventHandlers(), jobs={"flaky": flaky})
    await enqueue(db, "flaky", {}, key="k")
    await db.commit()
    start = utcnow()
    await worker.run_once(now=start)
    [row] = await jobs(db)
    assert row.status == "pending" and row.attempts == 1
    assert row.last_error == "ConnectionError: mail server said no"
    assert row.run_at == start + backoff(1)
    assert await worker.run_once(now=start + backoff(1) - timedelta(seconds=1)) == 0
    await worker.run_once(now=start + backoff(1))
    [row] = await jobs(db)
    assert row.attempts == 2 and row.run_at == start + backoff(1) + backoff(2)
    assert backoff(2) == 2 * backoff(1)
    await worker.run_once(now=row.run_at)
    [row] = await jobs(db)
    assert row.status == "done" and row.last_error is None
    # Only the successful attempt's notification exists.
    assert (await db.execute(select(Notification.title))).scalars().all() == ["try 2"]


async def test_a_job_that_keeps_failing_is_dead_after_max_attempts(db, sessionmaker):
    async def broken(session, payload):
        raise ValueError("bad payload")

    worker = Worker(sessionmaker, events=events.EventHandlers(), jobs={"broken": broken},
                    max_attempts=3)
    await enqueue(db, "broken", {}, key="k")
    await db.commit()
    later = utcnow() + timedelta(days=1)
    assert await worker.drain(now=later) == 1
    assert await worker.drain(now=later + timedelta(days=1)) == 1
    assert await worker.drain(now=later + timedelta(days=2)) == 1
    assert await worker.drain(now=later + timedelta(days=30)) == 0
    [row] = await jobs(db)
    assert row.status == "dead" and row.attempts == 3
    assert row.last_error == "ValueError: bad payload" and row.finished_at is not None


async def test_an_unknown_kind_fails_with_a_clear_error(db, sessionmaker):
    worker = Worker(sessionmaker, events=events.EventHandlers())
    await enqueue(db, "mystery", {}, key="k")
    await db.commit()
    await worker.run_once()
    [row] = await jobs(db)
    assert row.status == "pending" and "no handler for job kind 'mystery'" in row.last_error


async def test_run_later_puts_the_job_back_without_counting_an_attempt(db, sessionmaker):
    moved_to = utcnow() + timedelta(hours=3)

    async def not_yet(session, payload):
        raise RunLater(moved_to)

    worker = Worker(sessionmaker, events=events.EventHandlers(), jobs={"wait": not_yet})
    await enqueue(db, "wait", {}, key="k")
    await db.commit()
    await worker.run_once()
    [row] = await jobs(db)
    assert (row.status, row.run_at, row.attempts) == ("pending", moved_to, 0)


async def test_a_crashed_claim_runs_again_after_its_lease_and_the_late_worker_writes_nothing(
        db, sessionmaker, user):
    async def greet(session, payload):
        notify(session, user_id=user.id, kind="test", title="hello")

    crashed = Worker(sessionmaker, events=events.EventHandlers(), jobs={"greet": greet},
                     lease_seconds=60, name="crashed")
    rescuer = Worker(sessionmaker, events=events.EventHandlers(), jobs={"greet": greet},
                     lease_seconds=60, name="rescuer")
    await enqueue(db, "greet", {}, key="k")
    await db.commit()
    now = utcnow()
    [claim] = await crashed.claim(now=now)  # ... and the process dies here
    [row] = await jobs(db)
    assert (row.status, row.claimed_by) == ("running", "crashed")
    assert await rescuer.run_once(now=now + timedelta(seconds=30)) == 0  # lease still held
    assert await rescuer.run_once(now=now + timedelta(seconds=61)) == 1
    [row] = await jobs(db)
    assert (row.status, row.attempts, row.claimed_by) == ("done", 2, "rescuer")
    # The first worker wakes up late and runs its stale claim: nothing of it is kept.
    await crashed._run(claim, now=now + timedelta(seconds=62))
    [row] = await jobs(db)
    assert (row.status, row.claimed_by) == ("done", "rescuer")
    assert await db.scalar(select(func.count()).select_from(Notification)) == 1


async def test_a_restart_loses_no_job(settings, db, user):
    """Jobs staged before a shutdown, and one claimed when the process died, run after it."""
    engine = make_engine(settings)
    before = Worker(make_sessionmaker(engine), events=events.EventHandlers(), lease_seconds=60)
    for n in range(3):
        await enqueue(db, "greet", {"n": n}, key=f"k{n}")
    await db.commit()
    start = utcnow()
    claimed = await before.claim(now=start)
    assert claimed  # claimed, never finished: the process goes away
    await engine.dispose()

    ran = []

    async def greet(session, payload):
        ran.append(payload["n"])

    engine = make_engine(settings)
    after = Worker(make_sessionmaker(engine), events=events.EventHandlers(), jobs={"greet": greet})
    await after.drain(now=start + timedelta(minutes=2))
    await engine.dispose()
    assert sorted(ran) == [0, 1, 2]
    assert {r.status for r in await jobs(db)} == {"done"}


async def test_two_workers_racing_over_the_same_rows_run_each_job_once(settings, db, user):
    """Two app instances (each its own engine and pool) drain one outbox at the same time."""
    runs: Counter[str] = Counter()

    async def greet(session, payload):
        runs[payload["key"]] += 1
        await asyncio.sleep(0)  # let the other worker in while this job is in hand
        notify(session, user_id=user.id, kind="test", title=payload["key"])

    total = 120
    for n in range(total):
        await enqueue(db, "greet", {"key": f"job-{n}"}, key=f"job-{n}")
    await db.commit()
    engines = [make_engine(settings) for _ in range(2)]
    workers = [Worker(make_sessionmaker(e), events=events.EventHandlers(), jobs={"greet": greet},
                      batch_size=5, name=f"instance-{i}") for i, e in enumerate(engines)]
    try:
        done = await asyncio.gather(*(w.drain() for w in workers),
                                    *(w.drain() for w in workers))
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(done) == total
    assert len(runs) == total and set(runs.values()) == {1}
    titles = (await db.execute(select(Notification.title))).scalars().all()
    assert sorted(titles) == sorted(runs)
    rows = await jobs(db)
    assert {r.status for r in rows} == {"done"} and {r.attempts for r in rows} == {1}


async def test_the_app_runs_a_worker_that_wakes_after_a_write(app, client, db):
    """The lifespan starts the worker; an unsafe request nudges it, so a due job runs at once."""
    ran = asyncio.Event()

    async def probe(session, payload):
        ran.set()

    app.state.worker.register("probe", probe)
    await enqueue(db, "probe", {}, key="probe")
    await db.commit()
    await client.post("/api/v1/auth/logout")  # any unsafe request nudges the worker
    await asyncio.wait_for(ran.wait(), timeout=30)  # a generous bound on a hang, not a timing check
