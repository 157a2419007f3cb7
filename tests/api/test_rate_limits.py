"""The write rate limit: 429 with Retry-After, shared between API processes, and writes going on
without Redis."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from portal.app import create_app
from portal.web.keys import RATE_LIMITER
from tests.pipeline import eventually
from tests.servers import PortalTestServer


async def test_write_rate_limit_answers_429_with_retry_after(settings, auth):
    # An hour-long window, so the test never straddles a window boundary.
    limited = settings.model_copy(update={"write_rate_limit": 3, "write_rate_window_seconds": 3600})
    async with TestClient(PortalTestServer(create_app(limited))) as client:
        statuses = [
            (await client.post("/api/v1/ideas", headers=auth(), json={"title": f"Idea no. {n}"})) for n in range(4)
        ]
    assert [r.status for r in statuses] == [201, 201, 201, 429]
    assert int(statuses[-1].headers["Retry-After"]) >= 1


async def test_writes_keep_working_when_redis_is_unreachable(settings, auth):
    no_redis = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    async with TestClient(PortalTestServer(create_app(no_redis))) as client:
        response = await client.post("/api/v1/ideas", headers=auth(), json={"title": "Redis is down"})
    assert response.status == 201


async def _knows(client: TestClient, total: int) -> bool:
    """Whether the API process behind `client` has learned, from Redis, writes adding up to `total`."""
    return sum(client.app[RATE_LIMITER].known.values()) >= total


async def test_write_rate_limit_is_shared_between_api_processes_through_redis(settings, auth):
    # An hour-long window, so the test never straddles a window boundary.
    limited = settings.model_copy(update={"write_rate_limit": 3, "write_rate_window_seconds": 3600})
    async with (
        TestClient(PortalTestServer(create_app(limited))) as first,
        TestClient(PortalTestServer(create_app(limited))) as second,
    ):
        for n in range(3):
            assert (await first.post("/api/v1/ideas", headers=auth(), json={"title": f"Idea no. {n}"})).status == 201
        await eventually(lambda: _knows(first, 3))  # the first process's counts are in Redis
        await second.post("/api/v1/ideas", headers=auth(), json={"title": "Idea no. 3"})
        await eventually(lambda: _knows(second, 4))  # the second learned the total from Redis
        response = await second.post("/api/v1/ideas", headers=auth(), json={"title": "Idea no. 4"})
    assert response.status == 429
