"""The durable outbox worker: background jobs kept as `outbox` rows until they are done.

`enqueue()` adds a job (idempotent on its `dedupe_key`). A `Worker` claims due rows under a
lease (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, one conditional UPDATE on SQLite), runs
the handler registered for the row's kind in a transaction that also marks the row done, and
on failure retries with exponential backoff until the row is `dead`. A job's database effects
commit together with its "done" mark, and only while its lease is still the claimer's, so a
job whose lease was taken over never writes twice; a claim that crashed runs again once its
lease expires. Kind `event:<type>` hands a domain event to every handler subscribed to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from app.models.base import new_id, utcnow
from app.models.platform import OutboxJob
from app.services.events import EVENT_PREFIX, EventHandlers

log = logging.getLogger(__name__)

JobHandler = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]
_TABLE = OutboxJob.__table__  # type: ignore[attr-defined]
_job_time: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("job_time", default=None)


_job_id: contextvars.ContextVar[str] = contextvars.ContextVar("job_id", default="")


def job_time() -> datetime:
    """"Now" as the running job sees it: the time the worker was asked to run at, if any."""
    return _job_time.get() or utcnow()


def job_id() -> str:
    """The id of the job being run (a handler's effects can be keyed on it)."""
    return _job_id.get()


class RunLater(Exception):  # noqa: N818 - a signal, not an error
    """Raised by a handler whose job is not due yet after all (its session moved)."""

    def __init__(self, run_at: datetime) -> None:
        super().__init__(f"run again at {run_at.isoformat()}")
        self.run_at = run_at


async def enqueue(db: AsyncSession, kind: str, payload: dict[str, Any], *, key: str,
                  run_at: datetime | None = None) -> None:
    """Stage a job in the caller's transaction; a second job with the same `key` is ignored."""
    values = {"id": new_id("job"), "kind": kind, "dedupe_key": key, "payload": payload, "status": "pending",
              "run_at": run_at or utcnow(), "attempts": 0, "created_at": utcnow()}
    insert = pg_insert if db.bind.dialect.name == "postgresql" else sqlite_insert
    await db.execute(insert(_TABLE).values(**values).on_conflict_do_nothing(
        index_elements=["dedupe_key"]))


def backoff(attempts: int, *, base: float = 10.0, cap: float = 3600.0) -> timedelta:
    """10 s, 20 s, 40 s, … after the 1st, 2nd, 3rd failure, never more than an hour."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


@dataclass
class Claimed:
    id: str
    kind: str
    payload: dict[str, Any]
    attempts: int


class Worker:
    """Drains the outbox of one database; any number may run side by side."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, events: EventHandlers,
                 jobs: dict[str, JobHandler] | None = None, lease_seconds: float = 120.0,
                 max_attempts: int = 8, batch_size: int = 20, name: str | None = None) -> None:
        self.sessionmaker = sessionmaker
        self.events = events
        self.jobs: dict[str, JobHandler] = dict(jobs or {})
        self.lease = timedelta(seconds=lease_seconds)
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.name = name or f"worker-{secrets.token_hex(4)}"
        self._wake = asyncio.Event()
        self._stopping = False

    def register(self, kind: str, handler: JobHandler) -> None:
        self.jobs[kind] = handler

    def nudge(self) -> None:
        """Look for due jobs now rather than at the next poll (called after commits)."""
        self._wake.set()

    async def claim(self, *, now: datetime | None = None) -> list[Claimed]:
        """Take up to `batch_size` due jobs under a lease held by this worker."""
        now = now or utcnow()
        due = or_(and_(OutboxJob.status == "pending", OutboxJob.run_at <= now),
                  and_(OutboxJob.status == "running", OutboxJob.claimed_until < now))
        async with self.sessionmaker() as db:
            query = select(OutboxJob.id).where(due).order_by(OutboxJob.run_at).limit(self.batch_size)
            if db.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = list((await db.execute(query)).scalars())
            if not ids:
                await db.rollback()
                return []
            # On SQLite nothing was locked, so the UPDATE re-checks that each row is still due.
            result = await db.execute(
                update(OutboxJob).where(OutboxJob.id.in_(ids), due)
                .values(status="running", claimed_by=self.name, claimed_until=now + self.lease,
                        attempts=OutboxJob.attempts + 1)
                .returning(OutboxJob.id, OutboxJob.kind, OutboxJob.payload, OutboxJob.attempts))
            claimed = [Claimed(*row) for row in result.all()]
            await db.commit()
        return claimed

    async def run_once(self, *, now: datetime | None = None) -> int:
        """Claim one batch and run it; returns how many jobs were claimed."""
        claimed = await self.claim(now=now)
        for job in claimed:
            await self._run(job, now=now)
        return len(claimed)

    async def drain(self, *, now: datetime | None = None, limit: int = 1000) -> int:
        """Run batches until nothing is due at `now` (jobs that enqueue due jobs included)."""
        total = 0
        while total < limit and not self._stopping:
            ran = await self.run_once(now=now)
            if not ran:
                break
            total += ran
        return total

    async def run(self, poll_seconds: float) -> None:
        """The background loop: drain, then sleep until nudged or the poll interval passes."""
        while not self._stopping:
            self._wake.clear()  # before draining, so a nudge that comes meanwhile is not lost
            try:
                await self.drain()
            except Exception:
                log.exception("outbox worker: claiming failed; retrying after the poll interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=poll_seconds)

    def start(self, poll_seconds: float) -> asyncio.Task[None]:
        """Run the loop as a background task of the app (see `stop`)."""
        self._stopping = False
        return asyncio.create_task(self.run(poll_seconds), name=self.name)

    async def stop(self, task: asyncio.Task[None] | None) -> None:
        """Finish the job in hand, then end the loop; unfinished claims are re-run later."""
        self._stopping = True
        self._wake.set()
        if task is not None:
            await task

    async def _run(self, job: Claimed, *, now: datetime | None) -> None:
        mine = and_(OutboxJob.id == job.id, OutboxJob.claimed_by == self.name,
                    OutboxJob.status == "running")
        time_token, id_token = _job_time.set(now), _job_id.set(job.id)
        try:
            await self._run_claimed(job, mine, now=now)
        finally:
            _job_time.reset(time_token)
            _job_id.reset(id_token)

    async def _run_claimed(self, job: Claimed, mine: Any, *, now: datetime | None) -> None:
        async with self.sessionmaker() as db:
            try:
                if job.attempts > self.max_attempts:
                    raise RuntimeError("gave up: the job's lease expired too many times")
                await self._dispatch(db, job)
                done = await db.execute(
                    update(OutboxJob).where(mine)
                    .values(status="done", finished_at=utcnow(), claimed_until=None, last_error=None))
                if done.rowcount != 1:
                    # The lease ran out and another worker took the job: keep none of our effects.
                    await db.rollback()
                    return
                await db.commit()
                return
            except RunLater as later:
                await db.rollback()
                values: dict[str, Any] = {"status": "pending", "run_at": later.run_at, "attempts": 0}
            except Exception as exc:
                await db.rollback()
                log.warning("outbox job %s (%s) failed on attempt %d: %s", job.id, job.kind,
                            job.attempts, exc)
                failed_for_good = job.attempts >= self.max_attempts
                values = {"status": "dead" if failed_for_good else "pending",
                          "run_at": (now or utcnow()) + backoff(job.attempts),
                          "last_error": f"{type(exc).__name__}: {exc}"[:2000]}
                if failed_for_good:
                    values["finished_at"] = utcnow()
            await db.execute(update(OutboxJob).where(mine)
                             .values(claimed_by=None, claimed_until=None, **values))
            await db.commit()

    async def _dispatch(self, db: AsyncSession, job: Claimed) -> None:
        if job.kind.startswith(EVENT_PREFIX):
            event_type = job.payload["type"]
            for handler in self.events.for_type(event_type):
                await handler(db, event_type, job.payload.get("data", {}))
            return
        handler = self.jobs.get(job.kind)
        if handler is None:
            raise LookupError(f"no handler for job kind '{job.kind}'")
        await handler(db, job.payload)


class NudgeAfterWrites:
    """ASGI middleware: once an unsafe request has answered (its commit is done), wake the
    worker so staged events and jobs run at once instead of at the next poll."""

    def __init__(self, app: ASGIApp, get_worker: Callable[[], Worker | None]) -> None:
        self.app = app
        self.get_worker = get_worker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            worker = self.get_worker()
            if worker is not None:
                worker.nudge()
