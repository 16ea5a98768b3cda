"""`/api/v1/sessions`: finding, reading, editing and cancelling learning sessions, RSVPs and
attendees, check-in, and what follows a session (notes, resources, feedback, takeaways)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.db import Db
from app.schemas.common import Instant, Page
from app.schemas.lounges import TakeawayPublic
from app.schemas.schedule import (
    AttendanceUpdate,
    AttendeePublic,
    FeedbackPublic,
    FeedbackUpsert,
    NotesUpdate,
    ResourceCreate,
    ResourcePublic,
    RsvpPublic,
    RsvpUpdate,
    Scope,
    SessionPublic,
    SessionUpdate,
)
from app.services import sessions
from app.services.listing import slice_page
from app.web.auth import Principal, Reader, Writer
from app.web.forms import FormOrJson
from app.web.negotiation import wants_fragment
from app.web.openapi import problems
from app.web.params import Cursor, Limit, OffsetCursor, ResourceId
from app.web.respond import respond

router = APIRouter(prefix="/api/v1/sessions", tags=["sessions"])

ScopeParam = Annotated[Scope, Query(description="`this` occurrence, or it and the `following` ones")]


def _zone(caller: Principal) -> dict[str, str]:
    return {"viewer_zone": caller.user.time_zone}


async def _changed_blocks(request: Request, db: Db, view: sessions.SessionView, *, user_id: str,
                          main: str) -> dict[str, Any]:
    """What `fragments/session_changed.html` needs to answer an action from the session page
    with every block it changes (nothing for JSON)."""
    if not wants_fragment(request):
        return {}
    attendees = await sessions.list_attendees(db, user_id=user_id, session_id=view.session.id)
    return {"main": main, "session": SessionPublic.of(view),
            "attendees": Page[AttendeePublic].of_rows(attendees)}


@router.get("", response_model=Page[SessionPublic], responses=problems(401, 403, 404, 422))
async def list_sessions(request: Request, db: Db, caller: Reader,
                        lounge_id: Annotated[str | None, Query(max_length=40)] = None,
                        from_: Annotated[Instant | None, Query(alias="from")] = None,
                        to: Instant | None = None, mine: bool = False, upcoming: bool = False,
                        q: Annotated[str | None, Query(max_length=80)] = None,
                        cursor: Cursor = None, limit: Limit = 50) -> Response:
    """Sessions I can see, by start time (`from` inclusive, `to` exclusive); each occurrence
    of a series is its own item. `mine` keeps those I host or go to (or wait for);
    `upcoming` those not over yet and not cancelled; `q` those whose title contains it."""
    views, next_cursor = await sessions.list_sessions(
        db, user_id=caller.user.id, lounge_id=lounge_id, start=from_, end=to, mine=mine,
        upcoming=upcoming, q=q, cursor=cursor, limit=limit)
    page = Page[SessionPublic](items=[SessionPublic.of(v) for v in views], next_cursor=next_cursor)
    return respond(request, page, "fragments/session_list.html", context=_zone(caller))


# `:id`: `/sessions/{session_id}.ics` (the calendar) is another resource, not a session id.
@router.get("/{session_id:id}", response_model=SessionPublic, responses=problems(401, 403, 404, 422))
async def read_session(request: Request, db: Db, caller: Reader, session_id: ResourceId) -> Response:
    """One session; its `join_url` only if I am going or host it."""
    view = await sessions.get_session(db, session_id=session_id, user_id=caller.user.id)
    return respond(request, SessionPublic.of(view), "fragments/session_card.html", context=_zone(caller))


@router.patch("/{session_id:id}", response_model=SessionPublic,
              responses=problems(401, 403, 404, 409, 413, 415, 422))
async def update_session(request: Request, db: Db, caller: Writer, session_id: ResourceId,
                         body: FormOrJson[SessionUpdate], scope: ScopeParam = "this") -> Response:
    """Hosts edit this occurrence or it and the following ones of its series."""
    view = await sessions.update_session(db, user=caller.user, session_id=session_id, changes=body,
                                         scope=scope)
    blocks = await _changed_blocks(request, db, view, user_id=caller.user.id, main="details")
    return respond(request, SessionPublic.of(view), "fragments/session_changed.html",
                   context={**_zone(caller), **blocks, "saved": True},
                   headers={"HX-Trigger": "session-changed"})


@router.post("/{session_id}/cancel", response_model=SessionPublic, responses=problems(401, 403, 404, 422))
async def cancel_session(request: Request, db: Db, caller: Writer, session_id: ResourceId,
                         scope: ScopeParam = "this") -> Response:
    """Hosts cancel this occurrence or it and the following ones; those going are notified."""
    view = await sessions.cancel_session(db, user=caller.user, session_id=session_id, scope=scope)
    blocks = await _changed_blocks(request, db, view, user_id=caller.user.id, main="details")
    return respond(request, SessionPublic.of(view), "fragments/session_changed.html",
                   context={**_zone(caller), **blocks, "saved": False},
                   headers={"HX-Trigger": "session-changed"})


@router.put("/{session_id}/rsvp", response_model=RsvpPublic,
            responses=problems(401, 403, 404, 409, 413, 415, 422))
async def set_rsvp(request: Request, db: Db, caller: Writer, session_id: ResourceId,
                   body: FormOrJson[RsvpUpdate]) -> Response:
    """Going or not going; when the session is full, "going" puts me on the waitlist."""
    result = await sessions.set_rsvp(db, user=caller.user, session_id=session_id, status=body.status)
    blocks = {}
    if wants_fragment(request):
        view = await sessions.get_session(db, session_id=session_id, user_id=caller.user.id)
        blocks = await _changed_blocks(request, db, view, user_id=caller.user.id, main="rsvp")
    return respond(request, RsvpPublic.model_validate(result), "fragments/session_changed.html",
                   context={**blocks, "saved": False})


@router.get("/{session_id}/attendees", response_model=Page[AttendeePublic],
            responses=problems(401, 403, 404, 422))
async def list_attendees(request: Request, db: Db, caller: Reader, session_id: ResourceId,
                         cursor: OffsetCursor = None, limit: Limit = 100) -> Response:
    """Who is going, the waitlist in order, and who is not going."""
    attendees = await sessions.list_attendees(db, user_id=caller.user.id, session_id=session_id)
    items, next_cursor = slice_page(attendees, cursor=cursor, limit=limit)
    page = Page[AttendeePublic].of_rows(items, next_cursor)
    context = {"session_id": session_id, "can_check_in": False}
    if wants_fragment(request):
        view = await sessions.get_session(db, session_id=session_id, user_id=caller.user.id)
        context["can_check_in"] = view.can_check_in
    return respond(request, page, "fragments/attendee_list.html", context=context)


@router.put("/{session_id}/attendance/{user_id}", response_model=AttendeePublic,
            responses=problems(401, 403, 404, 409, 413, 415, 422))
async def check_in_attendee(request: Request, db: Db, caller: Writer, session_id: ResourceId,
                            user_id: ResourceId, body: FormOrJson[AttendanceUpdate]) -> Response:
    """Hosts mark that someone going came (`attended: true`) or undo it, from 15 minutes before
    the start until a day after the end."""
    attendee = await sessions.check_in(db, user=caller.user, session_id=session_id, attendee_id=user_id,
                                       attended=body.attended)
    return respond(request, AttendeePublic.model_validate(attendee), "fragments/attendee_row.html",
                   context={"session_id": session_id, "can_check_in": True})


@router.put("/{session_id}/notes", response_model=SessionPublic,
            responses=problems(401, 403, 404, 413, 415, 422))
async def update_notes(request: Request, db: Db, caller: Writer, session_id: ResourceId,
                       body: FormOrJson[NotesUpdate]) -> Response:
    """Hosts write the session's notes (Markdown)."""
    view = await sessions.set_notes(db, user=caller.user, session_id=session_id, notes=body.notes)
    return respond(request, SessionPublic.of(view), "fragments/session_notes.html",
                   context={"saved": True})


