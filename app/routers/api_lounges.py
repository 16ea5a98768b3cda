"""`/api/v1/lounges`: finding, creating, editing and archiving lounges, joining and leaving,
members, roles and invitations, takeaways, and scheduling sessions in a lounge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.db import Db
from app.errors import InvalidInput
from app.schemas.common import Page
from app.schemas.lounges import (
    InviteCreate,
    LoungeCreate,
    LoungePublic,
    LoungeUpdate,
    MemberPublic,
    MemberRoleUpdate,
    TakeawayPublic,
)
from app.schemas.schedule import SessionCreate, SessionPublic
from app.services import lounges, repeats, sessions
from app.services.listing import slice_page
from app.services.lounge_directory import DirectoryPage, directory_key
from app.web.auth import Reader, Writer
from app.web.forms import FormOrJson
from app.web.openapi import problems
from app.web.params import Cursor, Limit, OffsetCursor, ResourceId
from app.web.respond import hx_redirect, respond

router = APIRouter(prefix="/api/v1/lounges", tags=["lounges"])


@router.get("", response_model=Page[LoungePublic], responses=problems(401, 403, 422))
async def list_lounges(request: Request, db: Db, caller: Reader,
                       q: Annotated[str | None, Query(max_length=80)] = None,
                       tag: Annotated[str | None, Query(max_length=33)] = None,
                       mine: bool = False, cursor: Cursor = None, limit: Limit = 50) -> Response:
    """Lounges I can see whose name, description or tags contain `q`; `tag` filters by one tag,
    `mine` keeps the ones I belong to (archived ones included)."""
    async def load() -> DirectoryPage:
        views, next_cursor = await lounges.list_lounges(db, user_id=caller.user.id, q=q, tag=tag,
                                                        mine=mine, cursor=cursor, limit=limit)
        return DirectoryPage.of(Page[LoungePublic](items=[LoungePublic.of(v) for v in views],
                                                   next_cursor=next_cursor))

    entry = await request.app.state.lounge_directory.cached(
        directory_key(caller.user.id, request.scope["query_string"]), load)
    return respond(request, entry.page, "fragments/lounge_list.html", json=entry.json,
                   context={"q": q, "tag": tag, "mine": mine})


@router.post("", status_code=201, response_model=LoungePublic,
             responses=problems(401, 403, 409, 413, 415, 422))
async def create_lounge(request: Request, db: Db, caller: Writer, body: FormOrJson[LoungeCreate]) -> Response:
    """Open a lounge; I become its host. The slug comes from the name unless given."""
    view = await lounges.create_lounge(db, user=caller.user, data=body)
    lounge = LoungePublic.of(view)
    response = respond(request, lounge, "fragments/lounge_card.html", status=201)
    return hx_redirect(request, f"/lounges/{lounge.slug}", response)


@router.get("/{lounge_id}", response_model=LoungePublic, responses=problems(401, 403, 404, 422))
async def read_lounge(request: Request, db: Db, caller: Reader, lounge_id: ResourceId) -> Response:
    """One lounge (404 for a private lounge I am not in, and once it is archived)."""
    view = await lounges.get_lounge(db, lounge_id=lounge_id, user_id=caller.user.id,
                                    include_archived=False)
    return respond(request, LoungePublic.of(view), "fragments/lounge_card.html")


@router.patch("/{lounge_id}", response_model=LoungePublic,
              responses=problems(401, 403, 404, 409, 413, 415, 422))
async def update_lounge(request: Request, db: Db, caller: Writer, lounge_id: ResourceId,
                        body: FormOrJson[LoungeUpdate]) -> Response:
    """Hosts and moderators change the name, description, tags or visibility."""
    view = await lounges.update_lounge(db, user=caller.user, lounge_id=lounge_id, changes=body)
    return respond(request, LoungePublic.of(view), "fragments/lounge_about.html", context={"saved": True})


@router.delete("/{lounge_id}", response_model=LoungePublic, responses=problems(401, 403, 404, 422))
async def archive_lounge(request: Request, db: Db, caller: Writer, lounge_id: ResourceId) -> Response:
    """Hosts archive the lounge (it is kept, read-only, and leaves the directory)."""
    view = await lounges.archive_lounge(db, user=caller.user, lounge_id=lounge_id)
    lounge = LoungePublic.of(view)
    return hx_redirect(request, f"/lounges/{lounge.slug}",
                       respond(request, lounge, "fragments/lounge_membership.html"))


@router.post("/{lounge_id}/join", response_model=LoungePublic, responses=problems(401, 403, 404, 409, 422))
async def join_lounge(request: Request, db: Db, caller: Writer, lounge_id: ResourceId) -> Response:
    """Join an open lounge (joining twice changes nothing)."""
    view = await lounges.join_lounge(db, user=caller.user, lounge_id=lounge_id)
    lounge = LoungePublic.of(view)
    # Membership changes most of the lounge page (chat, scheduling, inviting): load it afresh.
    return hx_redirect(request, f"/lounges/{lounge.slug}",
                       respond(request, lounge, "fragments/lounge_membership.html"))


@router.post("/{lounge_id}/leave", response_model=LoungePublic, responses=problems(401, 403, 404, 409, 422))
async def leave_lounge(request: Request, db: Db, caller: Writer, lounge_id: ResourceId) -> Response:
    """Leave a lounge; its only host cannot."""
    view = await lounges.leave_lounge(db, user=caller.user, lounge_id=lounge_id, hub=request.app.state.hub)
    lounge = LoungePublic.of(view)
    target = "/lounges" if lounge.visibility == "private" else f"/lounges/{lounge.slug}"
    return hx_redirect(request, target, respond(request, lounge, "fragments/lounge_membership.html"))


@router.get("/{lounge_id}/members", response_model=Page[MemberPublic], responses=problems(401, 403, 404, 422))
async def list_members(request: Request, db: Db, caller: Reader, lounge_id: ResourceId,
                       cursor: OffsetCursor = None, limit: Limit = 100) -> Response:
    """Members: hosts first, then moderators, then everyone else by name."""
    members = await lounges.list_members(db, user_id=caller.user.id, lounge_id=lounge_id,
                                         include_archived=False)
    items, next_cursor = slice_page(members, cursor=cursor, limit=limit)
    page = Page[MemberPublic].of_rows(items, next_cursor)
    role = await lounges.role_of(db, lounge_id=lounge_id, user_id=caller.user.id)
    return respond(request, page, "fragments/member_list.html",
                   context={"lounge_id": lounge_id, "my_role": role})


@router.post("/{lounge_id}/invites", status_code=201, response_model=MemberPublic,
             responses=problems(401, 403, 404, 409, 413, 415, 422))
async def invite_member(request: Request, db: Db, caller: Writer, lounge_id: ResourceId,
                        body: FormOrJson[InviteCreate]) -> Response:
    """Members add a colleague to the lounge (the way into a private one)."""
    member = await lounges.invite_member(db, user=caller.user, lounge_id=lounge_id, invitee_id=body.user_id)
    return respond(request, MemberPublic.model_validate(member), "fragments/invite_done.html", status=201,
                   headers={"HX-Trigger": "members-changed"})


@router.put("/{lounge_id}/members/{user_id}", response_model=MemberPublic,
            responses=problems(401, 403, 404, 409, 413, 415, 422))
async def set_member_role(request: Request, db: Db, caller: Writer, lounge_id: ResourceId,
                          user_id: ResourceId, body: FormOrJson[MemberRoleUpdate]) -> Response:
    """Hosts appoint hosts and moderators, or make them members again."""
    member = await lounges.set_member_role(db, user=caller.user, lounge_id=lounge_id, member_id=user_id,
                                           role=body.role)
    return respond(request, MemberPublic.model_validate(member), "fragments/member_row.html",
                   context={"lounge_id": lounge_id, "my_role": "host"})


@router.get("/{lounge_id}/takeaways", response_model=Page[TakeawayPublic],
            responses=problems(401, 403, 404, 422))
async def list_lounge_takeaways(request: Request, db: Db, caller: Reader, lounge_id: ResourceId,
                                cursor: OffsetCursor = None, limit: Limit = 20) -> Response:
    """What attendees of this lounge's sessions chose to share, newest first."""
    takeaways = await sessions.list_takeaways(db, user_id=caller.user.id, lounge_id=lounge_id, limit=200,
                                              include_archived=False)
    items, next_cursor = slice_page(takeaways, cursor=cursor, limit=limit)
    page = Page[TakeawayPublic].of_rows(items, next_cursor)
    return respond(request, page, "fragments/takeaway_list.html")


