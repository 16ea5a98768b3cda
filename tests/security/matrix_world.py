"""The world the authorization matrices run in, built once per test module through the real
API: people in every role around one private lounge (with a session under way, its chat, a
message, a resource, a webhook endpoint and a pending delivery), an open lounge, a business
goal, API tokens with too few scopes and a revoked one; the credentials each actor sends; and
a transaction per matrix cell, rolled back afterwards, so every cell starts from the same world.

Actors (the columns of the matrices):

- `anonymous`: no credentials at all.
- `member`, `moderator`, `host`: the private lounge's roles, signed in with a cookie session.
- `non_member`: signed in, not in the private lounge.
- `advisor`: the member's manager (`PATCH /api/v1/me` `manager_id`), an ordinary account
  (without the Workplace Learning Advisor role, `is_advisor`); being someone's manager grants
  nothing over the lounges that person is in.
- `admin`: the first account, an administrator. Administrators manage webhooks everywhere but
  are not members of private lounges, so those stay invisible to them too.
- `former_member`: was a member, said "going" to the session, then left the lounge.
- `token_too_few_scopes`: a bearer token lacking the scope the action needs (the host's own
  token, so only the scope can be the reason for a refusal; the administrator's for `admin`).
- `revoked_token`: the host's token with every scope, revoked.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.models import User
from app.web.token_cache import TokenCache
from tests.api.sessions_helpers import move_session
from tests.conftest import PASSWORD, REDIS_URL, Account, sign_up

ACTORS = ("anonymous", "member", "non_member", "host", "moderator", "advisor", "admin",
          "former_member", "token_too_few_scopes", "revoked_token")
MEMBERS = frozenset({"member", "moderator", "host"})
# Webhook targets must be on the allowlist; nothing listens on the discard port, and the outbox
# worker does not run in these tests, so the endpoint is never called.
WEBHOOK_ALLOWLIST = "127.0.0.1"
WEBHOOK_URL = "http://127.0.0.1:9/lounge-hook"
# The too-few-scopes tokens, by name: whose they are and what they hold.
TOKENS = {"write+chat": ("host", ["write", "chat"]), "read": ("host", ["read"]),
          "write": ("host", ["write"]), "admin's read+write+chat": ("admin", ["read", "write", "chat"]),
          "owner's write+chat": ("owner", ["write", "chat"]), "owner's read": ("owner", ["read"])}
# Which of them an action needing a scope is tried with.
LACKING = {"read": "write+chat", "write": "read", "chat": "write", "admin": "admin's read+write+chat"}

# Text only some actors may ever be shown: a response to anyone else containing one is a leak.
PRIVATE_NAME = "Quiet Cartographers"
PRIVATE_TEXT = "charting the orchid archipelago"
SESSION_TITLE = "Lantern harbour retrospective"
MESSAGE_BODY = "the walrus protocol is ready"
RESOURCE_TITLE = "Tidal notebook"
WEBHOOK_NOTE = "Marigold relay"
SECRETS = {
    PRIVATE_NAME: MEMBERS, PRIVATE_TEXT: MEMBERS, SESSION_TITLE: MEMBERS, MESSAGE_BODY: MEMBERS,
    RESOURCE_TITLE: MEMBERS, WEBHOOK_NOTE: frozenset({"host", "admin"}),
}

_emails = itertools.count(1)


def matrix_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    """The test settings of `tests/conftest.py`, with the outbox worker off (nothing is ever
    sent) and the webhook target allowed."""
    return Settings(
        database_url=database_url, redis_url=REDIS_URL, secret_key="test-secret-key-0123456789",
        data_dir=data_dir, base_url="http://testserver", smtp_url=None,
        rate_limit_reads="100000/minute", rate_limit_writes="100000/minute",
        worker_enabled=False, webhook_allowlist=WEBHOOK_ALLOWLIST, **overrides)


def unique_email() -> str:
    return f"matrix-{next(_emails)}@example.com"


@dataclass
class Person:
    id: str
    email: str
    cookie: str
    csrf_token: str


@dataclass
class World:
    settings: Settings
    people: dict[str, Person]
    private: dict[str, Any]
    open: dict[str, Any]
    session: dict[str, Any]
    message: dict[str, Any]
    resource: dict[str, Any]
    feed_token: str
    spare_token_id: str
    revoked_token: str
    tokens: dict[str, str]  # TOKENS name -> secret
    business_goal: dict[str, Any] | None = None
    webhook: dict[str, Any] | None = None
    delivery_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def credentials(self, actor: str, scope: str | None = None, *,
                    token: str | None = None) -> dict[str, str]:
        """The headers `actor` sends for an action needing `scope` (None: a public action); the
        too-few-scopes actor sends the token named `token`, or the one lacking `scope`."""
        if actor == "anonymous":
            return {}
        if actor == "revoked_token":
            return {"Authorization": f"Bearer {self.revoked_token}"}
        if actor == "token_too_few_scopes":
            return {"Authorization": f"Bearer {self.tokens[token or LACKING[scope or 'read']]}"}
        person = self.people[actor]
        return {"Cookie": f"{self.settings.session_cookie_name}={person.cookie}",
                "X-CSRF-Token": person.csrf_token}

    def path_params(self) -> dict[str, str]:
        """What each path parameter names by default: the private lounge's things."""
        params = {
            "lounge_id": self.private["id"], "slug": self.private["slug"],
            "session_id": self.session["id"], "channel_id": self.private["channel_id"],
            "message_id": self.message["id"], "emoji": "%F0%9F%91%8D",  # 👍
            "user_id": self.people["member"].id, "token_id": self.spare_token_id,
            "feed_token": self.feed_token, "resource_id": self.resource["id"],
        }
        if self.business_goal is not None:
            params["business_goal_id"] = self.business_goal["id"]
        if self.webhook is not None:
            params["webhook_id"] = self.webhook["id"]
        if self.delivery_id is not None:
            params["delivery_id"] = self.delivery_id
        return params


