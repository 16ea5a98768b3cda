"""The authorization matrix: every HTTP route of the app (read from the app itself) against
every actor, one test per cell, each expecting the outcome written in `POLICY` below. A route
with no row fails ("route X has no policy"), so no endpoint is born outside this table.

Outcomes in the table:

- `ok`: allowed; any answer below 400 (2xx, or a 303 that is not a sign-in redirect). The body
  of each action is valid, so an allowed cell really acts.
- `401`: not signed in, or the credentials are revoked or unknown.
- `403`: a known caller who may not do this (a member editing the lounge, a token lacking the
  scope the action needs).
- `404`: the thing is invisible to this caller: a private lounge and everything in it (its
  sessions, chat, calendars and pages) for non-members, a webhook for anyone but its owner
  and administrators, a token of someone else.
- `303`: a page sending an anonymous visitor to `/login`.
- any other code (`409`): the action was attempted and refused by a rule of the domain, which
  proves the caller got past authorization (the only host leaving their lounge).

Every cell that is not `ok` also checks that the database did not change, and every answer
to an actor outside a secret's audience (see `SECRETS` in `matrix_world.py`) must not contain
that secret. The actors are described in `matrix_world.py`; in short, an advisor is an ordinary
account that manages the member, and being someone's manager opens none of their private
lounges. The cells run against one world built once per module, each inside a transaction
that is rolled back (a few milliseconds each). The run's summary line gives the cell count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager

from app.config import Settings
from app.main import create_app
from app.web.routes import api_routes
from tests.conftest import PASSWORD
from tests.security.matrix_world import (
    ACTORS,
    GOAL_ACTORS,
    GOAL_LACKING,
    SECRETS,
    WEBHOOK_URL,
    World,
    build_world,
    login_body,
    matrix_settings,
    rollback_engine,
    rolled_back,
    unique_email,
)
from tests.security.snapshot import database_fingerprint

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Columns: anonymous, member, non_member, host, moderator, advisor, admin, former_member,
# token_too_few_scopes, revoked_token. By default a path names the private lounge's things
# (`World.path_params`); `[variant]` names another target (VARIANTS). SCOPE is what a token
# needs ("-": a public route). `[under /api/v1]` starts rows whose paths continue that prefix.
POLICY = """
METHOD PATH                                           SCOPE anon mem  non  host mod  adv  adm  fmr  few  rvk

[under /api/v1]
POST   /auth/register                                 -     ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
POST   /auth/login                                    -     ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
POST   /auth/logout                                   read  401  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /me                                            read  401  ok   ok   ok   ok   ok   ok   ok   403  401
PATCH  /me                                            write 401  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /me/tokens                                     read  401  ok   ok   ok   ok   ok   ok   ok   403  401
POST   /me/tokens                                     write 401  ok   ok   ok   ok   ok   ok   ok   403  401
DELETE /me/tokens/{token_id}                          write 401  404  404  ok   404  404  404  404  403  401
GET    /users                                         read  401  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /users/{user_id}                               read  401  ok   ok   ok   ok   ok   ok   ok   403  401
PATCH  /users/{user_id}                               admin 401  403  403  403  403  403  ok   403  403  401
PUT    /users/{user_id}/roles                         admin 401  403  403  403  403  403  ok   403  403  401
GET    /business-goals                                read  401  ok   ok   ok   ok   ok   ok   ok   403  401
POST   /business-goals                                admin 401  403  403  403  403  403  ok   403  403  401
GET    /business-goals/{business_goal_id}             read  401  ok   ok   ok   ok   ok   ok   ok   403  401
PATCH  /business-goals/{business_goal_id}             admin 401  403  403  403  403  403  ok   403  403  401
DELETE /business-goals/{business_goal_id}             admin 401  403  403  403  403  403  ok   403  403  401
GET    /notifications                                 read  401  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /notifications/unread_count                    read  401  ok   ok   ok   ok   ok   ok   ok   403  401
POST   /notifications/read                            write 401  ok   ok   ok   ok   ok   ok   ok   403  401

GET    /me/calendar                                   read  401  ok   ok   ok   ok   ok   ok   ok   403  401
POST   /me/calendar/rotate                            write 401  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /calendar/{feed_token}.ics                     -     ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
GET    /me/learning-time.ics                          read  401  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /sessions/{session_id}.ics                     read  401  ok   404  ok   ok   404  404  404  403  401
GET    /lounges/{lounge_id}/calendar.ics              read  401  ok   404  ok   ok   404  404  404  403  401

