"""The event feed never skips, repeats or stalls, and shows only what its reader may see."""

from __future__ import annotations

import asyncio
import json
import time

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from portal.app import create_app
from portal.config import PROJECT_ROOT
from portal.embedded import EmbeddedPostgres
from portal.events import feed
from portal.migrate import migrate_url
from tests.factories import make_idea, relay_all
from tests.pipeline import eventually
from tests.servers import PortalTestServer

BURN_XIDS = """
CREATE PROCEDURE burn_xids(n int) LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..n LOOP
        PERFORM pg_current_xact_id();
        COMMIT;
    END LOOP;
END $$
"""


async def _token(client, auth, scopes) -> dict[str, str]:
    created = await (
        await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "bi", "scopes": scopes})
    ).json()
    return {"Authorization": f"Bearer {created['token']}"}


async def _drain(client, headers, cursor=None, limit=7, types=None) -> tuple[list[dict], str | None]:
    seen = []
    while True:
        params = {"limit": str(limit), **({"after": cursor} if cursor else {}), **({"types": types} if types else {})}
        response = await client.get("/api/v1/events", headers=headers, params=params)
        assert response.status == 200, await response.text()
        page = await response.json()
        seen += page["items"]
        if page["next_cursor"] == cursor or not page["items"]:
            return seen, page["next_cursor"]
        cursor = page["next_cursor"]


async def test_the_feed_serves_every_event_once_when_transaction_ids_gain_a_digit(settings, auth, tmp_path):
    # A server of its own, fresh from initdb, so crossing 10,000 transaction ids takes a second.
    postgres = EmbeddedPostgres.start(tmp_path / "postgres")
    try:
        url = postgres.url()
        await migrate_url(url, PROJECT_ROOT / "sql")
        conn = await asyncpg.connect(url)
        await conn.execute(BURN_XIDS)
        own = settings.model_copy(update={"database_url": url})
        async with TestClient(PortalTestServer(create_app(own))) as client:
            before = [await make_idea(client, auth(), title=f"Before the boundary {n}") for n in range(5)]
            current = int(await conn.fetchval("SELECT pg_current_xact_id()::text"))
            assert current < 9_990, "the fresh server has already used too many transaction ids"
            await conn.execute(f"CALL burn_xids({10_000 - current + 5})")
            assert int(await conn.fetchval("SELECT pg_current_xact_id()::text")) > 10_000
            after = [await make_idea(client, auth(), title=f"After the boundary {n}") for n in range(5)]
            items, _ = await _drain(client, auth.admin, limit=3, types="idea.created")
        await conn.close()
    finally:
        postgres.stop()
    titles = [item["data"]["title"] for item in items]
    assert titles == [idea["title"] for idea in before + after]


async def test_a_transaction_open_in_another_database_does_not_hold_the_feed_back(client, auth, servers):
    _, cursor = await _drain(client, auth.admin)
    elsewhere = await asyncpg.connect(servers.admin_database_url)  # the server's "postgres" database
    try:
        await elsewhere.execute("BEGIN")
        await elsewhere.fetchval("SELECT pg_current_xact_id()")  # it holds a transaction id, like a writer
        idea = await make_idea(client, auth(), title="Visible at once")
        items, _ = await _drain(client, auth.admin, cursor)
    finally:
        await elsewhere.close()
    assert [item["data"]["id"] for item in items] == [idea["id"]]


async def test_the_sse_stream_delivers_while_a_transaction_is_open_in_another_database(client, auth, servers):
    elsewhere = await asyncpg.connect(servers.admin_database_url)
    try:
        await elsewhere.execute("BEGIN")
        await elsewhere.fetchval("SELECT pg_current_xact_id()")
        async with client.get("/api/v1/events/stream", headers=auth.admin) as stream:
            idea = await make_idea(client, auth(), title="Streamed at once")
            block = await asyncio.wait_for(_read_block(stream), 3)
    finally:
        await elsewhere.close()
    assert json.loads(_fields(block)["data"])["data"]["id"] == idea["id"]


