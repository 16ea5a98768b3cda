"""`/api/v1/team` and `/api/v1/me/manager-view`: what a manager sees of their direct reports
(only what each shared), and what a report's manager sees of them, built by one function."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.db import Db
from app.routers.api_goals import plan_public
from app.schemas.common import Page
from app.schemas.goals import (
    CheckInPublic,
    GoalPublic,
    ParticipationPublic,
    PersonRef,
    ReportPublic,
    SharedGoalPublic,
)
from app.services import team
from app.web.auth import Reader
from app.web.openapi import problems
from app.web.respond import respond

router = APIRouter(prefix="/api/v1", tags=["team"])


def report_public(view: team.ReportView) -> ReportPublic:
    return ReportPublic(
        person=PersonRef(id=view.person.id, display_name=view.person.display_name),
        goals=[SharedGoalPublic(goal=GoalPublic.of(shared.view),
                                plan=[plan_public(entry) for entry in shared.plan],
                                checkins=[CheckInPublic.model_validate(c) for c in shared.checkins])
               for shared in view.goals],
        participation=ParticipationPublic(sessions_attended=view.sessions_attended,
                                          sessions_hosted=view.sessions_hosted))


@router.get("/team", response_model=Page[ReportPublic], responses=problems(401, 403))
async def list_team(request: Request, db: Db, caller: Reader) -> Response:
    """My direct reports, each with only the goals they shared with the team or organisation,
    their plans and recent check-ins, and the sessions they attended and hosted."""
    reports = await team.list_reports(db, manager=caller.user)
    page = Page[ReportPublic](items=[report_public(r) for r in reports])
    return respond(request, page, "fragments/team_list.html")


@router.get("/me/manager-view", response_model=ReportPublic, responses=problems(401, 403))
async def read_manager_view(request: Request, db: Db, caller: Reader) -> Response:
    """Exactly what `GET /team` shows my manager about me."""
    report = report_public(await team.manager_view(db, user=caller.user))
    return respond(request, report, "fragments/team_report.html")
