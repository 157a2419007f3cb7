"""Locks taken in one order (portal.locks), one relay at a time, and what still meets a deadlock
retried rather than answered 500."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from portal.db import connect, create_pool, transaction
from portal.events import feed
from tests.factories import make_idea, make_service_map, relay_all
from tests.ideas.test_merges import counts_agree, mark, vote
from workers.relay import relay_batch


@pytest.fixture
async def pool(database_url: str):
    opened = await create_pool(database_url, min_size=2, max_size=4)
    yield opened
    await opened.close()


async def test_two_transactions_that_deadlock_both_commit_once_one_is_retried(pool, db):
    await db.execute("CREATE TABLE pair (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)")
    await db.execute("INSERT INTO pair (id) VALUES (1), (2)")
    both_hold_one = asyncio.Barrier(2)
    tries = {"first": 0, "second": 0}

    def crossing(name: str, mine: int, theirs: int):
        async def work(conn) -> None:
            tries[name] += 1
            await conn.execute("UPDATE pair SET n = n + 1 WHERE id = $1", mine)
            if tries[name] == 1:  # only the first attempts meet; a retry runs alone
                await both_hold_one.wait()
            await conn.execute("UPDATE pair SET n = n + 1 WHERE id = $1", theirs)

        return work

    await asyncio.gather(
        transaction(pool, crossing("first", 1, 2)),
        transaction(pool, crossing("second", 2, 1)),
    )
    assert sorted(tries.values()) == [1, 2]  # PostgreSQL broke the cycle once; the loser ran again
    assert [row["n"] for row in await db.fetch("SELECT n FROM pair ORDER BY id")] == [2, 2]


async def test_a_conflict_that_keeps_coming_back_is_raised_after_the_bounded_attempts(pool):
    attempts = 0

    async def always_conflicts(conn) -> None:
        nonlocal attempts
        attempts += 1
        raise asyncpg.exceptions.SerializationError("could not serialize access")

    with pytest.raises(asyncpg.exceptions.SerializationError):
        await transaction(pool, always_conflicts, attempts=3)
    assert attempts == 3


async def test_a_second_relay_leaves_the_work_to_the_one_running(client, auth, database_url):
    await make_idea(client, auth())
    first, second = await connect(database_url), await connect(database_url)
    try:
        await feed.sequence(first)
        async with first.transaction():
            assert (await relay_batch(first)).events == 1
            async with second.transaction():
                busy = await relay_batch(second)
        assert busy.busy and busy.events == 0
    finally:
        await first.close()
        await second.close()


async def test_merges_racing_voters_and_the_relay_never_deadlock_or_answer_500(client, auth, db, database_url, caplog):
    caplog.set_level("INFO", logger="portal.db")
    await make_service_map(client, auth)
    ideas = [
        (await make_idea(client, auth(f"author{n}@example.com"), f"Idea {n}", services=["laptop-setup"]))["id"]
        for n in range(6)
    ]
    await relay_all(db)
    stop = asyncio.Event()
    relaying = await connect(database_url)

    async def keep_relaying() -> None:
        while not stop.is_set():
            await feed.sequence(relaying)
            await transaction_on(relaying)
            await asyncio.sleep(0)

    async def transaction_on(conn) -> None:
        async with conn.transaction():
            await relay_batch(conn)

    relay = asyncio.create_task(keep_relaying())
    try:
        for duplicate, original in ((ideas[1], ideas[0]), (ideas[3], ideas[2]), (ideas[5], ideas[4])):
            votes = [vote(client, auth, idea, f"voter{n}") for n in range(15) for idea in (duplicate, original)]
            answers = await asyncio.gather(mark(client, auth, duplicate, "duplicate", original), *votes)
            assert all(answer.status == 200 for answer in answers), [a.status for a in answers]
    finally:
        stop.set()
        await relay
        await relaying.close()
    await relay_all(db)
    assert await counts_agree(db, *ideas)
    assert not [r for r in caplog.records if r.message == "transaction retried"]  # not even a retried one
