from __future__ import annotations

import json

from aiohttp.test_utils import TestClient

from portal.app import create_app
from tests.servers import PortalTestServer


async def test_healthz_answers_without_credentials(client):
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json()) == {"status": "ok"}


async def test_readyz_reports_both_dependencies_ready(client):
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 200
    assert body["checks"] == {"postgresql": "ok", "redis": "ok"}


async def test_readyz_answers_503_naming_redis_when_it_is_unreachable(settings):
    broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    async with TestClient(PortalTestServer(create_app(broken))) as client:
        response = await client.get("/readyz")
        body = json.loads(await response.text())
    assert response.status == 503
    assert response.content_type == "application/problem+json"
    assert body["detail"] == "unreachable: redis"
    assert body["checks"]["postgresql"] == "ok"


async def test_request_id_is_echoed_when_sent(client):
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"


async def test_request_id_is_generated_when_missing_or_malformed(client):
    response = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    generated = response.headers["X-Request-ID"]
    assert generated != "bad id with spaces" and len(generated) == 32


async def test_metrics_count_requests_by_route_and_status(client):
    await client.get("/healthz")
    await client.get("/api/v1/ideas/1")  # 401 without credentials
    text = await (await client.get("/metrics")).text()
    assert 'portal_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
    assert 'route="/api/v1/ideas/{idea_id}",status="401"' in text
    assert "portal_http_request_duration_seconds_bucket" in text
    assert 'portal_db_pool_connections{state="max"}' in text


async def test_unknown_path_is_a_problem_document(client):
    response = await client.get("/nope")
    assert response.status == 404
    assert response.content_type == "application/problem+json"
    assert (await response.json())["status"] == 404
