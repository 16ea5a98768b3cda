"""A client generated from the published OpenAPI document works: `openapi-python-client` writes
it without a warning, every endpoint module imports, and the generated code signs up, creates
a token, schedules a session, answers it, chats, and reads 404 and 422 answers as `Problem`s,
against the real app over ASGI. Its form models go out as forms, lists as repeated fields."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from app.main import create_app
from tests.conftest import PASSWORD

PACKAGE = "lounge_client"
BASE_URL = "http://testserver"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
# The generator's template with the import it misses for required two-encoding bodies.
TEMPLATE_FIX = Path(__file__).resolve().parents[2] / "docs" / "openapi-python-client"


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app's OpenAPI document, from which the client package `lounge_client` is generated;
    the package is importable while this module's tests run."""
    workdir = tmp_path_factory.mktemp("generated-client")
    document = create_app(Settings(database_url="sqlite+aiosqlite://", secret_key="x",
                                   base_url=BASE_URL)).openapi()
    schema_file = workdir / "openapi.json"
    schema_file.write_text(json.dumps(document))
    # The generator formats its output with ruff, which sits next to this interpreter.
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(schema_file),
         "--output-path", str(workdir / PACKAGE), "--meta", "none",
         "--custom-template-path", str(TEMPLATE_FIX)],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=120, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(workdir))
        yield document
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_every_endpoint_module_imports(document: dict[str, Any]):
    api = importlib.import_module(f"{PACKAGE}.api")
    modules = [info.name for info in pkgutil.walk_packages(api.__path__, f"{PACKAGE}.api.")
               if not info.ispkg]
    failures = {}
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # every failure is reported, not just the first
            failures[name] = repr(exc)
    assert not failures, failures
    assert len(modules) == sum(len(operations) for operations in document["paths"].values())


def _asgi(app: FastAPI, sent: list[httpx.Request]) -> dict[str, Any]:
    """`httpx_args` that send the generated client's requests to the app, noting each in `sent`."""
    async def note(request: httpx.Request) -> None:
        sent.append(request)

    return {"transport": httpx.ASGITransport(app=app), "event_hooks": {"request": [note]}}


async def _token(app: FastAPI, sent: list[httpx.Request]) -> str:
    """Sign up, log in with the session cookie, and create a bearer token, all generated code."""
    from lounge_client import Client, models
    from lounge_client.api.auth import log_in, register_user
    from lounge_client.api.me import create_token

    async with Client(base_url=BASE_URL, httpx_args=_asgi(app, sent)) as session:
        registered = await register_user.asyncio_detailed(client=session, body=models.UserRegister(
            email="ana@example.com", password=PASSWORD, display_name="Ana Lima"))
        assert registered.status_code == 201, registered.content
        login = await log_in.asyncio(client=session, body=models.UserLogin(
            email="ana@example.com", password=PASSWORD))
        # The cookie is in the client's jar; unsafe requests add the CSRF token as a header.
        session.get_async_httpx_client().headers["X-CSRF-Token"] = login.csrf_token
        scope = models.TokenCreateScopesItem
        created = await create_token.asyncio_detailed(client=session, body=models.TokenCreate(
            name="generated client", scopes=[scope.READ, scope.WRITE, scope.CHAT]))
        assert created.status_code == 201, created.content
        assert created.parsed.token.startswith("lng_")
        return created.parsed.token


@pytest.mark.usefixtures("document")
async def test_a_session_scheduled_answered_and_chatted_about(app: FastAPI):
    from lounge_client import AuthenticatedClient, models
    from lounge_client.api.chat import create_message, list_messages
    from lounge_client.api.lounges import create_lounge, create_session, list_lounges, read_lounge
    from lounge_client.api.notifications import mark_notifications_read
    from lounge_client.api.sessions import set_rsvp

    sent: list[httpx.Request] = []
    token = await _token(app, sent)
    async with AuthenticatedClient(base_url=BASE_URL, token=token, httpx_args=_asgi(app, sent)) as api:
        assert (await list_lounges.asyncio(client=api, limit=20)).items == []
        lounge = await create_lounge.asyncio(client=api, body=models.LoungeCreate(
            name="Python guild", description="Talks and code reviews.", tags=["python", "typing"],
            visibility=models.LoungeCreateVisibility.OPEN))
        assert lounge.tags == ["python", "typing"]
        listed = await list_lounges.asyncio(client=api, q="python")
        assert [item.id for item in listed.items] == [lounge.id]

        starts = (datetime.now(UTC) + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
        session = await create_session.asyncio(lounge_id=lounge.id, client=api, body=models.SessionCreate(
            title="Lunch and learn: typing", starts_at=starts, ends_at=starts + timedelta(hours=1),
            time_zone=models.TimeZone("Europe/London"), kind=models.SessionCreateKind.LUNCH_AND_LEARN,
            capacity=20))
        rsvp = await set_rsvp.asyncio(session_id=session.id, client=api,
                                      body=models.RsvpUpdate(status=models.RsvpUpdateStatus.GOING))
        assert rsvp.status == models.RsvpPublicStatus.GOING

        posted = await create_message.asyncio_detailed(
            channel_id=lounge.channel_id, client=api,
            body=models.MessageCreate(body="Slides are up", client_id="bot-42"))
        assert posted.status_code == 201, posted.content
        messages = await list_messages.asyncio(channel_id=lounge.channel_id, client=api)
        assert [(m.body, m.client_id) for m in messages.items] == [("Slides are up", "bot-42")]

        # A body's `...Form` model sends it as a form, a list as the field repeated.
        marked = await mark_notifications_read.asyncio(
            client=api, body=models.MarkReadForm(ids=["ntf_a", "ntf_b"]))
        assert isinstance(marked, models.UnreadCount)
        assert sent[-1].headers["content-type"] == "application/x-www-form-urlencoded"
        assert sent[-1].content == b"ids=ntf_a&ids=ntf_b"
        # Every other body (sign-up, login, token, lounge, session, RSVP, message) went as JSON.
        encodings = [request.headers.get("content-type") for request in sent[:-1] if request.content]
        assert encodings == ["application/json"] * 7

        missing = await read_lounge.asyncio(lounge_id="lng_missing", client=api)
        assert isinstance(missing, models.Problem)
        assert (missing.status, missing.title) == (404, "Not found") and missing.detail
        invalid = await list_lounges.asyncio(client=api, limit=0)
        assert isinstance(invalid, models.Problem)
        assert invalid.status == 422 and invalid.title and "limit" in invalid.detail