GET    /lounges                                       read  401  ok   ok   ok   ok   ok   ok   ok   403  401
POST   /lounges                                       write 401  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /lounges/{lounge_id}                           read  401  ok   404  ok   ok   404  404  404  403  401
GET    /lounges/{lounge_id} [open]                    read  401  ok   ok   ok   ok   ok   ok   ok   403  401
PATCH  /lounges/{lounge_id}                           write 401  403  404  ok   ok   404  404  404  403  401
DELETE /lounges/{lounge_id}                           write 401  403  404  ok   403  404  404  404  403  401
POST   /lounges/{lounge_id}/join                      write 401  ok   404  ok   ok   404  404  404  403  401
POST   /lounges/{lounge_id}/join [open]               write 401  ok   ok   ok   ok   ok   ok   ok   403  401
POST   /lounges/{lounge_id}/leave                     write 401  ok   404  409  ok   404  404  404  403  401
GET    /lounges/{lounge_id}/members                   read  401  ok   404  ok   ok   404  404  404  403  401
POST   /lounges/{lounge_id}/invites                   write 401  ok   404  ok   ok   404  404  404  403  401
PUT    /lounges/{lounge_id}/members/{user_id}         write 401  403  404  ok   403  404  404  404  403  401
GET    /lounges/{lounge_id}/takeaways                 read  401  ok   404  ok   ok   404  404  404  403  401
POST   /lounges/{lounge_id}/sessions                  write 401  ok   404  ok   ok   404  404  404  403  401

GET    /sessions                                      read  401  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /sessions [lounge-filter]                      read  401  ok   404  ok   ok   404  404  404  403  401
GET    /sessions/{session_id}                         read  401  ok   404  ok   ok   404  404  404  403  401
PATCH  /sessions/{session_id}                         write 401  403  404  ok   ok   404  404  404  403  401
POST   /sessions/{session_id}/cancel                  write 401  403  404  ok   ok   404  404  404  403  401
PUT    /sessions/{session_id}/rsvp                    write 401  ok   404  ok   ok   404  404  404  403  401
GET    /sessions/{session_id}/attendees               read  401  ok   404  ok   ok   404  404  404  403  401
PUT    /sessions/{session_id}/attendance/{user_id}    write 401  403  404  ok   ok   404  404  404  403  401
PUT    /sessions/{session_id}/notes                   write 401  403  404  ok   ok   404  404  404  403  401
GET    /sessions/{session_id}/resources               read  401  ok   404  ok   ok   404  404  404  403  401
POST   /sessions/{session_id}/resources               write 401  403  404  ok   ok   404  404  404  403  401
DELETE /sessions/{session_id}/resources/{resource_id} write 401  403  404  ok   ok   404  404  404  403  401
PUT    /sessions/{session_id}/feedback                write 401  ok   404  403  403  404  404  404  403  401
GET    /sessions/{session_id}/feedback                read  401  403  404  ok   ok   404  404  404  403  401
GET    /sessions/{session_id}/takeaways               read  401  ok   404  ok   ok   404  404  404  403  401

GET    /channels/{channel_id}/messages                read  401  ok   404  ok   ok   404  404  404  403  401
GET    /channels/{channel_id}/messages [session-chat] read  401  ok   404  ok   ok   404  404  404  403  401
GET    /channels/{channel_id}/messages [open-chat]    read  401  404  404  ok   404  404  404  404  403  401
GET    /channels/{channel_id}/people                  read  401  ok   404  ok   ok   404  404  404  403  401
GET    /channels/{channel_id}/people [session-chat]   read  401  ok   404  ok   ok   404  404  404  403  401
POST   /channels/{channel_id}/messages                chat  401  ok   404  ok   ok   404  404  404  403  401
POST   /channels/{channel_id}/messages [session-chat] chat  401  ok   404  ok   ok   404  404  404  403  401
PATCH  /messages/{message_id}                         chat  401  ok   404  403  403  404  404  404  403  401
DELETE /messages/{message_id}                         chat  401  ok   404  ok   ok   404  404  404  403  401
PUT    /messages/{message_id}/reactions/{emoji}       chat  401  ok   404  ok   ok   404  404  404  403  401
DELETE /messages/{message_id}/reactions/{emoji}       chat  401  ok   404  ok   ok   404  404  404  403  401
POST   /channels/{channel_id}/read                    chat  401  ok   404  ok   ok   404  404  404  403  401
GET    /me/unread                                     read  401  ok   ok   ok   ok   ok   ok   ok   403  401

