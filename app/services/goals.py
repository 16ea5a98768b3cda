"""Goals as learning contracts: who may see one, writing, editing and deleting it, and
check-ins (a progress note, the status after it and the minutes spent).

Visibility is the owner's to set: `private` (only the owner), `team` (the owner, their
manager, and people who share the owner's manager) or `org` (every signed-in member). No role
sees more: administrators and advisors read goals exactly as any colleague would. A goal the
viewer may not see is `NotFound`, never `Forbidden`, so its existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, delete, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import BusinessGoal, Goal, GoalCheckIn, GoalComment, GoalSuggestion, PlanItem, User
from app.schemas.goals import CheckInCreate, GoalCreate, GoalUpdate
from app.services import events
from app.services.pagination import page_of

CONTRACT_TEXT = ("why", "where_i_am", "where_i_want_to_be", "how_i_will_get_there", "how_i_will_know")
MISSING = "There is no goal here, or its owner has not shared it with you."


def _now() -> datetime:
    return datetime.now(UTC)


def today_for(user: User) -> date:
    return datetime.now(ZoneInfo(user.time_zone)).date()


@dataclass(frozen=True)
class GoalView:
    """A goal as one viewer sees it."""

    goal: Goal
    owner_name: str
    business_goal_title: str | None
    plan_done: int
    plan_total: int
    is_mine: bool


def visible_to(viewer: User) -> ColumnElement[bool]:
    """Goals `viewer` may see, as a condition on `Goal` (one rule for every path)."""
    owner = aliased(User)
    owner_manager = (select(owner.manager_id).where(owner.id == Goal.owner_id)
                     .correlate(Goal).scalar_subquery())
    teammate = owner_manager == viewer.manager_id if viewer.manager_id else false()
    team = and_(Goal.visibility == "team", or_(owner_manager == viewer.id, teammate))
    return or_(Goal.owner_id == viewer.id, Goal.visibility == "org", team)


def _view_query(viewer: User):
    of_goal = PlanItem.goal_id == Goal.id
    plan_total = select(func.count()).where(of_goal).scalar_subquery()
    plan_done = select(func.count()).where(of_goal, PlanItem.done.is_(True)).scalar_subquery()
    return (select(Goal, User.display_name, BusinessGoal.title, plan_done, plan_total)
            .join(User, User.id == Goal.owner_id)
            .outerjoin(BusinessGoal, BusinessGoal.id == Goal.business_goal_id)
            .where(visible_to(viewer)))


def _as_view(row: Any, viewer: User) -> GoalView:
    goal, owner_name, business_title, done, total = row
    return GoalView(goal=goal, owner_name=owner_name, business_goal_title=business_title,
                    plan_done=int(done or 0), plan_total=int(total or 0), is_mine=goal.owner_id == viewer.id)


async def get_goal(db: AsyncSession, *, viewer: User, goal_id: str) -> GoalView:
    row = (await db.execute(_view_query(viewer).where(Goal.id == goal_id)
                            .execution_options(populate_existing=True))).first()
    if row is None:
        raise NotFound(MISSING)
    return _as_view(row, viewer)


async def visible_goal(db: AsyncSession, *, viewer: User, goal_id: str) -> Goal:
    """The goal, when `viewer` may see it."""
    goal = await db.scalar(select(Goal).where(Goal.id == goal_id, visible_to(viewer))
                           .execution_options(populate_existing=True))
    if goal is None:
        raise NotFound(MISSING)
    return goal


async def own_goal(db: AsyncSession, *, user: User, goal_id: str) -> Goal:
    """The goal, when `user` owns it; others who may see it are told only the owner can."""
    goal = await visible_goal(db, viewer=user, goal_id=goal_id)
    if goal.owner_id != user.id:
        raise Forbidden("Only the goal's owner can change it.")
    return goal


async def list_goals(db: AsyncSession, *, viewer: User, owner: str | None, status: str | None,
                     cursor: str | None, limit: int) -> tuple[list[GoalView], str | None]:
    """Goals the viewer may see, newest first; `owner` is "me" or a person's id."""
    query = _view_query(viewer)
    if owner is not None:
        query = query.where(Goal.owner_id == (viewer.id if owner == "me" else owner))
    if status is not None:
        query = query.where(Goal.status == status)
    rows, next_cursor = await page_of(db, query, Goal, cursor=cursor, limit=limit, newest_first=True,
                                      whole_rows=True)
    return [_as_view(row, viewer) for row in rows], next_cursor


