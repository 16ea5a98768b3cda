"""Reads the goal pages need beyond one goal: the next open steps of several plans at once, and
the example learning contract the pages offer to start from."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Goal, PlanItem, User
from app.schemas.goals import GoalCreate
from app.services import goal_plans
from app.services.goal_plans import PlanEntry

EXAMPLE_DAYS_AHEAD = 120


async def next_steps(db: AsyncSession, *, viewer: User, goal_ids: list[str],
                     per_goal: int = 1) -> dict[str, list[PlanEntry]]:
    """The first `per_goal` items not done yet of each goal's plan, in plan order, as `viewer`
    may see them (a step in a private lounge they cannot see stays hidden)."""
    if not goal_ids:
        return {}
    order = (PlanItem.position, PlanItem.created_at, PlanItem.id)
    rank = func.row_number().over(partition_by=PlanItem.goal_id, order_by=order).label("rank")
    ranked = (select(PlanItem.id, rank)
              .where(PlanItem.goal_id.in_(goal_ids), PlanItem.done.is_(False)).subquery())
    items = list(await db.scalars(select(PlanItem).join(ranked, ranked.c.id == PlanItem.id)
                                  .where(ranked.c.rank <= per_goal).order_by(PlanItem.goal_id, *order)))
    if not items:
        return {}
    owner_of = dict((await db.execute(select(Goal.id, Goal.owner_id).where(
        Goal.id.in_({i.goal_id for i in items})))).all())
    others = set(owner_of.values()) - {viewer.id}
    owners = {viewer.id: viewer}
    if others:
        owners.update({u.id: u for u in await db.scalars(select(User).where(User.id.in_(others)))})
    steps: dict[str, list[PlanEntry]] = {}
    for owner_id in set(owner_of.values()):
        mine = [i for i in items if owner_of[i.goal_id] == owner_id]
        for entry in await goal_plans.entries(db, items=mine, owner=owners[owner_id], viewer_id=viewer.id):
            steps.setdefault(entry.item.goal_id, []).append(entry)
    return steps


def example_contract(*, today: date) -> dict[str, Any]:
    """The API's example contract as a form fills it: skills as one comma-separated text, a
    target date some months ahead, and no visibility (who sees it is the writer's own choice)."""
    example = dict(GoalCreate.model_config["json_schema_extra"]["examples"][0])  # type: ignore[index]
    example.pop("visibility", None)
    example["skills"] = ", ".join(example["skills"])
    example["target_date"] = (today + timedelta(days=EXAMPLE_DAYS_AHEAD)).isoformat()
    example["weekly_minutes"] = str(example["weekly_minutes"])
    return example
