"""`create_app(settings)`: middleware, routers, error handlers, and a lifespan that builds the
engine, rate limiter and Redis client. Nothing connects at import time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.db import make_engine, make_sessionmaker, watch_engine
from app.observability import Metrics, RequestContextMiddleware, configure_logging
from app.ratelimit import RateLimiter
from app.realtime.connection import SERVICE_RESTART
from app.realtime.hub import make_hub
from app.realtime.presence import make_presence
from app.realtime.rooms import Rooms
from app.realtime.server_send import KeepServerSend
from app.redis_client import make_redis
from app.routers import (
    api_auth,
    api_business_goals,
    api_calendars,
    api_chat,
    api_goals,
    api_lounges,
    api_me,
    api_notifications,
    api_sessions,
    api_team,
    api_users,
    api_webhooks,
    health,
    pages,
    pages_admin,
    pages_goals,
    pages_lounges,
    pages_notifications,
    pages_team,
    ws_chat,
)
from app.services.accounts import LoginThrottle
from app.services.events import EventHandlers
from app.services.handlers import build_worker, subscribe_handlers
from app.services.lounge_directory import DirectoryBroadcast, DirectoryCache, follow_other_instances
from app.services.outbox import NudgeAfterWrites
from app.web.forms import document_bodies
from app.web.guards import BodySizeLimit, CrossSiteGuard
from app.web.openapi import finish_document
from app.web.outages import install_outage_handlers
from app.web.problems import install_problem_handlers
from app.web.ratelimits import ApiLimits, RateLimitHeaders
from app.web.replay import ReplayDirectoryPages
from app.web.templates import make_templates
from app.web.token_cache import TokenCache

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_BODY_BYTES = 1_048_576

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


class SecurityHeaders:
    """CSP and the other headers every answer carries."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]
        if https:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        watch_engine(engine, app.state.outages)
        app.state.sessionmaker = make_sessionmaker(
            engine, info={"lounge_directory": app.state.lounge_directory})
        app.state.worker = build_worker(app.state.sessionmaker, app.state.events, settings)
        worker_task = (app.state.worker.start(settings.worker_poll_seconds)
                       if settings.worker_enabled else None)
        limiter = RateLimiter(settings.redis_url)
        app.state.limiter = limiter
        app.state.login_throttle = LoginThrottle(
            limiter, f"{settings.login_failures_per_window} per "
                     f"{settings.login_failure_window_seconds} seconds")
        app.state.api_limits = ApiLimits(
            limiter, reads=settings.rate_limit_reads, writes=settings.rate_limit_writes,
            enabled=settings.rate_limits_enabled)
        app.state.redis = make_redis(settings.redis_url) if settings.redis_url else None
        app.state.hub = make_hub(settings.redis_url)
        await app.state.hub.start()
        directory = app.state.lounge_directory
        directory.on_change = broadcast = DirectoryBroadcast(app.state.hub)
        directory_task = asyncio.create_task(follow_other_instances(directory, app.state.hub))
        app.state.rooms = Rooms(hub=app.state.hub, presence=make_presence(app.state.redis),
                                sessionmaker=app.state.sessionmaker, settings=settings)
        try:
            yield
        finally:
            await app.state.rooms.close(SERVICE_RESTART)
            directory_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await directory_task
            await broadcast.close()
            await app.state.hub.close()
            await app.state.worker.stop(worker_task)
            if app.state.redis is not None:
                await app.state.redis.aclose()
            await engine.dispose()

    app = FastAPI(
        title="Lounge API",
        version="1.0.0",
        summary="Social learning at work: lounges, employee-led sessions, chat, goals.",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    app.state.templates = make_templates()
    app.state.metrics = Metrics()
    app.state.token_cache = TokenCache(settings.token_cache_seconds)
    app.state.lounge_directory = DirectoryCache(settings.directory_cache_seconds)
    app.state.events = EventHandlers()
    app.state.worker = None
    subscribe_handlers(app.state.events, settings)

    install_problem_handlers(app)
    install_outage_handlers(app)
    # Calendars first: `/sessions/{id}.ics` must not be taken for a session id.
    for router in (health.router, api_calendars.router, api_auth.router, api_me.router, api_users.router,
                   pages.router,
                   api_notifications.router, pages_notifications.router,
                   api_lounges.router, api_sessions.router, pages_lounges.router,
                   api_goals.router, api_team.router, pages_goals.router, pages_team.router,
                   api_chat.router, ws_chat.router, api_webhooks.router, api_webhooks.deliveries,
                   api_business_goals.router,
                   pages_admin.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # Added innermost first: the request-id middleware wraps everything.
    app.add_middleware(ReplayDirectoryPages)
    app.add_middleware(KeepServerSend)
    app.add_middleware(RateLimitHeaders)
    app.add_middleware(NudgeAfterWrites, get_worker=lambda: app.state.worker)
    app.add_middleware(SecurityHeaders, https=settings.https)
    app.add_middleware(CrossSiteGuard, trusted_origins=settings.trusted_origins)
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish_document(document_bodies(FastAPI.openapi(app), app), app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
