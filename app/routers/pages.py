"""Full HTML pages. They render layouts around the same fragments the `/api/v1` endpoints
return, and their forms post to those endpoints."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from app.db import Db
from app.routers.api_goals import next_steps_public
from app.schemas.accounts import MePublic, TokenPublic, UserPublic
from app.schemas.common import Page, time_zones
from app.schemas.goals import GoalPublic
from app.services import accounts, goal_overview, goals, learning_time, people
from app.web.auth import MaybeUser
from app.web.negotiation import VARY

router = APIRouter(include_in_schema=False)


def render_page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    response = request.app.state.templates.TemplateResponse(request, template, context,
                                                            status_code=status)
    response.headers["Vary"] = VARY
    return response


def to_login(request: Request) -> Response:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


@router.get("/")
async def home_page(request: Request, db: Db, caller: MaybeUser) -> Response:
    if caller is None:
        return render_page(request, "pages/welcome.html")
    user = caller.user
    active, more = await goals.list_goals(db, viewer=user, owner="me", status="active", cursor=None, limit=5)
    my_goals = Page[GoalPublic](items=[GoalPublic.of(v) for v in active], next_cursor=more)
    return render_page(
        request, "pages/home.html", me=MePublic.model_validate(user), my_goals=my_goals,
        next_steps=await next_steps_public(db, user, [g.id for g in my_goals.items], per_goal=3),
        week=await learning_time.this_week(db, user=user),
        example=goal_overview.example_contract(today=goals.today_for(user)))


@router.get("/login")
async def login_page(request: Request, caller: MaybeUser,
                     next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    if caller is not None:
        return RedirectResponse("/", status_code=303)
    return render_page(request, "pages/login.html", next=next)


@router.get("/register")
async def register_page(request: Request, caller: MaybeUser) -> Response:
    if caller is not None:
        return RedirectResponse("/", status_code=303)
    return render_page(request, "pages/register.html", time_zones=time_zones())


@router.get("/settings")
async def settings_page(request: Request, db: Db, caller: MaybeUser) -> Response:
    if caller is None:
        return to_login(request)
    tokens, next_cursor = await accounts.list_tokens(db, user=caller.user, cursor=None, limit=100)
    manager = await people.manager_of(db, user=caller.user)
    return render_page(
        request, "pages/settings.html",
        me=MePublic.model_validate(caller.user), time_zones=time_zones(),
        manager=UserPublic.model_validate(manager) if manager else None,
        tokens=Page[TokenPublic].of_rows(tokens, next_cursor),
    )
