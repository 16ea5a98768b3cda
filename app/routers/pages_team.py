"""Pages for managers and the people they support: `/team` (my direct reports, only what each
shared, with comments and suggestions on their shared goals) and `/me/manager-view` (exactly
what my manager sees of me). Both render the fragments `/api/v1/team` and
`/api/v1/me/manager-view` answer with, from the same data; the pickers behind "suggest a
session" and "suggest a person" find what a suggestion may point at."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.db import Db
from app.routers.api_team import report_public
from app.routers.pages import render_page, to_login
from app.schemas.common import Page
from app.schemas.goals import ReportPublic
from app.services import accounts, goals, team
from app.web.auth import MaybeUser
from app.web.params import ResourceId

router = APIRouter(include_in_schema=False)
PICKER_SIZE = 8
Search = Annotated[str, Query(max_length=80)]


@router.get("/team")
async def team_page(request: Request, db: Db, caller: MaybeUser) -> Response:
    """My direct reports, each with only what they shared, and ways to support each goal."""
    if caller is None:
        return to_login(request)
    reports = await team.list_reports(db, manager=caller.user)
    return render_page(request, "pages/team.html",
                       team=Page[ReportPublic](items=[report_public(r) for r in reports]))


@router.get("/me/manager-view")
async def manager_view_page(request: Request, db: Db, caller: MaybeUser) -> Response:
    """What my manager sees of me on their `/team` page, and who that manager is."""
    if caller is None:
        return to_login(request)
    report = report_public(await team.manager_view(db, user=caller.user))
    manager_id = caller.user.manager_id
    manager = await accounts.get_user(db, user_id=manager_id) if manager_id else None
    return render_page(request, "pages/manager_view.html", report=report, manager=manager)


@router.get("/team/goals/{goal_id}/session-picker")
async def session_picker(request: Request, db: Db, caller: MaybeUser, goal_id: ResourceId,
                         q: Search = "") -> Response:
    """Upcoming sessions whose title contains `q` that both I and the goal's owner can see,
    each with a button that suggests it for the goal (`POST /api/v1/goals/{id}/suggestions`)."""
    if caller is None:
        return to_login(request)
    goal = await goals.visible_goal(db, viewer=caller.user, goal_id=goal_id)
    found = await team.sessions_to_suggest(db, viewer=caller.user, goal=goal, q=q, limit=PICKER_SIZE)
    choices = [(v.session.id, v.session.title, v.session.starts_at) for v in found]
    return render_page(request, "fragments/team_picker.html", goal_id=goal.id, kind="session", q=q,
                       choices=choices)


@router.get("/team/goals/{goal_id}/people-picker")
async def people_picker(request: Request, db: Db, caller: MaybeUser, goal_id: ResourceId,
                        q: Search = "") -> Response:
    """People whose name contains `q` (the goal's owner aside), each with a button that
    suggests them for the goal."""
    if caller is None:
        return to_login(request)
    goal = await goals.visible_goal(db, viewer=caller.user, goal_id=goal_id)
    found = []
    if q.strip():
        people, _ = await accounts.find_users(db, q=q.strip(), cursor=None, limit=PICKER_SIZE + 1)
        found = [(u.id, u.display_name, None) for u in people if u.id != goal.owner_id][:PICKER_SIZE]
    return render_page(request, "fragments/team_picker.html", goal_id=goal.id, kind="person", q=q,
                       choices=found)
