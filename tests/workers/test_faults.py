"""Faults are normal: Redis gone for a while, a worker killed mid-burst."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient

from portal.app import create_app
from portal.embedded import EmbeddedRedis
from tests.factories import make_idea, make_service_map
from tests.pipeline import Pipeline, eventually, pipeline_env
from tests.servers import PortalTestServer

pytestmark = [pytest.mark.slow, pytest.mark.faults]
TEAMS_PER_IDEA = 3  # laptop-setup: it (provider), marketing and sales (customers)


async def _all_routed(db, idea_ids: list[int]):
    async def check():
        count = await db.fetchval("SELECT count(*) FROM routings WHERE idea_id = ANY($1::bigint[])", idea_ids)
        return count == len(idea_ids) * TEAMS_PER_IDEA

    await eventually(check, timeout=60, interval=0.25)


async def _assert_exactly_once(db, idea_ids: list[int]) -> None:
    per_idea = await db.fetch(
        """SELECT idea_id, count(*) AS n FROM routings WHERE idea_id = ANY($1::bigint[])
                                 GROUP BY idea_id""",
        idea_ids,
    )
    assert {row["n"] for row in per_idea} == {TEAMS_PER_IDEA} and len(per_idea) == len(idea_ids)
    routed = await db.fetchval("SELECT count(*) FROM events WHERE type = 'idea.routed'")
    assert routed == len(idea_ids) * TEAMS_PER_IDEA  # no event lost or doubled
    assert await db.fetchval("SELECT count(*) FROM events WHERE dispatched_at IS NULL AND type = 'idea.created'") == 0


async def test_ideas_posted_while_redis_is_down_are_all_routed_once_it_is_back(
    settings, auth, db, database_url, tmp_path
):
    redis = EmbeddedRedis.start(tmp_path / "redis", persist=False)
    port = redis.port
    own = settings.model_copy(update={"redis_url": redis.url()})
    pipeline = Pipeline(pipeline_env(database_url, redis.url()), tmp_path)
    pipeline.start("worker")
    pipeline.start("scheduler")
    try:
        async with TestClient(PortalTestServer(create_app(own))) as client:
            await make_service_map(client, auth)
            before = [
                (await make_idea(client, auth(), title=f"Before outage {n}", services=["laptop-setup"]))["id"]
                for n in range(3)
            ]
            await _all_routed(db, before)
            redis.stop()
            during = [
                (await make_idea(client, auth(), title=f"During outage {n}", services=["laptop-setup"]))["id"]
                for n in range(10)
            ]
            await eventually(lambda: _logged(pipeline, "scheduler", "cannot reach Redis"))  # the outage is felt
            redis = EmbeddedRedis.start(tmp_path / "redis", persist=False, port=port)
            await _all_routed(db, before + during)
            await _assert_exactly_once(db, before + during)
    finally:
        pipeline.stop()
        redis.stop()


async def _logged(pipeline: Pipeline, role: str, text: str) -> bool:
    return text in pipeline.log_text(role)


async def test_the_relay_killed_during_a_burst_leaves_exactly_one_routing_per_team(
    client, auth, db, database_url, redis_url, tmp_path, service_map
):
    pipeline = Pipeline(pipeline_env(database_url, redis_url), tmp_path)
    pipeline.start("worker")
    pipeline.start("scheduler")  # it relays the outbox
    try:
        await eventually(lambda: _logged(pipeline, "scheduler", "scheduler running"))
        burst = asyncio.gather(
            *(
                make_idea(client, auth(f"b{n}@example.com"), title=f"Burst idea {n}", services=["laptop-setup"])
                for n in range(40)
            )
        )

        async def relaying():  # the relay is at work on the burst
            return await db.fetchval("SELECT count(*) FROM routings") > 0

        await eventually(relaying)
        pipeline.kill("scheduler")
        ideas = [idea["id"] for idea in await burst]
        pipeline.start("scheduler")
        await _all_routed(db, ideas)
        await _assert_exactly_once(db, ideas)
    finally:
        pipeline.stop()
