"""Liveness (`/healthz`), readiness (`/readyz`: database and, when configured, Redis) and
Prometheus metrics (`/metrics`)."""

from __future__ import annotations

import asyncio
import logging

import orjson
from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.responses import Response

router = APIRouter(include_in_schema=False)
log = logging.getLogger("lounge.health")


def _json(body: dict[str, object], status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


@router.get("/healthz")
async def healthz() -> Response:
    return _json({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> Response:
    checks: dict[str, str] = {}
    try:
        async with request.app.state.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=3)
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        log.warning("database not ready: %s", exc)
        checks["database"] = "unavailable"
    redis = request.app.state.redis
    if redis is not None:
        try:
            await asyncio.wait_for(redis.ping(), timeout=3)
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            log.warning("redis not ready: %s", exc)
            checks["redis"] = "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return _json({"status": "ready" if ready else "unavailable", "checks": checks},
                 200 if ready else 503)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry),
                    media_type=CONTENT_TYPE_LATEST)
