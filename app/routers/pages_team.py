"""Pages for managers and the people they support: `/team` (my direct reports, only what each
shared, with comments and suggestions on their shared goals) and `/me/manager-view` (exactly
what my manager sees of me). Both render the fragments `/api/v1/team` and
`/api/v1/me/manager-view` answer with, from the same data. Suggesting a session or a person
uses the goal's own picker (`/goals/{id}/picker?purpose=suggestion`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.db import Db
from app.routers.api_team import report_public
from app.routers.pages import render_page, to_login
from app.schemas.common import Page
from app.schemas.goals import ReportPublic
from app.services import accounts, team
from app.web.auth import MaybeUser

router = APIRouter(include_in_schema=False)


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
