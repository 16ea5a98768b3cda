"""A manager's view of their direct reports, and "what my manager sees" for a report: one
function builds what a manager sees of a person, so `/team` and `/me/manager-view` cannot
differ. A manager sees a report's goals shared with the team or the organisation (never a
private one), their plans and check-ins, and how many sessions the report attended and hosted.
It also finds the sessions a manager may suggest for a shared goal.
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


async def _reports(db: AsyncSession, people: list[User]) -> list[ReportView]:
    """What each person's manager sees of them (plan steps in lounges the manager cannot see
    stay hidden), in a fixed number of queries however many people there are."""
    ids = [person.id for person in people]
    if not ids:
        return []
    rows = (await db.execute(
        select(Goal, BusinessGoal.title).outerjoin(BusinessGoal, BusinessGoal.id == Goal.business_goal_id)
        .where(Goal.owner_id.in_(ids), Goal.visibility.in_(SHARED_WITH_MANAGER))
        .order_by(Goal.created_at.desc(), Goal.id.desc()))).all()
    goal_ids = [goal.id for goal, _title in rows]
    plans: dict[str, list[PlanItem]] = {goal_id: [] for goal_id in goal_ids}
    checkins: dict[str, list[GoalCheckIn]] = {goal_id: [] for goal_id in goal_ids}
    if goal_ids:
        for item in (await db.scalars(select(PlanItem).where(PlanItem.goal_id.in_(goal_ids))
                                      .order_by(PlanItem.position, PlanItem.id))).all():
            plans[item.goal_id].append(item)
        rank = func.row_number().over(partition_by=GoalCheckIn.goal_id,
                                      order_by=(GoalCheckIn.created_at.desc(), GoalCheckIn.id.desc()))
        recent = (select(GoalCheckIn.id, rank.label("rank"))
                  .where(GoalCheckIn.goal_id.in_(goal_ids)).subquery())
        for checkin in (await db.scalars(
                select(GoalCheckIn).join(recent, recent.c.id == GoalCheckIn.id)
                .where(recent.c.rank <= RECENT_CHECKINS)
                .order_by(GoalCheckIn.created_at.desc(), GoalCheckIn.id.desc()))).all():
            checkins[checkin.goal_id].append(checkin)
    attended = dict((await db.execute(
        select(Rsvp.user_id, func.count()).where(Rsvp.user_id.in_(ids), Rsvp.checked_in_at.is_not(None))
        .group_by(Rsvp.user_id))).all())
    hosted = dict((await db.execute(
        select(LearningSession.host_id, func.count()).where(
            LearningSession.host_id.in_(ids), LearningSession.status == "scheduled",
            LearningSession.starts_at <= utcnow()).group_by(LearningSession.host_id))).all())
    seen_as: dict[str, PlanEntry] = {}
    for person in people:  # each as their own manager sees them
        items = [item for goal, _title in rows if goal.owner_id == person.id for item in plans[goal.id]]
        found = await entries(db, items=items, owner=person, viewer_id=person.manager_id)
        seen_as.update((entry.item.id, entry) for entry in found)
    by_person: dict[str, list[SharedGoal]] = {person_id: [] for person_id in ids}
    names = {person.id: person.display_name for person in people}
    for goal, title in rows:
        plan = plans[goal.id]
        view = GoalView(goal=goal, owner_name=names[goal.owner_id], business_goal_title=title,
                        plan_done=sum(i.done for i in plan), plan_total=len(plan), is_mine=False)
        by_person[goal.owner_id].append(SharedGoal(view=view, plan=[seen_as[i.id] for i in plan],
                                                   checkins=checkins[goal.id]))
    return [ReportView(person=person, goals=by_person[person.id],
                       sessions_attended=int(attended.get(person.id, 0)),
                       sessions_hosted=int(hosted.get(person.id, 0))) for person in people]


async def list_reports(db: AsyncSession, *, manager: User) -> list[ReportView]:
    """My direct reports by name, each with only what they shared."""
    reports = (await db.scalars(select(User).where(User.manager_id == manager.id)
                                .order_by(func.lower(User.display_name), User.id))).all()
    return await _reports(db, list(reports))


async def manager_view(db: AsyncSession, *, user: User) -> ReportView:
    """Exactly what `list_reports` shows my manager about me."""
    return (await _reports(db, [user]))[0]