POST   /webhooks                                      write 401  403  404  ok   403  404  404  404  403  401
POST   /webhooks [every-lounge]                       write 401  403  403  403  403  403  ok   403  403  401
GET    /webhooks                                      read  401  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /webhooks/{webhook_id}                         read  401  404  404  ok   404  404  ok   404  403  401
PATCH  /webhooks/{webhook_id}                         write 401  404  404  ok   404  404  ok   404  403  401
DELETE /webhooks/{webhook_id}                         write 401  404  404  ok   404  404  ok   404  403  401
POST   /webhooks/{webhook_id}/enable                  write 401  404  404  ok   404  404  ok   404  403  401
GET    /webhooks/{webhook_id}/deliveries              read  401  404  404  ok   404  404  ok   404  403  401
GET    /webhooks/deliveries/{delivery_id}             read  401  404  404  ok   404  404  ok   404  403  401
POST   /webhooks/deliveries/{delivery_id}/redeliver   write 401  404  404  ok   404  404  ok   404  403  401
GET    /webhook-deliveries/{delivery_id}              read  401  404  404  ok   404  404  ok   404  403  401
POST   /webhook-deliveries/{delivery_id}/redeliver    write 401  404  404  ok   404  404  ok   404  403  401

[at the root]
GET    /healthz                                       -     ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
GET    /readyz                                        -     ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
GET    /metrics                                       -     ok   ok   ok   ok   ok   ok   ok   ok   ok   ok

GET    /                                              read  ok   ok   ok   ok   ok   ok   ok   ok   403  401
GET    /login                                         read  ok   ok   ok   ok   ok   ok   ok   ok   403  401
GET    /register                                      read  ok   ok   ok   ok   ok   ok   ok   ok   403  401
GET    /settings                                      read  303  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /notifications                                 read  303  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /lounges                                       read  303  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /lounges/{slug}                                read  303  ok   404  ok   ok   404  404  404  403  401
GET    /lounges/{lounge_id}/invite-picker             read  303  ok   404  ok   ok   404  404  404  403  401
GET    /sessions/{session_id}                         read  303  ok   404  ok   ok   404  404  404  403  401
GET    /schedule                                      read  303  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /admin                                         admin 303  403  403  403  403  403  ok   403  403  401
GET    /admin/people                                  admin 303  403  403  403  403  403  ok   403  403  401
GET    /webhooks                                      read  303  ok   ok   ok   ok   ok   ok   ok   403  401
GET    /webhooks/{webhook_id}                         read  303  404  404  ok   404  404  ok   404  403  401
"""


# The goals and the manager's views, with the goal actors as columns (`matrix_world.py`):
# anonymous, owner, manager, teammate (same manager), other employee, learning advisor, admin,
# the owner's token lacking the scope, revoked token. `[private]`, `[team]` and `[org]` name
# the owner's goal of that visibility (with its plan item and suggestion).
# Only the owner writes a goal; those who may see it comment and suggest (the owner suggests
# nothing: 403); to anyone else it does not exist (404), administrators and advisors included.
GOALS_POLICY = """
METHOD PATH                                                          SCOPE ano own mgr mat oth adv adm few rvk

