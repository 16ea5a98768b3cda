"""Protected learning time: what a person planned this week (the `weekly_minutes` of their
active goals) against what they did (minutes recorded in check-ins, and the length of the
sessions they were checked in to), over the week from Monday in their own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Goal, GoalCheckIn, LearningSession, Rsvp, User


@dataclass(frozen=True)
class WeekTime:
    starts_on: datetime  # Monday 00:00 in the person's zone
    planned_minutes: int
    done_minutes: int

    @property
    def percent(self) -> int:
        if not self.planned_minutes:
            return 0
        return min(100, round(100 * self.done_minutes / self.planned_minutes))


def week_bounds(user: User, now: datetime | None = None) -> tuple[datetime, datetime]:
    """This week's Monday 00:00 and the next, in the person's zone, as UTC instants."""
    zone = ZoneInfo(user.time_zone)
    local = (now or datetime.now(UTC)).astimezone(zone)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), datetime.min.time(), zone)
    next_monday = datetime.combine(monday.date() + timedelta(days=7), datetime.min.time(), zone)
    return monday.astimezone(UTC), next_monday.astimezone(UTC)


async def this_week(db: AsyncSession, *, user: User, now: datetime | None = None) -> WeekTime:
    start, end = week_bounds(user, now)
    planned = await db.scalar(select(func.coalesce(func.sum(Goal.weekly_minutes), 0)).where(
        Goal.owner_id == user.id, Goal.status == "active"))
    from_checkins = await db.scalar(
        select(func.coalesce(func.sum(GoalCheckIn.minutes), 0))
        .join(Goal, Goal.id == GoalCheckIn.goal_id)
        .where(Goal.owner_id == user.id, GoalCheckIn.created_at >= start, GoalCheckIn.created_at < end))
    attended = (await db.execute(
        select(LearningSession.starts_at, LearningSession.ends_at)
        .join(Rsvp, Rsvp.session_id == LearningSession.id)
        .where(Rsvp.user_id == user.id, Rsvp.checked_in_at.is_not(None),
               LearningSession.starts_at >= start, LearningSession.starts_at < end))).all()
    from_sessions = sum(int((ends - starts).total_seconds() // 60) for starts, ends in attended)
    return WeekTime(starts_on=start.astimezone(ZoneInfo(user.time_zone)), planned_minutes=int(planned or 0),
                    done_minutes=int(from_checkins or 0) + from_sessions)
