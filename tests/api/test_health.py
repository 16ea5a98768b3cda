"""Health, readiness, metrics, request ids, and what unknown routes answer."""

from __future__ import annotations

from app.config import Settings
from app.main import create_app


async def test_healthz_and_readyz(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert checks["database"] == "ok"
    if client._transport.app.state.settings.redis_url:
        assert checks["redis"] == "ok"


async def test_readyz_reports_an_unreachable_redis(settings, tmp_path):
    from asgi_lifespan import LifespanManager
    from httpx import ASGITransport, AsyncClient

    broken = Settings(**{**settings.model_dump(), "redis_url": "redis://127.0.0.1:1/0"})
    app = create_app(broken)
    async with LifespanManager(app), AsyncClient(transport=ASGITransport(app=app),
                                                 base_url="http://testserver") as c:
        response = await c.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unavailable"


async def test_metrics_count_requests_by_route(client, ana):
    await client.get("/api/v1/me")
    await client.get("/api/v1/me")
    text = (await client.get("/metrics")).text
    assert 'lounge_http_requests_total{method="GET",route="/api/v1/me",status="200"} 2.0' in text
    assert "lounge_http_request_duration_seconds_bucket" in text


async def test_request_ids_are_assigned_or_kept(client):
    assert len((await client.get("/healthz")).headers["x-request-id"]) == 16
    kept = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    replaced = await client.get("/healthz", headers={"X-Request-ID": "bad id\n"})
    assert replaced.headers["x-request-id"] != "bad id\n"


async def test_unknown_routes_are_404_problems_or_pages(client):
    api = await client.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
    page = await client.get("/nothing-here", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "<h1>Not found</h1>" in page.text
    fragment = await client.get("/nothing-here", headers={"HX-Request": "true",
                                                           "HX-Request-Type": "partial"})
    assert fragment.status_code == 404 and 'role="alert"' in fragment.text
    assert "<html" not in fragment.text


async def test_wrong_method_is_405_problem(client):
    response = await client.delete("/healthz")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


async def test_security_headers_on_every_answer(client):
    response = await client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_oversized_and_lying_bodies_are_413(client, ana):
    big = await client.post("/api/v1/auth/login", content=b"{" + b" " * 2_000_000 + b"}",
                            headers={"content-type": "application/json"})
    assert big.status_code == 413

    async def chunks():
        for _ in range(40):
            yield b" " * 65536

    lying = await client.post("/api/v1/auth/login", content=chunks(),
                              headers={"content-type": "application/json"})
    assert lying.status_code == 413


async def test_unsupported_media_type(client):
    response = await client.post("/api/v1/auth/login", content=b"<xml/>",
                                 headers={"content-type": "application/xml"})
    assert response.status_code == 415


async def test_malformed_json_is_422(client):
    response = await client.post("/api/v1/auth/login", content=b'{"email": ',
                                 headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