[under /api/v1]
GET    /goals                                                        read  401 ok  ok  ok  ok  ok  ok  403 401
GET    /goals [of-owner]                                             read  401 ok  ok  ok  ok  ok  ok  403 401
POST   /goals                                                        write 401 ok  ok  ok  ok  ok  ok  403 401
GET    /goals/{goal_id} [private]                                    read  401 ok  404 404 404 404 404 403 401
GET    /goals/{goal_id} [team]                                       read  401 ok  ok  ok  404 404 404 403 401
GET    /goals/{goal_id} [org]                                        read  401 ok  ok  ok  ok  ok  ok  403 401
PATCH  /goals/{goal_id} [private]                                    write 401 ok  404 404 404 404 404 403 401
PATCH  /goals/{goal_id} [team]                                       write 401 ok  403 403 404 404 404 403 401
PATCH  /goals/{goal_id} [org]                                        write 401 ok  403 403 403 403 403 403 401
DELETE /goals/{goal_id} [private]                                    write 401 ok  404 404 404 404 404 403 401
DELETE /goals/{goal_id} [team]                                       write 401 ok  403 403 404 404 404 403 401
DELETE /goals/{goal_id} [org]                                        write 401 ok  403 403 403 403 403 403 401
GET    /goals/{goal_id}/plan [private]                               read  401 ok  404 404 404 404 404 403 401
GET    /goals/{goal_id}/plan [team]                                  read  401 ok  ok  ok  404 404 404 403 401
GET    /goals/{goal_id}/plan [org]                                   read  401 ok  ok  ok  ok  ok  ok  403 401
POST   /goals/{goal_id}/plan [private]                               write 401 ok  404 404 404 404 404 403 401
POST   /goals/{goal_id}/plan [team]                                  write 401 ok  403 403 404 404 404 403 401
POST   /goals/{goal_id}/plan [org]                                   write 401 ok  403 403 403 403 403 403 401
PATCH  /goals/{goal_id}/plan/{item_id} [private]                     write 401 ok  404 404 404 404 404 403 401
PATCH  /goals/{goal_id}/plan/{item_id} [team]                        write 401 ok  403 403 404 404 404 403 401
PATCH  /goals/{goal_id}/plan/{item_id} [org]                         write 401 ok  403 403 403 403 403 403 401
DELETE /goals/{goal_id}/plan/{item_id} [private]                     write 401 ok  404 404 404 404 404 403 401
DELETE /goals/{goal_id}/plan/{item_id} [team]                        write 401 ok  403 403 404 404 404 403 401
DELETE /goals/{goal_id}/plan/{item_id} [org]                         write 401 ok  403 403 403 403 403 403 401
GET    /goals/{goal_id}/checkins [private]                           read  401 ok  404 404 404 404 404 403 401
GET    /goals/{goal_id}/checkins [team]                              read  401 ok  ok  ok  404 404 404 403 401
GET    /goals/{goal_id}/checkins [org]                               read  401 ok  ok  ok  ok  ok  ok  403 401
POST   /goals/{goal_id}/checkins [private]                           write 401 ok  404 404 404 404 404 403 401
POST   /goals/{goal_id}/checkins [team]                              write 401 ok  403 403 404 404 404 403 401
POST   /goals/{goal_id}/checkins [org]                               write 401 ok  403 403 403 403 403 403 401
GET    /goals/{goal_id}/comments [private]                           read  401 ok  404 404 404 404 404 403 401
GET    /goals/{goal_id}/comments [team]                              read  401 ok  ok  ok  404 404 404 403 401
GET    /goals/{goal_id}/comments [org]                               read  401 ok  ok  ok  ok  ok  ok  403 401
POST   /goals/{goal_id}/comments [private]                           write 401 ok  404 404 404 404 404 403 401
POST   /goals/{goal_id}/comments [team]                              write 401 ok  ok  ok  404 404 404 403 401
POST   /goals/{goal_id}/comments [org]                               write 401 ok  ok  ok  ok  ok  ok  403 401
GET    /goals/{goal_id}/suggestions [private]                        read  401 ok  404 404 404 404 404 403 401
GET    /goals/{goal_id}/suggestions [team]                           read  401 ok  ok  ok  404 404 404 403 401
GET    /goals/{goal_id}/suggestions [org]                            read  401 ok  ok  ok  ok  ok  ok  403 401
POST   /goals/{goal_id}/suggestions [private]                        write 401 403 404 404 404 404 404 403 401
POST   /goals/{goal_id}/suggestions [team]                           write 401 403 ok  ok  404 404 404 403 401
POST   /goals/{goal_id}/suggestions [org]                            write 401 403 ok  ok  ok  ok  ok  403 401
POST   /goals/{goal_id}/suggestions/{suggestion_id}/accept [private] write 401 ok  404 404 404 404 404 403 401
POST   /goals/{goal_id}/suggestions/{suggestion_id}/accept [team]    write 401 ok  403 403 404 404 404 403 401
POST   /goals/{goal_id}/suggestions/{suggestion_id}/accept [org]     write 401 ok  403 403 403 403 403 403 401
POST   /goals/{goal_id}/suggestions/{suggestion_id}/ignore [private] write 401 ok  404 404 404 404 404 403 401
POST   /goals/{goal_id}/suggestions/{suggestion_id}/ignore [team]    write 401 ok  403 403 404 404 404 403 401
POST   /goals/{goal_id}/suggestions/{suggestion_id}/ignore [org]     write 401 ok  403 403 403 403 403 403 401
GET    /team                                                         read  401 ok  ok  ok  ok  ok  ok  403 401
GET    /me/manager-view                                              read  401 ok  ok  ok  ok  ok  ok  403 401

