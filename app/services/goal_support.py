"""Support on a goal from the people it is shared with: comments, and suggestions of a session
or a person that the owner accepts (it becomes a plan item) or ignores. The owner hears of
each in the bell; nobody else is told anything about the goal.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, Forbidden, NotFound
from app.models import Goal, GoalComment, GoalSuggestion, LearningSession, Lounge, PlanItem, User
from app.schemas.goals import CommentCreate, PlanItemCreate, SuggestionCreate
from app.services.goal_plans import stage_item, visible_session
from app.services.goals import own_goal, visible_goal
from app.services.lounges import visible_to
from app.services.notifications import notify
from app.services.pagination import page_of
from app.services.sessions import SessionView, list_sessions


@dataclass(frozen=True)
class CommentView:
    comment: GoalComment
    author_name: str


@dataclass(frozen=True)
class SuggestionView:
    suggestion: GoalSuggestion
    author_name: str
    target_title: str


async def add_comment(db: AsyncSession, *, user: User, goal_id: str, data: CommentCreate) -> CommentView:
    goal = await visible_goal(db, viewer=user, goal_id=goal_id)
    comment = GoalComment(goal_id=goal.id, author_id=user.id, body=data.body)
    db.add(comment)
    if goal.owner_id != user.id:
        notify(db, user_id=goal.owner_id, kind="goal.comment",
               title=f"{user.display_name} commented on {goal.title}", body=data.body[:300],
               url=f"/goals/{goal.id}")
    await db.commit()
    return CommentView(comment=comment, author_name=user.display_name)


async def list_comments(db: AsyncSession, *, viewer: User, goal_id: str, cursor: str | None,
                        limit: int) -> tuple[list[CommentView], str | None]:
    goal = await visible_goal(db, viewer=viewer, goal_id=goal_id)
    query = (select(GoalComment, User.display_name).join(User, User.id == GoalComment.author_id)
             .where(GoalComment.goal_id == goal.id))
    rows, next_cursor = await page_of(db, query, GoalComment, cursor=cursor, limit=limit, whole_rows=True)
    return [CommentView(comment=c, author_name=name) for c, name in rows], next_cursor


async def _target_title(db: AsyncSession, suggestion: GoalSuggestion) -> str:
    if suggestion.kind == "session":
        return await db.scalar(select(LearningSession.title).where(
            LearningSession.id == suggestion.session_id)) or ""
    return await db.scalar(select(User.display_name).where(User.id == suggestion.person_id)) or ""


async def suggest(db: AsyncSession, *, user: User, goal_id: str, data: SuggestionCreate) -> SuggestionView:
    """Someone the goal is shared with suggests a session (that they can see) or a person."""
    goal = await visible_goal(db, viewer=user, goal_id=goal_id)
    if goal.owner_id == user.id:
        raise Forbidden("Add it to your plan instead: suggestions are for the people you share with.")
    if data.kind == "session":
        assert data.session_id is not None
        await visible_session(db, user=user, session_id=data.session_id)
        owner = await db.get(User, goal.owner_id)
        assert owner is not None
        try:
            await visible_session(db, user=owner, session_id=data.session_id)
        except Conflict as exc:
            raise Conflict(f"{owner.display_name} cannot see this session (it is in a private lounge).",
                           field="session_id") from exc
    elif await db.get(User, data.person_id) is None:
        raise Conflict("No person has this id.", field="person_id")
    suggestion = GoalSuggestion(goal_id=goal.id, author_id=user.id, kind=data.kind,
                                session_id=data.session_id if data.kind == "session" else None,
                                person_id=data.person_id if data.kind == "person" else None, note=data.note)
    db.add(suggestion)
    title = await _target_title(db, suggestion)
    notify(db, user_id=goal.owner_id, kind="goal.suggestion",
           title=f"{user.display_name} suggested {title} for {goal.title}", body=data.note,
           url=f"/goals/{goal.id}")
    await db.commit()
    return SuggestionView(suggestion=suggestion, author_name=user.display_name, target_title=title)


async def list_suggestions(db: AsyncSession, *, viewer: User, goal_id: str, cursor: str | None,
                           limit: int) -> tuple[list[SuggestionView], str | None]:
    """The owner sees every suggestion on the goal; anyone else only their own."""
    goal = await visible_goal(db, viewer=viewer, goal_id=goal_id)
    query = (select(GoalSuggestion, User.display_name).join(User, User.id == GoalSuggestion.author_id)
             .where(GoalSuggestion.goal_id == goal.id))
    if goal.owner_id != viewer.id:
        query = query.where(GoalSuggestion.author_id == viewer.id)
    rows, next_cursor = await page_of(db, query, GoalSuggestion, cursor=cursor, limit=limit,
                                      newest_first=True, whole_rows=True)
    return [SuggestionView(suggestion=s, author_name=name, target_title=await _target_title(db, s))
            for s, name in rows], next_cursor


async def _pending(db: AsyncSession, *, user: User, goal_id: str, suggestion_id: str) -> GoalSuggestion:
    goal = await own_goal(db, user=user, goal_id=goal_id)
    suggestion = await db.get(GoalSuggestion, suggestion_id, populate_existing=True)
    if suggestion is None or suggestion.goal_id != goal.id:
        raise NotFound("This goal has no suggestion with this id.")
    if suggestion.status != "pending":
        raise Conflict(f"This suggestion was already {suggestion.status}.")
    return suggestion


async def _view(db: AsyncSession, suggestion: GoalSuggestion) -> SuggestionView:
    name = await db.scalar(select(User.display_name).where(User.id == suggestion.author_id)) or ""
    return SuggestionView(suggestion=suggestion, author_name=name,
                          target_title=await _target_title(db, suggestion))


async def accept_suggestion(db: AsyncSession, *, user: User, goal_id: str,
                            suggestion_id: str) -> tuple[SuggestionView, PlanItem]:
    """The suggestion becomes a plan item (the owner must be able to see a suggested session)."""
    goal = await own_goal(db, user=user, goal_id=goal_id)
    suggestion = await _pending(db, user=user, goal_id=goal_id, suggestion_id=suggestion_id)
    item = await stage_item(db, user=user, goal=goal, data=PlanItemCreate(
        kind=suggestion.kind, session_id=suggestion.session_id, person_id=suggestion.person_id))
    await db.flush()
    suggestion.status, suggestion.plan_item_id = "accepted", item.id
    await db.commit()
    return await _view(db, suggestion), item


async def ignore_suggestion(db: AsyncSession, *, user: User, goal_id: str,
                            suggestion_id: str) -> SuggestionView:
    suggestion = await _pending(db, user=user, goal_id=goal_id, suggestion_id=suggestion_id)
    suggestion.status = "ignored"
    await db.commit()
    return await _view(db, suggestion)


async def suggestable_sessions(db: AsyncSession, *, viewer: User, goal: Goal, q: str,
                               limit: int) -> list[SessionView]:
    """Upcoming sessions whose title contains `q` that `viewer` may suggest for `goal`: those
    both they and the goal's owner can see (a suggestion the owner could not open is refused)."""
    views, _ = await list_sessions(db, user_id=viewer.id, upcoming=True, q=q, limit=100)
    lounge_ids = {v.session.lounge_id for v in views}
    owner_sees = set((await db.scalars(select(Lounge.id).where(
        Lounge.id.in_(lounge_ids), visible_to(goal.owner_id)))).all()) if lounge_ids else set()
    return [v for v in views if v.session.lounge_id in owner_sees][:limit]
