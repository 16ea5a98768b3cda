"""Check-in nudges: an active goal left without a check-in for `checkin_nudge_days` rings its
owner's bell (never an e-mail, never anyone else).

Each quiet period is one delayed outbox job, keyed on the goal and what began the period (its
creation, a check-in, or being set active again), so scheduling it twice keeps one row. When
it comes due it looks again: the goal still exists, is still active, nobody checked in since,
and no later quiet period was armed (a pause and a restart, say); otherwise it does nothing. A
nudge is not re-armed: the next check-in starts the next quiet period, so a goal left alone is
nudged once, not every month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Goal, GoalCheckIn, OutboxJob
from app.models.base import as_utc
from app.services.events import EventHandlers
from app.services.notifications import notify
from app.services.outbox import RunLater, enqueue, job_id, job_time

NUDGE_JOB = "goal.nudge"


def nudge_key(goal_id: str, since: str) -> str:
    """One job per goal and quiet period; `since` names what began it."""
    return f"goal-nudge:{goal_id}:{since}"


@dataclass(frozen=True)
class CheckInNudges:
    """The event handlers that arm nudges and the job that sends them, for `days` of quiet."""

    days: int

    async def _arm(self, db: AsyncSession, goal: Goal, *, quiet_since: datetime, key: str,
                   checkin_id: str | None = None) -> None:
        quiet_since = as_utc(quiet_since)
        await enqueue(db, NUDGE_JOB, {"goal_id": goal.id, "quiet_since": quiet_since.isoformat(),
                                      "checkin_id": checkin_id},
                      key=nudge_key(goal.id, key), run_at=quiet_since + timedelta(days=self.days))

    async def on_goal_created(self, db: AsyncSession, _type: str, data: dict[str, Any]) -> None:
        goal = await db.get(Goal, data["goal_id"])
        if goal is not None and goal.status == "active":
            await self._arm(db, goal, quiet_since=goal.created_at, key="created")

    async def on_goal_checked_in(self, db: AsyncSession, _type: str, data: dict[str, Any]) -> None:
        goal = await db.get(Goal, data["goal_id"])
        checkin = await db.get(GoalCheckIn, data.get("checkin_id"))
        if goal is not None and checkin is not None and goal.status == "active":
            await self._arm(db, goal, quiet_since=checkin.created_at, key=checkin.id, checkin_id=checkin.id)

    async def on_goal_updated(self, db: AsyncSession, _type: str, data: dict[str, Any]) -> None:
        """A paused or finished goal set active again starts a quiet period of its own."""
        if "status" not in data.get("changed", []):
            return
        goal = await db.get(Goal, data["goal_id"])
        if goal is not None and goal.status == "active":
            # Keyed on the goal's last change, read now: of a pause and a restart handled
            # after both happened, only one period is armed.
            since = as_utc(goal.updated_at)
            await self._arm(db, goal, quiet_since=since, key=f"resumed:{since.isoformat()}")

    async def send_nudge(self, db: AsyncSession, payload: dict[str, Any]) -> None:
        """The `goal.nudge` job: ring the owner's bell if the goal stayed active and quiet."""
        goal = await db.get(Goal, payload["goal_id"])
        if goal is None or goal.status != "active":
            return
        quiet_since = datetime.fromisoformat(payload["quiet_since"])
        due = quiet_since + timedelta(days=self.days)
        if job_time() < due:
            raise RunLater(due)  # the setting grew since this job was armed
        later = select(GoalCheckIn.id).where(GoalCheckIn.goal_id == goal.id,
                                             GoalCheckIn.created_at > quiet_since)
        if payload.get("checkin_id"):
            later = later.where(GoalCheckIn.id != payload["checkin_id"])
        if await db.scalar(select(exists(later))):
            return  # checked in since: that check-in armed the next nudge
        newer_period = select(OutboxJob.id).where(
            OutboxJob.dedupe_key.startswith(nudge_key(goal.id, ""), autoescape=True),
            OutboxJob.id != job_id(), OutboxJob.run_at > due)
        if await db.scalar(select(exists(newer_period))):
            return  # a later quiet period began (the goal was set active again): it speaks
        notify(db, user_id=goal.owner_id, kind="goal.nudge", title=f"Time for a check-in on {goal.title}",
               body=f"No check-in for {self.days} days. A few lines on where you are now keeps the "
                    "goal alive, or pause it if it is waiting.",
               url=f"/goals/{goal.id}")

    def subscribe(self, events: EventHandlers) -> None:
        events.subscribe("goal.created", self.on_goal_created)
        events.subscribe("goal.checked_in", self.on_goal_checked_in)
        events.subscribe("goal.updated", self.on_goal_updated)
