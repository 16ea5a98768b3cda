"""`/api/v1` chat routes: channel history and posting, editing, deleting and reacting to
messages, read markers and my unread counts, and the people to @mention in a channel. Live
delivery is the WebSocket's job (`app/routers/ws_chat.py`); every write here publishes to it
after committing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.db import Db
from app.schemas.chat import (
    EMOJI,
    MAX_EMOJI,
    MAX_SEQ,
    MentionCandidate,
    MessageCreate,
    MessagePublic,
    MessageUpdate,
    ReadUpdate,
    UnreadChannel,
)
from app.schemas.common import Page
from app.services import chat
from app.web.auth import Chatter, Reader
from app.web.forms import FormOrJson
from app.web.negotiation import wants_fragment
from app.web.openapi import problems
from app.web.params import Limit, ResourceId
from app.web.respond import respond

router = APIRouter(prefix="/api/v1", tags=["chat"])

Emoji = Annotated[str, Path(max_length=MAX_EMOJI, description="One emoji, URL-encoded"), EMOJI]


def seq_bound(description: str) -> object:
    return Annotated[int | None, Query(ge=0, le=MAX_SEQ, description=description)]


Before = seq_bound("Only messages with a lower seq")
After = seq_bound("Only messages with a higher seq")


@router.get("/channels/{channel_id}/messages", response_model=Page[MessagePublic],
            responses=problems(401, 403, 404, 422))
async def list_messages(request: Request, db: Db, caller: Reader, channel_id: ResourceId,
                        before: Before = None, after: After = None, limit: Limit = 50) -> Response:
    """Messages in ascending `seq`: the newest ones (before `before`, if given), or with
    `after` the oldest ones after it (and before `before`, if given: a range). `next_cursor`
    is the seq to pass as `before` for older pages, or as `after` for newer ones when `after`
    was given."""
    items, cursor = await chat.history(db, channel_id=channel_id, user_id=caller.user.id,
                                       before=before, after=after, limit=limit)
    return respond(request, Page[MessagePublic](items=items, next_cursor=cursor),
                   "fragments/message_list.html", context={"channel_id": channel_id})


@router.get("/channels/{channel_id}/people", response_model=Page[MentionCandidate],
            responses=problems(401, 403, 404, 422))
async def list_mention_candidates(
        request: Request, db: Db, caller: Reader, channel_id: ResourceId,
        q: Annotated[str, Query(max_length=31, description="What follows the @ typed so far")] = "",
        limit: Limit = 8) -> Response:
    """People to @mention here whose name or handle has a word starting with `q` (case and
    accents aside): the channel's members first, then others (`member: false`, not notified);
    without `q`, the members by name. One page only: `next_cursor` is always null."""
    items = await chat.mention_candidates(db, channel_id=channel_id, user_id=caller.user.id,
                                          q=q, limit=limit)
    return respond(request, Page[MentionCandidate](items=items, next_cursor=None),
                   "fragments/mention_options.html")


@router.post("/channels/{channel_id}/messages", status_code=201, response_model=MessagePublic,
             responses=problems(401, 403, 404, 409, 413, 415, 422, 429))
async def create_message(request: Request, db: Db, caller: Chatter, channel_id: ResourceId,
                         body: FormOrJson[MessageCreate]) -> Response:
    """Post a message (Markdown). Re-sending the same `client_id` returns the original message
    (with `Idempotent-Replayed: true`) instead of posting it twice."""
    message, created = await chat.post_message(db, hub=request.app.state.hub, channel_id=channel_id,
                                               author=caller.user, body=body.body,
                                               client_id=body.client_id)
    return respond(request, message, "fragments/message.html", status=201,
                   headers=None if created else {"Idempotent-Replayed": "true"})


@router.patch("/messages/{message_id}", response_model=MessagePublic,
              responses=problems(401, 403, 404, 413, 415, 422, 429))
async def update_message(request: Request, db: Db, caller: Chatter, message_id: ResourceId,
                         body: FormOrJson[MessageUpdate]) -> Response:
    """Edit one of my messages."""
    message = await chat.edit_message(db, hub=request.app.state.hub, message_id=message_id,
                                      user=caller.user, body=body.body)
    return respond(request, message, "fragments/message.html")


@router.delete("/messages/{message_id}", status_code=204, responses=problems(401, 403, 404, 429))
async def delete_message(request: Request, db: Db, caller: Chatter, message_id: ResourceId) -> Response:
    """Remove a message: my own, or anyone's for hosts and moderators. It keeps its seq and
    shows as "message removed"."""
    message = await chat.delete_message(db, hub=request.app.state.hub, message_id=message_id,
                                        user=caller.user)
    if wants_fragment(request):
        return respond(request, message, "fragments/message.html")
    return respond(request, None, "", status=204)


@router.put("/messages/{message_id}/reactions/{emoji}", response_model=MessagePublic,
            responses=problems(401, 403, 404, 422, 429))
async def add_reaction(request: Request, db: Db, caller: Chatter, message_id: ResourceId,
                       emoji: Emoji) -> Response:
    """React with an emoji (doing it twice changes nothing)."""
    message = await chat.react(db, hub=request.app.state.hub, message_id=message_id, user=caller.user,
                               emoji=emoji, add=True)
    return respond(request, message, "fragments/message.html")


@router.delete("/messages/{message_id}/reactions/{emoji}", response_model=MessagePublic,
               responses=problems(401, 403, 404, 422, 429))
async def remove_reaction(request: Request, db: Db, caller: Chatter, message_id: ResourceId,
                          emoji: Emoji) -> Response:
    """Take my reaction back."""
    message = await chat.react(db, hub=request.app.state.hub, message_id=message_id, user=caller.user,
                               emoji=emoji, add=False)
    return respond(request, message, "fragments/message.html")


@router.post("/channels/{channel_id}/read", response_model=UnreadChannel,
             responses=problems(401, 403, 404, 413, 415, 422, 429))
async def mark_read(request: Request, db: Db, caller: Chatter, channel_id: ResourceId,
                    body: FormOrJson[ReadUpdate]) -> Response:
    """Move my read marker forward to `seq`; answers the channel's unread count."""
    marker = await chat.mark_read(db, channel_id=channel_id, user_id=caller.user.id, seq=body.seq)
    return respond(request, marker, "fragments/unread_badge.html")


@router.get("/me/unread", response_model=Page[UnreadChannel], responses=problems(401, 403, 422))
async def list_unread(request: Request, db: Db, caller: Reader) -> Response:
    """Unread counts of my lounges' channels and of session channels I have read."""
    items = await chat.unread(db, user_id=caller.user.id)
    return respond(request, Page[UnreadChannel](items=items), "fragments/unread_list.html")