async def _check_business_goal(db: AsyncSession, business_goal_id: str | None) -> None:
    if business_goal_id is None:
        return
    found = await db.scalar(select(BusinessGoal.id).where(BusinessGoal.id == business_goal_id,
                                                          BusinessGoal.archived_at.is_(None)))
    if found is None:
        raise Conflict("There is no published business goal with this id.", field="business_goal_id")


def _check_target(user: User, target: date | None) -> None:
    if target is not None and target < today_for(user):
        raise InvalidInput("Choose a target date from today on.", field="target_date")


def _event(goal: Goal, **extra: Any) -> dict[str, Any]:
    return {"goal_id": goal.id, "owner_id": goal.owner_id, "visibility": goal.visibility, **extra}


async def create_goal(db: AsyncSession, *, user: User, data: GoalCreate) -> GoalView:
    await _check_business_goal(db, data.business_goal_id)
    _check_target(user, data.target_date)
    goal = Goal(owner_id=user.id, **data.model_dump())
    db.add(goal)
    events.record(db, "goal.created", _event(goal))
    await db.commit()
    return await get_goal(db, viewer=user, goal_id=goal.id)


def _set_status(db: AsyncSession, goal: Goal, status: str) -> None:
    if status == goal.status:
        return
    goal.status = status
    goal.achieved_at = _now() if status == "achieved" else None
    if status == "achieved":
        events.record(db, "goal.achieved", _event(goal))


async def update_goal(db: AsyncSession, *, user: User, goal_id: str, changes: GoalUpdate) -> GoalView:
    goal = await own_goal(db, user=user, goal_id=goal_id)
    values = changes.model_dump(exclude_unset=True)
    for name in CONTRACT_TEXT:
        if name in values and values[name] is None:
            values[name] = ""  # null clears an answer
    if "business_goal_id" in values and values["business_goal_id"] != goal.business_goal_id:
        await _check_business_goal(db, values["business_goal_id"])
    if "target_date" in values and values["target_date"] != goal.target_date:
        _check_target(user, values["target_date"])
    changed = sorted(name for name, value in values.items() if getattr(goal, name) != value)
    if "status" in values:
        _set_status(db, goal, values.pop("status"))
    for name, value in values.items():
        setattr(goal, name, value)
    if changed:
        goal.updated_at = _now()
        events.record(db, "goal.updated", _event(goal, changed=changed))
    await db.commit()
    return await get_goal(db, viewer=user, goal_id=goal.id)


async def delete_goal(db: AsyncSession, *, user: User, goal_id: str) -> None:
    """Delete the goal with its plan, check-ins and the support it received."""
    goal = await own_goal(db, user=user, goal_id=goal_id)
    for model in (GoalSuggestion, GoalComment, GoalCheckIn, PlanItem):
        await db.execute(delete(model).where(model.goal_id == goal.id))
    await db.delete(goal)
    await db.commit()


# --- check-ins ---------------------------------------------------------------------------------

async def check_in(db: AsyncSession, *, user: User, goal_id: str, data: CheckInCreate) -> GoalCheckIn:
    goal = await own_goal(db, user=user, goal_id=goal_id)
    status = data.status or goal.status
    checkin = GoalCheckIn(goal_id=goal.id, author_id=user.id, note=data.note, status=status,
                          minutes=data.minutes)
    db.add(checkin)
    _set_status(db, goal, status)
    goal.last_checkin_at = checkin.created_at
    goal.updated_at = checkin.created_at
    events.record(db, "goal.checked_in", _event(goal, checkin_id=checkin.id, status=status))
    await db.commit()
    return checkin


async def list_checkins(db: AsyncSession, *, viewer: User, goal_id: str, cursor: str | None,
                        limit: int) -> tuple[list[GoalCheckIn], str | None]:
    """The goal's check-ins, newest first (a timeline)."""
    goal = await visible_goal(db, viewer=viewer, goal_id=goal_id)
    query = select(GoalCheckIn).where(GoalCheckIn.goal_id == goal.id)
    return await page_of(db, query, GoalCheckIn, cursor=cursor, limit=limit, newest_first=True)