[at the root]
GET    /goals                                                        read  303 ok  ok  ok  ok  ok  ok  403 401
GET    /goals/{goal_id} [private]                                    read  303 ok  404 404 404 404 404 403 401
GET    /goals/{goal_id} [team]                                       read  303 ok  ok  ok  404 404 404 403 401
GET    /goals/{goal_id} [org]                                        read  303 ok  ok  ok  ok  ok  ok  403 401
GET    /goals/{goal_id}/picker [private]                             read  303 ok  404 404 404 404 404 403 401
GET    /goals/{goal_id}/picker [team]                                read  303 ok  403 403 404 404 404 403 401
GET    /goals/{goal_id}/picker [org]                                 read  303 ok  403 403 403 403 403 403 401
GET    /goals/{goal_id}/steps/{item_id} [private]                    read  303 ok  404 404 404 404 404 403 401
GET    /goals/{goal_id}/steps/{item_id} [team]                       read  303 ok  ok  ok  404 404 404 403 401
GET    /goals/{goal_id}/steps/{item_id} [org]                        read  303 ok  ok  ok  ok  ok  ok  403 401
GET    /team                                                         read  303 ok  ok  ok  ok  ok  ok  403 401
GET    /me/manager-view                                              read  303 ok  ok  ok  ok  ok  ok  403 401
"""


@dataclass(frozen=True)
class Variant:
    """Another target for a route than the private lounge's things."""

    params: tuple[tuple[str, str], ...] = ()  # path parameter -> World attribute path
    query: tuple[tuple[str, str], ...] = ()
    drop_from_body: tuple[str, ...] = ()


VARIANTS = {
    "open": Variant(params=(("lounge_id", "open.id"),)),
    "open-chat": Variant(params=(("channel_id", "open.channel_id"),)),
    "session-chat": Variant(params=(("channel_id", "session.channel_id"),)),
    "lounge-filter": Variant(query=(("lounge_id", "private.id"),)),
    "every-lounge": Variant(drop_from_body=("lounge_id",)),
}
VARIANTS.update({visibility: Variant(params=(
    ("goal_id", f"extra.goal_{visibility}"), ("item_id", f"extra.item_{visibility}"),
    ("suggestion_id", f"extra.suggestion_{visibility}"))) for visibility in ("private", "team", "org")})
VARIANTS["of-owner"] = Variant(query=(("owner", "extra.owner_id"),))