@router.post("/{lounge_id}/sessions", status_code=201, response_model=SessionPublic,
             responses=problems(401, 403, 404, 409, 413, 415, 422))
async def create_session(request: Request, db: Db, caller: Writer, lounge_id: ResourceId,
                         body: FormOrJson[SessionCreate]) -> Response:
    """Schedule a session, or a series with `recurrence` (each occurrence its own session);
    answers with the first occurrence."""
    data = await _with_plain_repeat(request, body)
    view = await sessions.schedule_session(db, user=caller.user, lounge_id=lounge_id, data=data)
    session = SessionPublic.of(view)
    response = respond(request, session, "fragments/session_card.html", status=201,
                       context={"viewer_zone": caller.user.time_zone})
    return hx_redirect(request, f"/sessions/{session.id}?scheduled=1", response)


async def _with_plain_repeat(request: Request, body: SessionCreate) -> SessionCreate:
    """The schedule form says how a session repeats in plain choices, in its page-only fields
    `_repeat`, `_repeat_count` and `_repeat_until`; they become the `recurrence` tools send."""
    form = await request.form()  # a form was read for the body and kept; JSON gives none
    rule = repeats.rule_for_choice(str(form.get("_repeat", "")), count=str(form.get("_repeat_count", "")),
                                   until=str(form.get("_repeat_until", "")))
    if rule is None:
        return body
    if body.recurrence:
        raise InvalidInput("Choose how often it repeats or give a recurrence rule, not both.", field="repeat")
    return body.model_copy(update={"recurrence": rule})
