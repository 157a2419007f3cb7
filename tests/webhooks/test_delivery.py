"""Delivering webhooks: each delivery on its own, recorded as soon as its answer is in; one
idea's events in the order they happened; a webhook deleted while the relay or a delivery runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from portal.db import connect, create_pool, statement, transaction
from portal.events import feed
from portal.webhooks import delivery
from portal.webhooks.addresses import AddressPolicy
from portal.webhooks.signing import SecretBox
from tests.conftest import ENCRYPTION_KEY
from tests.factories import make_idea, relay_all
from tests.pipeline import Receiver, eventually
from workers.relay import relay_batch

BOX = SecretBox(ENCRYPTION_KEY)
POLICY = AddressPolicy([], ["127.0.0.0/8"])


async def stored_webhook(db, url: str, *, secret: bytes | None = None, types: tuple[str, ...] = ("*",)) -> int:
    """A webhook as stored before URLs were checked (or after the encryption key changed)."""
    return await db.fetchval(
        "INSERT INTO webhooks (url, event_types, secret_encrypted) VALUES ($1, $2, $3) RETURNING id",
        url,
        list(types),
        secret if secret is not None else BOX.encrypt("whsec_" + "QUFB" * 8),
    )


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator:
    opened = await create_pool(database_url, min_size=1, max_size=8)
    yield opened
    await opened.close()


async def deliver(pool, ids=None, schedule=(60,)) -> tuple[list[delivery.Outcome], list[int]]:
    async with delivery.http_session(POLICY, 5) as session:
        return await delivery.deliver(
            pool,
            session,
            POLICY,
            BOX,
            ids,
            source="/idea-portal",
            schedule=list(schedule),
            timeout_seconds=5,
        )


async def test_a_broken_webhook_fails_alone_and_the_healthy_one_is_delivered_once(client, auth, db, pool):
    async with Receiver() as healthy:
        good = await stored_webhook(db, healthy.url, types=("idea.created",))
        unencodable = await stored_webhook(db, f"http://{'x' * 64}.example.com/in", types=("idea.created",))
        rotated = await stored_webhook(
            db, healthy.url.replace("/hook", "/rotated"), secret=SecretBox("another key").encrypt("whsec_x")
        )
        for _ in range(3):
            await make_idea(client, auth())
        await relay_all(db)
        outcomes, _ = await deliver(pool)
    assert len(outcomes) == 9 and len(healthy.received) == 3
    states = {
        row["webhook_id"]: row
        for row in await db.fetch(
            "SELECT webhook_id, array_agg(DISTINCT d.state) AS states, sum(d.attempts) AS attempts,"
            " min(a.error) AS error FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.id"
            " GROUP BY webhook_id"
        )
    }
    assert states[good]["states"] == ["succeeded"] and states[good]["attempts"] == 3
    assert "UnicodeError" in states[unencodable]["error"] and states[unencodable]["states"] == ["pending"]
    assert "cannot be decrypted" in states[rotated]["error"]
    failing = await db.fetch("SELECT id FROM webhooks WHERE failing_since IS NOT NULL ORDER BY id")
    assert [row["id"] for row in failing] == sorted([unencodable, rotated])
    assert await delivery.due(db) == []  # nothing is sent again: every attempt was recorded


async def test_one_ideas_events_reach_a_webhook_in_the_order_they_happened_even_across_a_retry(client, auth, db, pool):
    async with Receiver(statuses=[503]) as receiver:  # the first request fails
        await stored_webhook(db, receiver.url)
        idea = await make_idea(client, auth())
        for voter in ("a", "b", "c"):
            assert (await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth(f"{voter}@x.com"))).status == 200
        await relay_all(db)
        await deliver(pool, schedule=[0.2])
        assert [r.json["type"] for r in receiver.received] == ["ideaportal.idea.created"]  # the votes wait
        await asyncio.sleep(0.3)  # the retry's own schedule: the behaviour under test

        async def all_delivered():
            await deliver(pool, schedule=[0.2])
            return len(receiver.received) == 5

        await eventually(all_delivered)
    feed_order = [
        row["id"]
        for row in await db.fetch(
            "SELECT id FROM events WHERE subject = $1 ORDER BY feed_position", f"ideas/{idea['id']}"
        )
    ]
    received = [r.json["id"] for r in receiver.received[1:]]
    assert [int(event_id) for event_id in received] == [i for i in feed_order if str(i) in received]
    assert [r.json["type"] for r in receiver.received[1:]] == ["ideaportal.idea.created"] + ["ideaportal.vote.cast"] * 3


async def waiting_on_a_lock(db, application_name: str) -> bool:
    return await db.fetchval(
        "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock')",
        application_name,
    )


async def test_a_webhook_deleted_while_the_relay_makes_deliveries_is_left_out_without_an_error(
    client, auth, db, database_url
):
    hook = await stored_webhook(db, "https://hooks.example.com/in")
    kept = await stored_webhook(db, "https://other.example.com/in")
    await make_idea(client, auth())
    deleting = await connect(database_url)
    relaying = await connect(database_url)
    await relaying.execute("SET application_name = 'relay-under-test'")
    try:
        transaction = deleting.transaction()
        await transaction.start()
        await deleting.execute("DELETE FROM webhooks WHERE id = $1", hook)

        async def relay() -> int:
            async with relaying.transaction():
                return (await relay_batch(relaying)).events

        await feed.sequence(db)
        relayed = asyncio.create_task(relay())
        await eventually(lambda: waiting_on_a_lock(db, "relay-under-test"))
        await transaction.commit()
        assert await asyncio.wait_for(relayed, 10) == 1
    finally:
        await deleting.close()
        await relaying.close()
    assert [row["webhook_id"] for row in await db.fetch("SELECT webhook_id FROM webhook_deliveries")] == [kept]


async def test_an_attempt_on_a_webhook_deleted_meanwhile_is_dropped_without_an_error(client, auth, db):
    hook = await stored_webhook(db, "https://hooks.example.com/in")
    await make_idea(client, auth())
    await relay_all(db)
    [claimed] = await delivery.claim(db, delivery_ids=None, limit=10, timeout_seconds=10)
    await db.execute("DELETE FROM webhooks WHERE id = $1", hook)
    assert await delivery.record(db, claimed, delivery.Outcome(200, None, 5, "ok"), [60]) is None
    assert await db.fetchval("SELECT count(*) FROM webhook_attempts") == 0


async def test_recording_an_attempt_and_deleting_its_webhook_at_once_both_end_well(client, auth, db, pool):
    hook = await stored_webhook(db, "https://hooks.example.com/in")
    await make_idea(client, auth())
    await relay_all(db)
    [claimed] = await delivery.claim(db, delivery_ids=None, limit=10, timeout_seconds=10)

    async def delete(conn) -> None:
        await conn.execute("DELETE FROM webhooks WHERE id = $1", hook)

    await asyncio.gather(
        statement(pool, lambda conn: delivery.record(conn, claimed, delivery.Outcome(None, "boom", 5, None), [60])),
        transaction(pool, delete),
    )
    assert await db.fetchval("SELECT count(*) FROM webhooks") == 0