@router.get("/{session_id}/resources", response_model=Page[ResourcePublic],
            responses=problems(401, 403, 404, 422))
async def list_resources(request: Request, db: Db, caller: Reader, session_id: ResourceId,
                         cursor: OffsetCursor = None, limit: Limit = 100) -> Response:
    """Links the hosts shared (slides, repositories, reading)."""
    resources = await sessions.list_resources(db, user_id=caller.user.id, session_id=session_id)
    items, next_cursor = slice_page(resources, cursor=cursor, limit=limit)
    page = Page[ResourcePublic].of_rows(items, next_cursor)
    view = await sessions.get_session(db, session_id=session_id, user_id=caller.user.id)
    return respond(request, page, "fragments/resource_list.html",
                   context={"session_id": session_id, "can_manage": view.can_manage})


@router.post("/{session_id}/resources", status_code=201, response_model=ResourcePublic,
             responses=problems(401, 403, 404, 413, 415, 422))
async def add_resource(request: Request, db: Db, caller: Writer, session_id: ResourceId,
                       body: FormOrJson[ResourceCreate]) -> Response:
    """Hosts add a resource link."""
    resource = await sessions.add_resource(db, user=caller.user, session_id=session_id, title=body.title,
                                           url=body.url)
    return respond(request, ResourcePublic.model_validate(resource), "fragments/resource_added.html",
                   status=201, headers={"HX-Trigger": "resources-changed"})