IN_A_DAY = "2031-06-02T12:00:00+00:00"
BODIES: dict[str, Any] = {
    "POST /api/v1/auth/register": lambda w: {"email": unique_email(), "password": PASSWORD,
                                             "display_name": "Cell Person"},
    "POST /api/v1/auth/login": login_body,
    "PATCH /api/v1/me": {"bio": "Learning by doing."},
    "POST /api/v1/me/tokens": {"name": "cell", "scopes": ["read"]},
    "PATCH /api/v1/users/{user_id}": lambda w: {"manager_id": w.people["host"].id},
    "PUT /api/v1/users/{user_id}/roles": {"advisor": True},
    "POST /api/v1/business-goals": {"title": "Cell goal", "description": "Made by a cell."},
    "PATCH /api/v1/business-goals/{business_goal_id}": {"description": "Changed."},
    "POST /api/v1/notifications/read": {},
    "POST /api/v1/lounges": {"name": "Cell lounge", "visibility": "open"},
    "PATCH /api/v1/lounges/{lounge_id}": {"description": "Changed."},
    "POST /api/v1/lounges/{lounge_id}/invites": lambda w: {"user_id": w.people["non_member"].id},
    "PUT /api/v1/lounges/{lounge_id}/members/{user_id}": {"role": "moderator"},
    "POST /api/v1/lounges/{lounge_id}/sessions": {"title": "Cell session", "time_zone": "UTC",
                                                  "starts_at": IN_A_DAY,
                                                  "ends_at": "2031-06-02T13:00:00+00:00"},
    "PATCH /api/v1/sessions/{session_id}": {"description": "Changed."},
    "PUT /api/v1/sessions/{session_id}/rsvp": {"status": "going"},
    "PUT /api/v1/sessions/{session_id}/attendance/{user_id}": {"attended": True},
    "PUT /api/v1/sessions/{session_id}/notes": {"notes": "What we covered."},
    "POST /api/v1/sessions/{session_id}/resources": {"title": "Slides", "url": "https://example.com/s"},
    "PUT /api/v1/sessions/{session_id}/feedback": {"rating": 5, "takeaway": "Worth it."},
    "POST /api/v1/channels/{channel_id}/messages": {"body": "hello"},
    "PATCH /api/v1/messages/{message_id}": {"body": "edited"},
    "POST /api/v1/channels/{channel_id}/read": {"seq": 1},
    "POST /api/v1/webhooks": lambda w: {"url": WEBHOOK_URL, "events": ["session.created"],
                                        "lounge_id": w.private["id"]},
    "PATCH /api/v1/webhooks/{webhook_id}": {"description": "Changed."},
}
BODIES.update({
    "POST /api/v1/goals": {"title": "Cell goal", "visibility": "team"},
    "PATCH /api/v1/goals/{goal_id}": {"why": "Changed."},
    "POST /api/v1/goals/{goal_id}/plan": {"kind": "activity", "title": "Cell step"},
    "PATCH /api/v1/goals/{goal_id}/plan/{item_id}": {"done": True},
    "POST /api/v1/goals/{goal_id}/checkins": {"note": "Cell check-in", "minutes": 10},
    "POST /api/v1/goals/{goal_id}/comments": {"body": "Cell comment"},
    "POST /api/v1/goals/{goal_id}/suggestions": lambda w: {"kind": "person",
                                                           "person_id": w.people["host"].id},
})

# Answers that may show a secret to someone outside its audience, and why that is right.
LEAK_EXEMPT = {
    ("*", "GET /api/v1/calendar/{feed_token}.ics"): "the feed's secret address is its only credential",
    ("admin", "GET /admin"): "administrators manage every webhook and see which lounge it serves",
    ("admin", "GET /webhooks"): "administrators manage every webhook and see which lounge it serves",
    ("admin", "GET /webhooks/{webhook_id}"): "administrators manage every webhook and see its lounge",
}
DENIALS = {"401", "403", "404"}


@dataclass(frozen=True)
class Rule:
    route: str  # "METHOD /path"
    variant: str | None
    scope: str | None
    outcomes: dict[str, str]  # actor -> outcome, in the table's column order
    lacking: dict[str, str] | None = None  # scope -> the too-few-scopes token (default: LACKING)


def parse_policy(text: str, actors: tuple[str, ...] = ACTORS,
                 lacking: dict[str, str] | None = None) -> list[Rule]:
    rules, prefix = [], ""
    for line in text.strip().splitlines()[1:]:
        line = line.strip()
        if not line:
            continue
        if line.startswith("[under "):
            prefix = line.removeprefix("[under ").removesuffix("]")
            continue
        if line == "[at the root]":
            prefix = ""
            continue
        words = line.split()
        method, path, rest = words[0], prefix + words[1], words[2:]
        variant = rest.pop(0).strip("[]") if rest[0].startswith("[") else None
        scope = rest.pop(0)
        assert len(rest) == len(actors), f"{method} {path}: {len(rest)} outcomes for {len(actors)} actors"
        assert variant is None or variant in VARIANTS, f"unknown variant {variant}"
        rules.append(Rule(f"{method} {path}", variant, None if scope == "-" else scope,
                          dict(zip(actors, rest, strict=True)), lacking))
    return rules


def app_routes() -> list[str]:
    app = create_app(Settings(database_url="sqlite+aiosqlite://", secret_key="x"))
    return sorted({f"{method} {route.path_format}" for route in api_routes(app) for method in route.methods})


