"""Bad input gets a clear problem document, and a failed request writes nothing."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient

from portal.app import create_app
from tests.factories import make_idea, service_map_fixture
from tests.servers import PortalTestServer


async def test_malformed_json_is_400(client, auth):
    response = await client.post(
        "/api/v1/ideas", headers={**auth(), "Content-Type": "application/json"}, data=b'{"title": '
    )
    assert response.status == 400
    assert response.content_type == "application/problem+json"


async def test_non_json_content_type_is_415(client, auth):
    response = await client.post("/api/v1/ideas", headers={**auth(), "Content-Type": "text/plain"}, data=b"hi")
    assert response.status == 415


async def test_wrong_fields_are_422_with_each_field_path(client, auth):
    response = await client.post(
        "/api/v1/ideas", headers=auth(), json={"title": "tiny", "tags": ["ok"] * 11, "colour": "red"}
    )
    body = await response.json()
    assert response.status == 422
    fields = {error["field"] for error in body["errors"]}
    assert {"body.title", "body.tags", "body.colour"} <= fields
    assert set(body) >= {"type", "title", "status", "detail", "errors"}


async def test_a_json_array_body_is_422_not_500(client, auth):
    response = await client.post("/api/v1/ideas", headers=auth(), json=[1, 2])
    assert response.status == 422


async def test_non_numeric_idea_id_is_422(client, auth):
    response = await client.get("/api/v1/ideas/abc", headers=auth())
    assert response.status == 422


async def test_unknown_team_is_404(client, auth):
    response = await client.get("/api/v1/teams/nope", headers=auth())
    assert response.status == 404


async def test_unknown_service_is_404(client, auth):
    response = await client.get("/api/v1/services/nope", headers=auth())
    assert response.status == 404


async def test_body_over_the_limit_is_413(client, auth):
    response = await client.post(
        "/api/v1/ideas", headers=auth(), json={"title": "Big one", "body": "x" * (1024 * 1024 + 10)}
    )
    assert response.status == 413
    assert response.content_type == "application/problem+json"


async def test_a_failed_request_writes_nothing(client, auth, db):
    await service_map_fixture(client, auth)
    before = await db.fetchval("SELECT (SELECT count(*) FROM ideas) + (SELECT count(*) FROM events)")
    response = await client.post(
        "/api/v1/ideas",
        headers=auth(),
        json={"title": "Half-written?", "services": ["laptop-setup"], "teams": [{"team": "ghost", "role": "customer"}]},
    )
    assert response.status == 422
    after = await db.fetchval("SELECT (SELECT count(*) FROM ideas) + (SELECT count(*) FROM events)")
    assert after == before


async def test_method_not_allowed_is_405_problem(client, auth):
    response = await client.put("/api/v1/ideas", headers=auth())
    assert response.status == 405
    assert response.content_type == "application/problem+json"


async def test_duplicate_team_slug_is_409(client, auth):
    await client.post("/api/v1/teams", headers=auth.admin, json={"slug": "it", "name": "IT"})
    response = await client.post("/api/v1/teams", headers=auth.admin, json={"slug": "it", "name": "IT again"})
    assert response.status == 409


async def test_retried_post_with_the_same_key_returns_the_first_response(client, auth, db):
    headers = {**auth(), "Idempotency-Key": "key-1"}
    first = await client.post("/api/v1/ideas", headers=headers, json={"title": "Only once please"})
    again = await client.post("/api/v1/ideas", headers=headers, json={"title": "Only once please"})
    assert (first.status, again.status) == (201, 201)
    assert await first.json() == await again.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert await db.fetchval("SELECT count(*) FROM ideas") == 1


async def test_concurrent_retries_with_one_key_create_one_idea(client, auth, db):
    headers = {**auth(), "Idempotency-Key": "burst"}
    responses = await asyncio.gather(
        *(client.post("/api/v1/ideas", headers=headers, json={"title": "Only once please"}) for _ in range(10))
    )
    assert {r.status for r in responses} == {201}
    assert len({(await r.json())["id"] for r in responses}) == 1
    assert await db.fetchval("SELECT count(*) FROM ideas") == 1


async def test_same_key_with_a_different_body_is_422(client, auth):
    headers = {**auth(), "Idempotency-Key": "key-2"}
    await client.post("/api/v1/ideas", headers=headers, json={"title": "First version"})
    response = await client.post("/api/v1/ideas", headers=headers, json={"title": "Second version"})
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "header.Idempotency-Key"


async def test_same_key_from_another_caller_is_independent(client, auth, db):
    for email in ("a@example.com", "b@example.com"):
        await client.post(
            "/api/v1/ideas",
            headers={**auth(email), "Idempotency-Key": "shared"},
            json={"title": "Same key, two people"},
        )
    assert await db.fetchval("SELECT count(*) FROM ideas") == 2


async def test_comment_posts_honour_idempotency_keys(client, auth, db):
    idea = await make_idea(client, auth())
    headers = {**auth(), "Idempotency-Key": "c-1"}
    for _ in range(2):
        await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=headers, json={"body": "once"})
    assert await db.fetchval("SELECT count(*) FROM comments") == 1


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


async def test_write_rate_limit_is_shared_between_api_processes_through_redis(settings, auth):
    # An hour-long window, so the test never straddles a window boundary.
    limited = settings.model_copy(update={"write_rate_limit": 3, "write_rate_window_seconds": 3600})
    async with (
        TestClient(PortalTestServer(create_app(limited))) as first,
        TestClient(PortalTestServer(create_app(limited))) as second,
    ):
        for n in range(3):
            assert (await first.post("/api/v1/ideas", headers=auth(), json={"title": f"Idea no. {n}"})).status == 201
        await asyncio.sleep(0.3)  # both processes flush their counts to Redis
        await second.post("/api/v1/ideas", headers=auth(), json={"title": "Idea no. 3"})
        await asyncio.sleep(0.3)
        response = await second.post("/api/v1/ideas", headers=auth(), json={"title": "Idea no. 4"})
    assert response.status == 429