@router.delete("/{session_id}/resources/{resource_id}", status_code=204,
               responses=problems(401, 403, 404, 422))
async def remove_resource(request: Request, db: Db, caller: Writer, session_id: ResourceId,
                          resource_id: ResourceId) -> Response:
    """Hosts remove a resource link."""
    await sessions.remove_resource(db, user=caller.user, session_id=session_id, resource_id=resource_id)
    if wants_fragment(request):
        return respond(request, None, "fragments/empty.html", headers={"HX-Trigger": "resources-changed"})
    return respond(request, None, "", status=204)


@router.put("/{session_id}/feedback", response_model=FeedbackPublic,
            responses=problems(401, 403, 404, 409, 413, 415, 422))
async def leave_feedback(request: Request, db: Db, caller: Writer, session_id: ResourceId,
                         body: FormOrJson[FeedbackUpsert]) -> Response:
    """Attendees rate the session (1–5), comment for the hosts, and share a takeaway with the
    lounge; sending again replaces it."""
    feedback = await sessions.leave_feedback(db, user=caller.user, session_id=session_id, data=body)
    return respond(request, FeedbackPublic.model_validate(feedback), "fragments/feedback_done.html",
                   headers={"HX-Trigger": "takeaways-changed"})


@router.get("/{session_id}/feedback", response_model=Page[FeedbackPublic],
            responses=problems(401, 403, 404, 422))
async def list_feedback(request: Request, db: Db, caller: Reader, session_id: ResourceId,
                        cursor: OffsetCursor = None, limit: Limit = 100) -> Response:
    """All ratings and comments, for the session's hosts."""
    feedback = await sessions.list_feedback(db, user_id=caller.user.id, session_id=session_id)
    items, next_cursor = slice_page(feedback, cursor=cursor, limit=limit)
    page = Page[FeedbackPublic].of_rows(items, next_cursor)
    return respond(request, page, "fragments/feedback_list.html")


@router.get("/{session_id}/takeaways", response_model=Page[TakeawayPublic],
            responses=problems(401, 403, 404, 422))
async def list_session_takeaways(request: Request, db: Db, caller: Reader, session_id: ResourceId,
                                 cursor: OffsetCursor = None, limit: Limit = 50) -> Response:
    """Takeaways attendees shared from this session."""
    takeaways = await sessions.list_takeaways(db, user_id=caller.user.id, session_id=session_id, limit=200)
    items, next_cursor = slice_page(takeaways, cursor=cursor, limit=limit)
    page = Page[TakeawayPublic].of_rows(items, next_cursor)
    return respond(request, page, "fragments/takeaway_list.html")