@dataclass(frozen=True)
class Cell:
    route: str
    actor: str
    rule: Rule | None

    @property
    def id(self) -> str:
        if self.rule is None:
            return f"no policy-{self.route}"
        suffix = f" [{self.rule.variant}]" if self.rule.variant else ""
        return f"{self.actor}-{self.route}{suffix}"


RULES = parse_policy(POLICY) + parse_policy(GOALS_POLICY, GOAL_ACTORS, GOAL_LACKING)
ROUTES = app_routes()


def cells() -> list[Cell]:
    found = []
    for route in ROUTES:
        rules = [rule for rule in RULES if rule.route == route]
        if not rules:
            found.append(Cell(route, "-", None))
        found.extend(Cell(route, actor, rule) for rule in rules for actor in rule.outcomes)
    return found


CELLS = cells()


async def test_every_policy_row_names_a_real_route():
    stale = sorted({rule.route for rule in RULES} - set(ROUTES))
    assert not stale, f"policy rows for routes the app does not have: {stale}"


async def test_the_matrix_covers_the_routes():
    assert len(ROUTES) >= 70 and len(CELLS) >= len(ROUTES) * len(ACTORS)


@dataclass
class Matrix:
    app: Any
    world: World
    engine: Any


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def matrix(databases, tmp_path_factory):
    url = await databases.create()
    settings = matrix_settings(url, tmp_path_factory.mktemp("matrix"))
    app = create_app(settings)
    async with LifespanManager(app):
        world = await build_world(lambda: _client(app), settings, app)
        engine = rollback_engine(settings)
        yield Matrix(app, world, engine)
        await engine.dispose()
    await databases.drop(url)


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def _lookup(world: World, dotted: str) -> str:
    head, _, key = dotted.partition(".")
    return getattr(world, head)[key]


def request_for(rule: Rule, world: World) -> tuple[str, str, Any]:
    method, path = rule.route.split(" ", 1)
    variant = VARIANTS[rule.variant] if rule.variant else Variant()
    params = world.path_params() | {name: _lookup(world, source) for name, source in variant.params}
    url = path.format(**params)
    if variant.query:
        url += "?" + urlencode({name: _lookup(world, source) for name, source in variant.query})
    body = BODIES.get(rule.route)
    if callable(body):
        body = body(world)
    if body is not None and variant.drop_from_body:
        body = {k: v for k, v in body.items() if k not in variant.drop_from_body}
    return method, url, body


def check_outcome(expected: str, response: httpx.Response) -> None:
    status, location = response.status_code, response.headers.get("location", "")
    to_login = status == 303 and location.startswith("/login")
    if expected == "ok":
        assert status < 400 and not to_login, f"expected it allowed, got {status}: {response.text[:150]}"
    elif expected == "303":
        assert to_login, f"expected a redirect to /login, got {status} {location}"
    else:
        assert status == int(expected), f"expected {expected}, got {status}: {response.text[:300]}"


def check_no_leak(cell: Cell, response: httpx.Response) -> None:
    if ("*", cell.route) in LEAK_EXEMPT or (cell.actor, cell.route) in LEAK_EXEMPT:
        return
    for secret, audience in SECRETS.items():
        assert cell.actor in audience or secret not in response.text, \
            f"{cell.actor} was shown {secret!r} ({response.status_code})"


async def _fingerprint(sessions) -> dict[str, str]:
    async with sessions() as db:
        return await database_fingerprint(db)


@pytest.mark.parametrize("cell", CELLS, ids=[cell.id for cell in CELLS])
async def test_http_cell(matrix: Matrix, cell: Cell):
    if cell.rule is None:
        pytest.fail(f"route {cell.route} has no policy: add its rows to POLICY (or GOALS_POLICY)")
    rule, world = cell.rule, matrix.world
    expected = rule.outcomes[cell.actor]
    method, url, body = request_for(rule, world)
    token = rule.lacking.get(rule.scope or "read") if rule.lacking else None
    async with rolled_back(matrix.app, matrix.engine) as sessions:
        before = await _fingerprint(sessions) if expected != "ok" else None
        async with _client(matrix.app) as client:
            response = await client.request(method, url, json=body,
                                            headers=world.credentials(cell.actor, rule.scope, token=token))
        check_outcome(expected, response)
        check_no_leak(cell, response)
        if before is not None:
            assert await _fingerprint(sessions) == before, "a refused request changed the database"
