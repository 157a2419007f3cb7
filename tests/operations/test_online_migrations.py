"""Upgrading a deployment while the portal writes: `portal migrate` from sql/0002 to today on a
company with a few hundred thousand events, writes going on all the while."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import asyncpg
import pytest

from portal.config import PROJECT_ROOT
from portal.events import feed
from portal.migrate import discover, migrate_url
from tests.pipeline import eventually

SQL = PROJECT_ROOT / "sql"
EVENTS = 300_000
# A company as 0002 left it: people, ideas with votes, shards and comments, routings and an
# outbox of EVENTS events written by many transactions.
COMPANY_AT_0002 = [
    "INSERT INTO teams (slug, name) SELECT 'team-' || n, 'Team ' || n FROM generate_series(1, 20) n",
    """INSERT INTO employees (subject, email, name, team_id)
       SELECT 'sub-' || n, 'e' || n || '@example.com', 'Employee ' || n, 1 + n % 20 FROM generate_series(1, 2000) n""",
    """INSERT INTO ideas (author_id, title, body, tags)
       SELECT 1 + n % 2000, 'Make the printer ' || n || ' faster', '印刷をもっと速くしたい ' || n, ARRAY['printing']
       FROM generate_series(1, 20000) n""",
    """INSERT INTO votes (idea_id, employee_id)
       SELECT DISTINCT 1 + (n * 7919) % 20000, 1 + (n * 104729) % 2000 FROM generate_series(1::bigint, 100000) n""",
    """INSERT INTO idea_vote_shards (idea_id, shard, votes)
       SELECT idea_id, (employee_id % 32)::smallint, count(*) FROM votes GROUP BY 1, 2""",
    """INSERT INTO comments (idea_id, author_id, body)
       SELECT 1 + n % 20000, 1 + n % 2000, 'Agreed' FROM generate_series(1, 20000) n""",
    """INSERT INTO routings (idea_id, team_id, role, due_at)
       SELECT n, 1 + n % 20, 'provider', now() + interval '3 days' FROM generate_series(1, 20000) n""",
]
ONE_EVENT_TRANSACTION = (
    "INSERT INTO events (type, subject, data) SELECT 'idea.voted', 'idea:' || n, '{}' FROM generate_series(1, $1) n"
)


@pytest.fixture
async def company_at_0002(empty_database_url):
    url = empty_database_url
    await migrate_url(url, SQL, up_to=2)
    conn = await asyncpg.connect(url)
    for statement in COMPANY_AT_0002:
        await conn.execute(statement)
    for _ in range(EVENTS // 1000):  # a thousand transactions, so the events' txids differ
        await conn.execute(ONE_EVENT_TRANSACTION, 1000)
    await conn.execute("VACUUM ANALYZE")
    await conn.close()
    return url


async def write_while(url: str, done: asyncio.Event, waits: list[float]) -> None:
    """What the portal keeps doing during an upgrade: post an idea, vote, record the event."""
    conn = await asyncpg.connect(url)
    try:
        n = 0
        while not done.is_set():
            n += 1
            started = time.monotonic()
            async with conn.transaction():
                idea = await conn.fetchval(
                    "INSERT INTO ideas (author_id, title) VALUES ($1, 'Posted during the upgrade') RETURNING id",
                    1 + n % 2000,
                )
                await conn.execute("INSERT INTO votes (idea_id, employee_id) VALUES ($1, $2)", idea, 1 + n % 2000)
                await conn.execute(
                    "INSERT INTO events (type, subject, data) VALUES ('idea.created', $1, '{}')", f"idea:{idea}"
                )
            waits.append(time.monotonic() - started)
    finally:
        await conn.close()


async def test_upgrading_from_0002_lets_writes_go_on(company_at_0002):
    done, waits = asyncio.Event(), []
    writers = [asyncio.create_task(write_while(company_at_0002, done, waits)) for _ in range(3)]
    try:

        async def writing() -> bool:
            return len(waits) >= 3

        await eventually(writing)
        before = len(waits)
        report = await migrate_url(company_at_0002, SQL)
        during = len(waits) - before
    finally:
        done.set()
        await asyncio.gather(*writers)
    assert report.applied == [m.filename for m in discover(SQL) if m.version > 2]
    assert during > 50, "the writers were not writing during the upgrade"
    slow = [round(wait, 2) for wait in waits if wait > 1.0]
    assert slow == [], f"{len(slow)} of {len(waits)} writes waited over a second: {slow[:10]}"


async def test_every_event_has_one_feed_position_after_the_upgrade(company_at_0002):
    await migrate_url(company_at_0002, SQL)
    conn = await asyncpg.connect(company_at_0002)
    try:
        await conn.execute(ONE_EVENT_TRANSACTION, 5)  # written as the new version does, numbered next
        while await feed.sequence(conn):
            pass
        counts = await conn.fetchrow(
            "SELECT count(*) AS events, count(feed_position) AS numbered, max(feed_position) AS last FROM events"
        )
        oldest = await conn.fetch("SELECT id FROM events ORDER BY feed_position LIMIT 3")
    finally:
        await conn.close()
    assert counts["events"] == counts["numbered"] == counts["last"] == EVENTS + 5
    assert [row["id"] for row in oldest] == [1, 2, 3]


async def test_a_migration_killed_midway_resumes_where_it_stopped(company_at_0002):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_") and k != "DATABASE_URL"}
    env["DATABASE_URL"] = company_at_0002
    first = subprocess.Popen(
        [sys.executable, "-m", "portal", "migrate"], env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    conn = await asyncpg.connect(company_at_0002)
    try:
        # Killed once 0003 has numbered some of the events, and before it finished.
        async def numbering_begun() -> bool:
            try:
                return bool(await conn.fetchval("SELECT EXISTS (SELECT FROM events WHERE feed_position IS NOT NULL)"))
            except asyncpg.UndefinedColumnError:
                return False

        await eventually(numbering_begun, timeout=60, interval=0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        partly = await conn.fetchval("SELECT count(*) FROM events WHERE feed_position IS NOT NULL")
        assert 0 < partly < EVENTS
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations WHERE version = 3") == 0

        second = subprocess.run(
            [sys.executable, "-m", "portal", "migrate"], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True
        )
        assert second.returncode == 0, second.stderr
        assert "0003_feed_positions.sql applied" in second.stdout
        numbered = await conn.fetchrow(
            "SELECT count(DISTINCT feed_position) AS positions, max(feed_position) AS last FROM events"
        )
        assert numbered["positions"] == numbered["last"] == EVENTS
        assert await conn.fetchval("SELECT count(*) FROM schema_migration_steps") == 0
    finally:
        await conn.close()


async def test_a_deployment_that_applied_a_file_before_it_was_made_online_is_up_to_date(company_at_0002):
    await migrate_url(company_at_0002, SQL)
    rewritten = next(m for m in discover(SQL) if m.version == 3)
    conn = await asyncpg.connect(company_at_0002)
    try:
        await conn.execute("UPDATE schema_migrations SET checksum = $1 WHERE version = 3", *rewritten.replaces)
    finally:
        await conn.close()
    report = await migrate_url(company_at_0002, SQL)
    assert report.applied == []


async def test_a_batches_step_ends_once_it_has_caught_up_with_rows_written_meanwhile(empty_database_url, tmp_path):
    (tmp_path / "0001_rows.sql").write_text(
        "CREATE TABLE rows (id bigserial PRIMARY KEY, done boolean NOT NULL DEFAULT false);\n"
        "INSERT INTO rows (done) SELECT false FROM generate_series(1, 25000);\n"
    )
    # Each batch first writes a row, as the portal does meanwhile: a step that ran until a batch
    # changed nothing would never end.
    (tmp_path / "0002_backfill.sql").write_text(
        "-- portal:step batches\n"
        "INSERT INTO rows (done) VALUES (false);\n"
        "UPDATE rows SET done = true WHERE id IN (SELECT id FROM rows WHERE NOT done ORDER BY id LIMIT $1);\n"
    )
    report = await asyncio.wait_for(migrate_url(empty_database_url, tmp_path), timeout=120)
    conn = await asyncpg.connect(empty_database_url)
    try:
        done = await conn.fetchval("SELECT count(*) FROM rows WHERE done")
    finally:
        await conn.close()
    assert report.applied == ["0001_rows.sql", "0002_backfill.sql"]
    assert done == 25003  # three batches: 10,000, 10,000 and the last 5,003