async def _read_block(response) -> str:
    buffer = b""
    while b"\n\n" not in buffer:
        buffer += await response.content.readany()
    return buffer.decode().split("\n\n")[0]


def _fields(block: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in block.splitlines() if not line.startswith(":"))


async def test_old_txid_cursors_still_resume_after_the_event_they_named(client, auth, db):
    first = await make_idea(client, auth(), title="Named by an old cursor")
    second = await make_idea(client, auth(), title="After the old cursor")
    event_id = await db.fetchval("SELECT id FROM events WHERE data->>'id' = $1", str(first["id"]))
    import base64

    old_cursor = base64.urlsafe_b64encode(f"12345.{event_id}".encode()).decode().rstrip("=")
    await client.get("/api/v1/events", headers=auth.admin)  # numbers the events
    items, _ = await _drain(client, auth.admin, old_cursor)
    assert [item["data"]["id"] for item in items] == [second["id"]]


async def test_sequencing_twice_at_once_numbers_each_event_once_without_gaps(client, auth, database_url, db):
    for n in range(30):
        await db.execute("INSERT INTO events (type, subject, data) VALUES ('test.many', 'x', $1)", {"n": n})
    connections = [await asyncpg.connect(database_url) for _ in range(4)]
    try:
        while sum(await asyncio.gather(*(feed.sequence(c, limit=7) for c in connections))):
            pass
    finally:
        for conn in connections:
            await conn.close()
    positions = [r["feed_position"] for r in await db.fetch("SELECT feed_position FROM events ORDER BY feed_position")]
    assert positions == list(range(1, len(positions) + 1))


async def test_a_webhook_body_carries_the_event_id_the_feed_shows(client, auth, db):
    from portal.webhooks import delivery

    for url in ("https://one.example.com/in", "https://two.example.com/in"):
        await client.post("/api/v1/webhooks", headers=auth.admin, json={"url": url, "event_types": ["idea.created"]})
    idea = await make_idea(client, auth(), title="One event, many channels")
    await relay_all(db)
    claimed = await delivery.claim(db, delivery_ids=None, limit=10, timeout_seconds=10)
    from portal.events.cloudevents import to_cloudevent

    bodies = [to_cloudevent(item, "/idea-portal") for item in claimed if item["type"] == "idea.created"]
    items, _ = await _drain(client, auth.admin, types="idea.created")
    feed_ids = {item["id"] for item in items if item["data"]["id"] == idea["id"]}
    assert len(bodies) == 2 and {body["id"] for body in bodies} == feed_ids and len(feed_ids) == 1


async def test_employees_may_not_read_the_feed_or_the_stream(client, auth):
    assert (await client.get("/api/v1/events", headers=auth())).status == 403
    assert (await client.get("/api/v1/events/stream", headers=auth())).status == 403


async def test_vote_events_name_the_voter_only_for_tokens_with_the_voters_scope(client, auth):
    idea = await make_idea(client, auth())
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth("voter@example.com"))
    plain = await _token(client, auth, ["events:read"])
    trusted = await _token(client, auth, ["events:read", "events:voters"])
    for headers, shows in ((plain, False), (auth.admin, False), (trusted, True)):
        items, _ = await _drain(client, headers, types="vote.cast")
        assert ("employee_id" in items[0]["data"]) is shows
        assert items[0]["data"]["idea_id"] == idea["id"]


async def test_no_event_carries_a_webhook_url(client, auth):
    secret_url = "https://hooks.example.com/in/private-path"
    created = await (
        await client.post("/api/v1/webhooks", headers=auth.admin, json={"url": secret_url, "event_types": ["*"]})
    ).json()
    await client.patch(f"/api/v1/webhooks/{created['id']}", headers=auth.admin, json={"url": secret_url + "-2"})
    items, _ = await _drain(client, auth.admin)
    assert {i["type"] for i in items} >= {"ideaportal.webhook.created", "ideaportal.webhook.updated"}
    assert "hooks.example.com" not in json.dumps(items)


