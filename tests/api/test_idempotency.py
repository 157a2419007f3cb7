"""Retried POSTs with an Idempotency-Key: the first response replayed, one resource made."""

from __future__ import annotations

import asyncio

from tests.factories import make_idea


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
