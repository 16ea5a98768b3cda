"""A goal's plan: items of every kind (a resource, an activity, a person to talk to, a session
or lounge, a challenge), their order, ticking them off, and ticking session items by
attendance: being checked in to the session, or to any occurrence of its series, ticks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, NotFound
from app.models import Goal, GoalSuggestion, LearningSession, Lounge, PlanItem, Rsvp, User
from app.schemas.goals import PlanItemCreate, PlanItemUpdate
from app.services import events
from app.services.goals import own_goal, today_for, visible_goal
from app.services.lounges import visible_lounge, visible_to

MAX_ITEMS = 100


def _now() -> datetime:
    return datetime.now(UTC)


def is_overdue(item: PlanItem, today: date) -> bool:
    return not item.done and item.due_on is not None and item.due_on < today


async def list_plan(db: AsyncSession, *, viewer: User, goal_id: str) -> list[PlanItem]:
    """The whole plan in its order (a plan holds at most `MAX_ITEMS` items)."""
    goal = await visible_goal(db, viewer=viewer, goal_id=goal_id)
    return await items_of(db, goal.id)


async def items_of(db: AsyncSession, goal_id: str) -> list[PlanItem]:
    return list((await db.scalars(select(PlanItem).where(PlanItem.goal_id == goal_id)
                                  .order_by(PlanItem.position, PlanItem.created_at, PlanItem.id)
                                  .execution_options(populate_existing=True))).all())


async def _attended(db: AsyncSession, *, user_id: str, session: LearningSession) -> bool:
    same = LearningSession.id == session.id
    if session.series_id:
        same = or_(same, LearningSession.series_id == session.series_id)
    found = await db.scalar(select(Rsvp.session_id)
                            .join(LearningSession, LearningSession.id == Rsvp.session_id)
                            .where(Rsvp.user_id == user_id, Rsvp.checked_in_at.is_not(None), same).limit(1))
    return found is not None


async def _item_for(db: AsyncSession, *, user: User, goal: Goal, data: PlanItemCreate) -> PlanItem:
    """The new item, its title taken from what it points at when none was given."""
    item = PlanItem(goal_id=goal.id, kind=data.kind, title=data.title, due_on=data.due_on)
    if data.kind == "resource":
        item.url = data.url
    elif data.kind == "session":
        assert data.session_id is not None
        session = await visible_session(db, user=user, session_id=data.session_id)
        item.session_id, item.series_id = session.id, session.series_id
        item.title = item.title or session.title
        if await _attended(db, user_id=user.id, session=session):
            item.done, item.done_at, item.done_by = True, _now(), "attendance"
    elif data.kind == "lounge":
        assert data.lounge_id is not None
        try:
            lounge, _role = await visible_lounge(db, lounge_id=data.lounge_id, user_id=user.id)
        except NotFound as exc:
            raise Conflict("There is no lounge with this id that you can see.",
                           field="lounge_id") from exc
        item.lounge_id, item.title = lounge.id, item.title or lounge.name
    elif data.kind == "person":
        person = await db.get(User, data.person_id)
        if person is None:
            raise Conflict("No person has this id.", field="person_id")
        item.person_id, item.title = person.id, item.title or f"Talk to {person.display_name}"
    elif data.kind == "challenge":
        raise Conflict("There is no challenge with this id.", field="challenge_id")
    return item


async def stage_item(db: AsyncSession, *, user: User, goal: Goal, data: PlanItemCreate) -> PlanItem:
    """Add an item at the end of the plan, in the caller's transaction."""
    count = int(await db.scalar(select(func.count()).where(PlanItem.goal_id == goal.id)) or 0)
    if count >= MAX_ITEMS:
        raise Conflict(f"A plan holds at most {MAX_ITEMS} items.")
    item = await _item_for(db, user=user, goal=goal, data=data)
    item.position = count
    db.add(item)
    if item.done:
        events.record(db, "plan_item.done", _event(goal, item))
    return item


async def add_item(db: AsyncSession, *, user: User, goal_id: str, data: PlanItemCreate) -> PlanItem:
    goal = await own_goal(db, user=user, goal_id=goal_id)
    item = await stage_item(db, user=user, goal=goal, data=data)
    await db.commit()
    return item


async def visible_session(db: AsyncSession, *, user: User, session_id: str) -> LearningSession:
    """A session `user` may see (its lounge is open, or theirs), else a 409 on `session_id`."""
    session = await db.get(LearningSession, session_id)
    try:
        if session is None:
            raise NotFound("missing")
        await visible_lounge(db, lounge_id=session.lounge_id, user_id=user.id)
    except NotFound as exc:
        raise Conflict("There is no session with this id that you can see.", field="session_id") from exc
    return session