def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


async def build_world(new_client: Callable[[], httpx.AsyncClient], settings: Settings,
                      app: FastAPI | None = None) -> World:
    """Everyone and everything, made through the API. With `app` (whose outbox worker is off),
    a webhook endpoint is added and one event is turned into a pending delivery."""
    accounts: dict[str, Account] = {}
    clients = []
    try:
        names = {"admin": "Ada Admin", "host": "Hana Host", "moderator": "Mo Moderator",
                 "member": "Mia Member", "non_member": "Nils Outsider", "advisor": "Avi Advisor",
                 "former_member": "Fern Former", **GOAL_PEOPLE}
        for role, name in names.items():  # the admin first: the first account is an administrator
            client = new_client()
            clients.append(client)
            accounts[role] = await sign_up(client, unique_email(), name)
        host, member = accounts["host"], accounts["member"]

        private = _ok(await host.client.post("/api/v1/lounges", headers=host.csrf, json={
            "name": f"{PRIVATE_NAME} Circle", "description": PRIVATE_TEXT, "visibility": "private"}), 201)
        opened = _ok(await host.client.post("/api/v1/lounges", headers=host.csrf, json={
            "name": "Open Kitchen", "visibility": "open"}), 201)
        lounge = f"/api/v1/lounges/{private['id']}"
        for role in ("moderator", "member", "former_member"):
            _ok(await host.client.post(f"{lounge}/invites", headers=host.csrf,
                                             json={"user_id": accounts[role].id}), 201)
        _ok(await host.client.put(f"{lounge}/members/{accounts['moderator'].id}", headers=host.csrf,
                                        json={"role": "moderator"}))
        _ok(await member.client.patch("/api/v1/me", headers=member.csrf,
                                            json={"manager_id": accounts["advisor"].id}))

        now = datetime.now(UTC).replace(microsecond=0)
        session = _ok(await host.client.post(f"{lounge}/sessions", headers=host.csrf, json={
            "title": SESSION_TITLE, "time_zone": "UTC", "starts_at": (now + timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat()}), 201)
        engine = make_engine(settings)  # under way, as if an hour had passed: RSVPs and feedback both open
        async with make_sessionmaker(engine)() as db:
            await move_session(db, session["id"], starts_at=now - timedelta(hours=1),
                               ends_at=now + timedelta(hours=2))
        await engine.dispose()
        session_path = f"/api/v1/sessions/{session['id']}"
        for role in ("member", "former_member"):
            account = accounts[role]
            _ok(await account.client.put(f"{session_path}/rsvp", headers=account.csrf,
                                               json={"status": "going"}))
        former = accounts["former_member"]
        _ok(await former.client.post(f"{lounge}/leave", headers=former.csrf))
        resource = _ok(await host.client.post(f"{session_path}/resources", headers=host.csrf, json={
            "title": RESOURCE_TITLE, "url": "https://example.com/tides"}), 201)
        message = _ok(await member.client.post(
            f"/api/v1/channels/{private['channel_id']}/messages", headers=member.csrf,
            json={"body": MESSAGE_BODY}), 201)

        admin = accounts["admin"]
        business_goal = _ok(await admin.client.post("/api/v1/business-goals", headers=admin.csrf, json={
            "title": "Serve customers in Spanish"}), 201)

        feed = _ok(await host.client.get("/api/v1/me/calendar"))
        feed_token = feed["url"].rsplit("/", 1)[1].removesuffix(".ics")
        tokens = {}
        for name, (role, scopes) in TOKENS.items():
            owner = accounts[role]
            tokens[name] = _ok(await owner.client.post("/api/v1/me/tokens", headers=owner.csrf, json={
                "name": name, "scopes": scopes}), 201)["token"]
        spare = _ok(await host.client.post("/api/v1/me/tokens", headers=host.csrf, json={
            "name": "spare", "scopes": ["read"]}), 201)
        revoked = _ok(await host.client.post("/api/v1/me/tokens", headers=host.csrf, json={
            "name": "revoked", "scopes": ["read", "write", "chat"]}), 201)
        assert (await host.client.delete(f"/api/v1/me/tokens/{revoked['id']}",
                                         headers=host.csrf)).status_code == 204

        world = World(
            settings=settings,
            people={role: Person(a.id, a.email, a.client.cookies[settings.session_cookie_name],
                                 a.csrf_token) for role, a in accounts.items()},
            private=private, open=opened, session=session, message=message, resource=resource,
            feed_token=feed_token, spare_token_id=spare["id"], revoked_token=revoked["token"],
            tokens=tokens, business_goal=business_goal)
        if app is not None:
            await app.state.worker.drain()  # what happened so far: no endpoint to tell yet
            world.webhook = _ok(await host.client.post("/api/v1/webhooks", headers=host.csrf, json={
                "url": WEBHOOK_URL, "events": ["session.updated"], "description": WEBHOOK_NOTE,
                "lounge_id": private["id"]}), 201)
            _ok(await host.client.patch(session_path, headers=host.csrf,
                                              json={"location": "Room 4"}))
            await app.state.worker.run_once()  # the event becomes a delivery; nothing is sent
            deliveries = _ok(await host.client.get(
                f"/api/v1/webhooks/{world.webhook['id']}/deliveries"))
            world.delivery_id = deliveries["items"][0]["id"]
        world.extra.update(await _add_goals(accounts, private=private, session=session, settings=settings))
        return world
    finally:
        for client in clients:
            await client.aclose()


def login_body(world: World) -> dict[str, str]:
    return {"email": world.people["member"].email, "password": PASSWORD}


# --- goals ---------------------------------------------------------------------------------------
#
# The goals matrix has columns of its own (GOAL_ACTORS): `owner` has three goals, one of each
# visibility; `manager` is the owner's manager; `teammate` shares that manager; `non_member`
# stands for any other employee; `learning_advisor` holds the Workplace Learning Advisor role
# (`is_advisor`); `admin` is the administrator; `token_too_few_scopes` is the owner's own token
# lacking the scope the action needs (GOAL_LACKING); and `anonymous` and `revoked_token` as above.
# Every goal was first shared with the team, so the teammate could comment and suggest on each,
# and then set to its visibility. The owner is in the private lounge too, and one step of the
# team goal is its session: viewers outside the lounge must not learn what that step is.

GOAL_ACTORS = ("anonymous", "owner", "manager", "teammate", "non_member", "learning_advisor", "admin",
               "token_too_few_scopes", "revoked_token")
GOAL_LACKING = {"read": "owner's write+chat", "write": "owner's read"}
GOAL_PEOPLE = {"owner": "Olga Owner", "manager": "Manu Manager", "teammate": "Tia Teammate",
               "learning_advisor": "Lea Advisor"}
GOAL_SECRETS = {"private": "Saffron lighthouse", "team": "Juniper ledger", "org": "Cobalt orchard"}
SIGNED_IN = frozenset(ACTORS + GOAL_ACTORS) - {"anonymous", "token_too_few_scopes", "revoked_token"}
SECRETS.update({
    GOAL_SECRETS["private"]: frozenset({"owner"}),
    GOAL_SECRETS["team"]: frozenset({"owner", "manager", "teammate"}),
    GOAL_SECRETS["org"]: SIGNED_IN,
})
for _secret, _audience in list(SECRETS.items()):
    if _audience == MEMBERS:  # the goal owner is a member of the private lounge as well
        SECRETS[_secret] = MEMBERS | {"owner"}


async def _add_goals(accounts: dict[str, Account], *, private: dict[str, Any], session: dict[str, Any],
                     settings: Settings) -> dict[str, str]:
    """The owner's goals, each with a plan item, a check-in, a comment and a pending suggestion;
    returns their ids as `goal_<visibility>`, `item_<visibility>`, `suggestion_<visibility>`."""
    owner, teammate, host = accounts["owner"], accounts["teammate"], accounts["host"]
    for report in (owner, teammate):
        _ok(await report.client.patch("/api/v1/me", headers=report.csrf,
                                      json={"manager_id": accounts["manager"].id}))
    engine = make_engine(settings)  # the role is set directly: no route is needed to build the world
    async with engine.begin() as conn:
        await conn.execute(update(User).where(User.id == accounts["learning_advisor"].id)
                           .values(is_advisor=True))
    await engine.dispose()
    _ok(await host.client.post(f"/api/v1/lounges/{private['id']}/invites", headers=host.csrf,
                               json={"user_id": owner.id}), 201)
    made = {"owner_id": owner.id}
    for visibility, secret in GOAL_SECRETS.items():
        goal = _ok(await owner.client.post("/api/v1/goals", headers=owner.csrf, json={
            "title": f"{secret} goal", "why": f"{secret} matters", "visibility": "team"}), 201)
        path = f"/api/v1/goals/{goal['id']}"
        item = _ok(await owner.client.post(f"{path}/plan", headers=owner.csrf, json={
            "kind": "activity", "title": f"{secret} reading"}), 201)
        _ok(await owner.client.post(f"{path}/checkins", headers=owner.csrf, json={
            "note": f"{secret} progress", "minutes": 30}), 201)
        _ok(await teammate.client.post(f"{path}/comments", headers=teammate.csrf, json={
            "body": f"{secret} cheer"}), 201)
        suggestion = _ok(await teammate.client.post(f"{path}/suggestions", headers=teammate.csrf, json={
            "kind": "person", "person_id": accounts["admin"].id, "note": f"{secret} tip"}), 201)
        if visibility == "team":
            _ok(await owner.client.post(f"{path}/plan", headers=owner.csrf, json={
                "kind": "session", "session_id": session["id"]}), 201)
        else:
            _ok(await owner.client.patch(path, headers=owner.csrf, json={"visibility": visibility}))
        made |= {f"goal_{visibility}": goal["id"], f"item_{visibility}": item["id"],
                 f"suggestion_{visibility}": suggestion["id"]}
    return made


# --- one transaction per cell ------------------------------------------------------------------

def rollback_engine(settings: Settings) -> AsyncEngine:
    """An engine whose connections can hold an outer transaction with savepoints inside (on
    SQLite the driver's own transaction handling is switched off so SAVEPOINT works)."""
    engine = make_engine(settings)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine.sync_engine, "connect")
        def _no_driver_transactions(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn) -> None:  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN")
    return engine


@asynccontextmanager
async def rolled_back(app: FastAPI, engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """While open, every database session the app makes is a savepoint inside one transaction
    that is rolled back at the end; yields a sessionmaker that sees the same uncommitted state."""
    original = app.state.sessionmaker
    async with engine.connect() as conn:
        await conn.begin()
        sessions = async_sessionmaker(bind=conn, expire_on_commit=False,
                                      join_transaction_mode="create_savepoint")
        app.state.sessionmaker = sessions
        app.state.token_cache = TokenCache(app.state.settings.token_cache_seconds)
        try:
            yield sessions
        finally:
            app.state.sessionmaker = original
            await conn.rollback()
