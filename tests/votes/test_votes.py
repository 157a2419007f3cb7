from __future__ import annotations

import asyncio

from tests.factories import make_idea


async def _vote_count_matches_rows(db, idea_id: int) -> tuple[int, int]:
    rows = await db.fetchval("SELECT count(*) FROM votes WHERE idea_id = $1", idea_id)
    counted = await db.fetchval("SELECT coalesce(sum(votes), 0) FROM idea_vote_shards WHERE idea_id = $1", idea_id)
    return rows, counted


async def test_casting_a_vote_answers_the_new_count(client, auth):
    idea = await make_idea(client, auth())
    response = await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth("voter@example.com"))
    assert response.status == 200
    assert await response.json() == {"idea_id": idea["id"], "voted": True, "vote_count": 1}


async def test_casting_twice_keeps_one_vote(client, auth):
    idea = await make_idea(client, auth())
    for _ in range(2):
        response = await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth("voter@example.com"))
    assert (await response.json())["vote_count"] == 1


async def test_withdrawing_removes_the_vote_and_is_idempotent(client, auth):
    idea = await make_idea(client, auth())
    voter = auth("voter@example.com")
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=voter)
    for _ in range(2):
        response = await client.delete(f"/api/v1/ideas/{idea['id']}/vote", headers=voter)
        assert await response.json() == {"idea_id": idea["id"], "voted": False, "vote_count": 0}


async def test_idea_shows_whether_the_caller_voted(client, auth):
    idea = await make_idea(client, auth())
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth("voter@example.com"))
    mine = await (await client.get(f"/api/v1/ideas/{idea['id']}", headers=auth("voter@example.com"))).json()
    theirs = await (await client.get(f"/api/v1/ideas/{idea['id']}", headers=auth("other@example.com"))).json()
    assert (mine["voted"], theirs["voted"], theirs["vote_count"]) == (True, False, 1)


async def test_voting_on_a_declined_idea_is_409(client, auth):
    idea = await make_idea(client, auth())
    await client.post(
        f"/api/v1/ideas/{idea['id']}/status", headers=auth.admin, json={"status": "declined", "reason": "not now"}
    )
    response = await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth("voter@example.com"))
    assert response.status == 409
    assert (await response.json())["current_status"] == "declined"


async def test_voting_on_an_unknown_idea_is_404(client, auth):
    response = await client.put("/api/v1/ideas/424242/vote", headers=auth("voter@example.com"))
    assert response.status == 404


async def test_two_hundred_concurrent_voters_are_counted_exactly(client, auth, db):
    idea = await make_idea(client, auth())
    voters = [auth(f"voter{n}@example.com") for n in range(200)]
    # Sign everyone in first so the burst measures votes, not provisioning.
    await asyncio.gather(*(client.get("/api/v1/me", headers=h) for h in voters))
    responses = await asyncio.gather(*(client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=h) for h in voters))
    assert {r.status for r in responses} == {200}
    final = await (await client.get(f"/api/v1/ideas/{idea['id']}", headers=auth())).json()
    assert final["vote_count"] == 200
    assert await _vote_count_matches_rows(db, idea["id"]) == (200, 200)


async def test_one_voter_sending_twenty_concurrent_votes_counts_once(client, auth, db):
    idea = await make_idea(client, auth())
    voter = auth("eager@example.com")
    responses = await asyncio.gather(
        *(client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=voter) for _ in range(20))
    )
    assert {r.status for r in responses} == {200}
    assert await _vote_count_matches_rows(db, idea["id"]) == (1, 1)


async def test_concurrent_casts_and_withdrawals_keep_count_equal_to_rows(client, auth, db):
    idea = await make_idea(client, auth())
    voters = [auth(f"flip{n}@example.com") for n in range(40)]
    await asyncio.gather(*(client.get("/api/v1/me", headers=h) for h in voters))
    calls = []
    for n, headers in enumerate(voters):
        calls.append(client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=headers))
        if n % 2:
            calls.append(client.delete(f"/api/v1/ideas/{idea['id']}/vote", headers=headers))
    responses = await asyncio.gather(*calls)
    rows, counted = await _vote_count_matches_rows(db, idea["id"])
    assert [r.status for r in responses] == [200] * len(calls)
    assert rows == counted
    # The 20 who only voted certainly count; the 20 who also withdrew at the same moment may or may not.
    assert 20 <= rows <= 40


async def test_votes_record_outbox_events(client, auth, db):
    idea = await make_idea(client, auth())
    voter = auth("voter@example.com", team=None)
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=voter)
    await client.delete(f"/api/v1/ideas/{idea['id']}/vote", headers=voter)
    types = [
        r["type"]
        for r in await db.fetch("SELECT type FROM events WHERE subject = $1 ORDER BY id", f"ideas/{idea['id']}")
    ]
    assert types == ["idea.created", "vote.cast", "vote.withdrawn"]


async def test_a_withdrawal_begun_before_the_cast_it_undoes_committed_still_undoes_it(client, auth, db, database_url):
    from portal.db import connect
    from portal.votes import queries
    from portal.votes.service import shard_of
    from portal.workflow import CLOSED_STATUSES

    idea = await make_idea(client, auth())
    voter = auth("early@example.com")
    me = await (await client.get("/api/v1/me", headers=voter)).json()
    withdrawing = await connect(database_url)
    try:
        async with withdrawing.transaction():
            await withdrawing.fetchval("SELECT now()")  # this transaction's clock starts here
            await asyncio.sleep(0.01)
            assert (await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=voter)).status == 200
            row = await withdrawing.fetchrow(
                queries.WITHDRAW_VOTE, idea["id"], me["id"], shard_of(me["id"]), list(CLOSED_STATUSES)
            )
    finally:
        await withdrawing.close()
    assert row["vote_count"] == 0
    assert await db.fetchval("SELECT count(*) FROM votes WHERE idea_id = $1", idea["id"]) == 0
