"""A manager's view of their direct reports, and "what my manager sees" for a report: one
function builds what a manager sees of a person, so `/team` and `/me/manager-view` cannot
differ. A manager sees a report's goals shared with the team or the organisation (never a
private one), their plans and check-ins, and how many sessions the report attended and hosted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import BusinessGoal, Goal, GoalCheckIn, LearningSession, PlanItem, Rsvp, User
from app.models.base import utcnow
from app.services.goal_plans import PlanEntry, entries
from app.services.goals import GoalView

SHARED_WITH_MANAGER = ("team", "org")
RECENT_CHECKINS = 5


@dataclass(frozen=True)
class SharedGoal:
    view: GoalView
    plan: list[PlanEntry]
    checkins: list[GoalCheckIn]


@dataclass(frozen=True)
class ReportView:
    person: User
    goals: list[SharedGoal]
    sessions_attended: int
    sessions_hosted: int


async def _report(db: AsyncSession, person: User) -> ReportView:
    """What `person`'s manager sees of them (plan steps in lounges the manager cannot see stay hidden)."""
    rows = (await db.execute(
        select(Goal, BusinessGoal.title).outerjoin(BusinessGoal, BusinessGoal.id == Goal.business_goal_id)
        .where(Goal.owner_id == person.id, Goal.visibility.in_(SHARED_WITH_MANAGER))
        .order_by(Goal.created_at.desc(), Goal.id.desc()))).all()
    goal_ids = [goal.id for goal, _title in rows]
    plans: dict[str, list[PlanItem]] = {goal_id: [] for goal_id in goal_ids}
    checkins: dict[str, list[GoalCheckIn]] = {goal_id: [] for goal_id in goal_ids}
    if goal_ids:
        for item in (await db.scalars(select(PlanItem).where(PlanItem.goal_id.in_(goal_ids))
                                      .order_by(PlanItem.position, PlanItem.id))).all():
            plans[item.goal_id].append(item)
        newest = (GoalCheckIn.created_at.desc(), GoalCheckIn.id.desc())
        for checkin in (await db.scalars(select(GoalCheckIn).where(GoalCheckIn.goal_id.in_(goal_ids))
                                         .order_by(*newest))).all():
            if len(checkins[checkin.goal_id]) < RECENT_CHECKINS:
                checkins[checkin.goal_id].append(checkin)
    goals = [SharedGoal(view=GoalView(goal=goal, owner_name=person.display_name, business_goal_title=title,
                                      plan_done=sum(i.done for i in plans[goal.id]),
                                      plan_total=len(plans[goal.id]), is_mine=False),
                        plan=await entries(db, items=plans[goal.id], owner=person,
                                           viewer_id=person.manager_id),
                        checkins=checkins[goal.id]) for goal, title in rows]
    attended = await db.scalar(select(func.count()).select_from(Rsvp).where(
        Rsvp.user_id == person.id, Rsvp.checked_in_at.is_not(None)))
    hosted = await db.scalar(select(func.count()).select_from(LearningSession).where(
        LearningSession.host_id == person.id, LearningSession.status == "scheduled",
        LearningSession.starts_at <= utcnow()))
    return ReportView(person=person, goals=goals, sessions_attended=int(attended or 0),
                      sessions_hosted=int(hosted or 0))


async def list_reports(db: AsyncSession, *, manager: User) -> list[ReportView]:
    """My direct reports by name, each with only what they shared."""
    reports = (await db.scalars(select(User).where(User.manager_id == manager.id)
                                .order_by(func.lower(User.display_name), User.id))).all()
    return [await _report(db, person) for person in reports]


async def manager_view(db: AsyncSession, *, user: User) -> ReportView:
    """Exactly what `list_reports` shows my manager about me."""
    return await _report(db, user)
