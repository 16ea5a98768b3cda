"""Business goals: administrators publish, revise and archive them; everyone signed in reads
them, so personal goals can say which aim of the business they serve. Archiving keeps the row
(goals that name it still show its title) and only stops it being offered for new goals.
Who may write is the routers' business (the `admin` scope); these functions hold the rules.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, NotFound
from app.models import BusinessGoal, User
from app.models.base import utcnow
from app.schemas.learning_business import BusinessGoalCreate, BusinessGoalUpdate
from app.services.pagination import page_of


async def list_business_goals(db: AsyncSession, *, include_archived: bool = False, cursor: str | None = None,
                              limit: int = 50) -> tuple[list[BusinessGoal], str | None]:
    """Business goals in the order they were published, a page at a time; active ones only
    unless `include_archived`."""
    query = select(BusinessGoal)
    if not include_archived:
        query = query.where(BusinessGoal.archived_at.is_(None))
    return await page_of(db, query, BusinessGoal, cursor=cursor, limit=limit)


async def active_business_goals(db: AsyncSession, *, limit: int = 200) -> list[BusinessGoal]:
    """Every business goal still offered for new goals, by title (for pickers)."""
    query = (select(BusinessGoal).where(BusinessGoal.archived_at.is_(None))
             .order_by(BusinessGoal.title, BusinessGoal.id).limit(limit))
    return list(await db.scalars(query))


async def get_business_goal(db: AsyncSession, *, business_goal_id: str,
                            include_archived: bool = True) -> BusinessGoal:
    """The business goal; `NotFound` when there is none (or it is archived, unless
    `include_archived`: the API archives one by deleting it, so its address then answers 404,
    while lists with archived ones and the goals that name it still show it)."""
    goal = await db.get(BusinessGoal, business_goal_id)
    if goal is None:
        raise NotFound("There is no business goal with this id.")
    if goal.archived_at is not None and not include_archived:
        raise NotFound("This business goal is archived.")
    return goal


async def publish_business_goal(db: AsyncSession, *, author: User, data: BusinessGoalCreate) -> BusinessGoal:
    goal = BusinessGoal(title=data.title, description=data.description, created_by=author.id)
    db.add(goal)
    await db.commit()
    return goal


async def revise_business_goal(db: AsyncSession, *, business_goal_id: str,
                               changes: BusinessGoalUpdate) -> BusinessGoal:
    """Change the title or description of a business goal that is not archived."""
    goal = await get_business_goal(db, business_goal_id=business_goal_id)
    values = changes.model_dump(exclude_unset=True)
    if goal.archived_at is not None:
        raise Conflict("This business goal is archived; publish a new one instead.")
    if "title" in values:
        goal.title = values["title"]
    if "description" in values:
        goal.description = values["description"] or ""
    await db.commit()
    return goal


async def archive_business_goal(db: AsyncSession, *, business_goal_id: str) -> BusinessGoal:
    """Stop offering a business goal for new goals (archiving twice changes nothing)."""
    goal = await get_business_goal(db, business_goal_id=business_goal_id)
    if goal.archived_at is None:
        goal.archived_at = utcnow()
        await db.commit()
    return goal