async def test_one_caller_may_hold_only_so_many_streams(settings, auth):
    capped = settings.model_copy(update={"stream_max_per_caller": 2})
    async with TestClient(PortalTestServer(create_app(capped))) as client:
        first = await client.get("/api/v1/events/stream", headers=auth.admin)
        second = await client.get("/api/v1/events/stream", headers=auth.admin)
        third = await client.get("/api/v1/events/stream", headers=auth.admin)
        other = await client.get("/api/v1/events/stream", headers=auth("root@example.com", admin=True))
        statuses = [first.status, second.status, third.status, other.status]
        problem = await third.json()
        for response in (first, second, other):
            response.close()
    assert statuses == [200, 200, 429, 200]
    assert third.content_type == "application/problem+json" and int(third.headers["Retry-After"]) > 0
    assert problem["status"] == 429


async def test_all_streams_of_a_process_share_one_poll_of_the_feed(settings, auth, monkeypatch):
    reads = []
    original = feed.read

    async def counting_read(conn, **kwargs):
        reads.append(kwargs["after"])
        return await original(conn, **kwargs)

    monkeypatch.setattr(feed, "read", counting_read)
    fast = settings.model_copy(update={"stream_poll_ms": 50, "stream_max_per_caller": 100})
    async with TestClient(PortalTestServer(create_app(fast))) as client:
        streams = [await client.get("/api/v1/events/stream", headers=auth.admin) for _ in range(40)]

        async def each_stream_looked_once():  # a new stream reads the feed once itself
            return len(reads) >= len(streams)

        await eventually(each_stream_looked_once)
        reads.clear()
        started = time.monotonic()
        await make_idea(client, auth(), title="Seen by forty streams")
        blocks = await asyncio.wait_for(asyncio.gather(*(_read_block(s) for s in streams)), 30)
        polls, intervals = len(reads), max(1.0, (time.monotonic() - started) / 0.05)
        for stream in streams:
            stream.close()
    assert all("Seen by forty streams" in block for block in blocks)
    assert polls / intervals < 5  # about one read per 50 ms poll for all of them, not one per stream


@pytest.mark.parametrize("limit", [1, 500])
async def test_a_stream_resuming_far_behind_catches_up_from_the_database(client, auth, db, limit):
    for n in range(12):
        await db.execute("INSERT INTO events (type, subject, data) VALUES ('digest.compiled', 'x', $1)", {"n": n})
    await client.get("/api/v1/events", headers=auth.admin)  # numbers them
    from portal.web import live as hub_module

    original = hub_module.BATCH
    hub_module.BATCH = limit
    try:
        async with client.get("/api/v1/events/stream?types=ideaportal.digest.compiled", headers=auth.admin) as stream:
            buffer = b""
            while buffer.count(b"\n\n") < 12:
                buffer += await asyncio.wait_for(stream.content.readany(), 3)
    finally:
        hub_module.BATCH = original
    numbers = [json.loads(_fields(block)["data"])["data"]["n"] for block in buffer.decode().split("\n\n")[:12]]
    assert numbers == list(range(12))


async def test_events_come_out_of_the_feed_in_the_order_they_were_committed_while_the_relay_is_busy(
    client, auth, db, database_url
):
    from portal.db import connect
    from workers.relay import relay_batch

    for n in range(3):
        await make_idea(client, auth(), title=f"Before the relay {n}")
    relaying = await connect(database_url)
    try:
        async with relaying.transaction():  # a relay holds what it took while these are posted
            await relay_batch(relaying)
            for n in range(9):
                await make_idea(client, auth(), title=f"While the relay works {n}")
                await feed.sequence(db)
    finally:
        await relaying.close()
    await feed.sequence(db)
    items, _ = await _drain(client, auth.admin, types="idea.created")
    posted = [row["id"] for row in await db.fetch("SELECT id FROM ideas ORDER BY created_at, id")]
    assert [item["data"]["id"] for item in items] == posted