def _event(goal: Goal, item: PlanItem) -> dict[str, str]:
    return {"goal_id": goal.id, "owner_id": goal.owner_id, "visibility": goal.visibility,
            "plan_item_id": item.id, "done_by": item.done_by or "owner"}


async def _own_item(db: AsyncSession, *, user: User, goal_id: str, item_id: str) -> tuple[Goal, PlanItem]:
    goal = await own_goal(db, user=user, goal_id=goal_id)
    item = await db.get(PlanItem, item_id, populate_existing=True)
    if item is None or item.goal_id != goal.id:
        raise NotFound("This goal's plan has no item with this id.")
    return goal, item


async def _move(db: AsyncSession, goal_id: str, item: PlanItem, position: int) -> None:
    items = [other for other in await items_of(db, goal_id) if other.id != item.id]
    items.insert(min(position, len(items)), item)
    for index, other in enumerate(items):
        other.position = index


async def update_item(db: AsyncSession, *, user: User, goal_id: str, item_id: str,
                      changes: PlanItemUpdate) -> PlanItem:
    goal, item = await _own_item(db, user=user, goal_id=goal_id, item_id=item_id)
    values = changes.model_dump(exclude_unset=True)
    if "title" in values:
        item.title = values["title"]
    if "due_on" in values:
        item.due_on = values["due_on"]
    if "done" in values and values["done"] != item.done:
        item.done = values["done"]
        item.done_at, item.done_by = (_now(), "owner") if item.done else (None, None)
        if item.done:
            events.record(db, "plan_item.done", _event(goal, item))
    if "position" in values:
        await _move(db, goal.id, item, values["position"])
    await db.commit()
    return item


async def remove_item(db: AsyncSession, *, user: User, goal_id: str, item_id: str) -> None:
    """Remove the item; a suggestion it came from stays accepted, pointing at no item now."""
    goal, item = await _own_item(db, user=user, goal_id=goal_id, item_id=item_id)
    await db.execute(update(GoalSuggestion).where(GoalSuggestion.plan_item_id == item.id)
                     .values(plan_item_id=None))
    await db.delete(item)
    await db.flush()
    for index, other in enumerate(await items_of(db, goal.id)):
        other.position = index
    await db.commit()


async def record_attendance(db: AsyncSession, *, user_id: str, session: LearningSession,
                            attended: bool) -> None:
    """Tick (or, when a check-in is undone, untick) the person's session items for `session`
    and its series, in the caller's transaction."""
    matches = PlanItem.session_id == session.id
    if session.series_id:
        matches = or_(matches, PlanItem.series_id == session.series_id)
    mine = PlanItem.goal_id.in_(select(Goal.id).where(Goal.owner_id == user_id))
    if attended:
        items = (await db.scalars(select(PlanItem).where(mine, matches, PlanItem.kind == "session",
                                                         PlanItem.done.is_(False)))).all()
        owners = {g.id: g for g in (await db.scalars(select(Goal).where(
            Goal.id.in_({i.goal_id for i in items})))).all()}
        for item in items:
            item.done, item.done_at, item.done_by = True, _now(), "attendance"
            events.record(db, "plan_item.done", _event(owners[item.goal_id], item))
        return
    await db.flush()  # the undone check-in must count in the query below
    if await _attended(db, user_id=user_id, session=session):
        return  # another occurrence of the series still counts
    await db.execute(update(PlanItem).where(mine, matches, PlanItem.done_by == "attendance")
                     .values(done=False, done_at=None, done_by=None))


@dataclass(frozen=True)
class PlanEntry:
    """A plan item as one viewer sees it. `hidden`: it points at a session or lounge the
    viewer may not see (a private lounge), so they see that a step exists, not what it is."""

    item: PlanItem
    overdue: bool
    hidden: bool


async def entries(db: AsyncSession, *, items: list[PlanItem], owner: User,
                  viewer_id: str | None) -> list[PlanEntry]:
    """The items as `viewer_id` sees them (None: someone who belongs to no private lounge),
    overdue in the owner's calendar."""
    today = today_for(owner)
    hidden: set[str] = set()
    if items and viewer_id != owner.id:
        session_ids = {i.session_id for i in items if i.session_id}
        lounge_of = dict((await db.execute(select(LearningSession.id, LearningSession.lounge_id).where(
            LearningSession.id.in_(session_ids)))).all()) if session_ids else {}
        wanted = {i.lounge_id for i in items if i.lounge_id} | set(lounge_of.values())
        seen = set((await db.scalars(select(Lounge.id).where(
            Lounge.id.in_(wanted), visible_to(viewer_id or "")))).all()) if wanted else set()
        hidden = {i.id for i in items
                  if (i.lounge_id and i.lounge_id not in seen)
                  or (i.session_id and lounge_of.get(i.session_id) not in seen)}
    return [PlanEntry(item=i, overdue=is_overdue(i, today), hidden=i.id in hidden) for i in items]
