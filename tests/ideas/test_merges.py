"""Duplicates, merged: votes, followers, comments and routings move to the original, exactly,
and an undo restores them."""

from __future__ import annotations

import asyncio

from tests.factories import make_idea, make_service_map, relay_all

ADMIN_REASON = "Same request"


async def mark(client, auth, idea_id: int, status: str, duplicate_of: int | None = None):
    body = {"status": status, "reason": ADMIN_REASON}
    if duplicate_of is not None:
        body["duplicate_of"] = duplicate_of
    return await client.post(f"/api/v1/ideas/{idea_id}/status", headers=auth.admin, json=body)


async def vote(client, auth, idea_id: int, who: str):
    return await client.put(f"/api/v1/ideas/{idea_id}/vote", headers=auth(f"{who}@example.com"))


async def voters(db, idea_id: int) -> set[str]:
    rows = await db.fetch(
        "SELECT e.email FROM votes v JOIN employees e ON e.id = v.employee_id WHERE v.idea_id = $1", idea_id
    )
    return {row["email"].split("@")[0] for row in rows}


async def counts_agree(db, *idea_ids: int) -> bool:
    """The shard counters equal the vote rows, and the maintained ranking count too."""
    for idea_id in idea_ids:
        rows = await db.fetchval("SELECT count(*) FROM votes WHERE idea_id = $1", idea_id)
        shards = await db.fetchval("SELECT coalesce(sum(votes), 0) FROM idea_vote_shards WHERE idea_id = $1", idea_id)
        ranked = await db.fetchval("SELECT vote_count FROM ideas WHERE id = $1", idea_id)
        if not rows == shards == ranked:
            return False
    return True


async def two_ideas(client, auth, db) -> tuple[int, int]:
    await make_service_map(client, auth)
    original = await make_idea(client, auth("olga@example.com"), "Laptops ready on day one", services=["laptop-setup"])
    duplicate = await make_idea(
        client, auth("dan@example.com"), "New hires wait for laptops", services=["laptop-setup"]
    )
    await relay_all(db)
    return original["id"], duplicate["id"]


async def test_a_merge_counts_each_voter_once_for_the_original_at_once(client, auth, db):
    original, duplicate = await two_ideas(client, auth, db)
    for who in ("ann", "bob"):
        await vote(client, auth, original, who)
    for who in ("bob", "cat", "dee"):
        await vote(client, auth, duplicate, who)
    await relay_all(db)
    response = await mark(client, auth, duplicate, "duplicate", original)
    assert response.status == 200, await response.text()
    assert await voters(db, original) == {"ann", "bob", "cat", "dee"} and await voters(db, duplicate) == set()
    assert await counts_agree(db, original, duplicate)  # the ranking too, in the same transaction
    results = await (await client.get(f"/api/v1/ideas/{original}/results", headers=auth())).json()
    assert results["vote_count"] == 4
    detail = await (await client.get(f"/api/v1/ideas/{original}", headers=auth())).json()
    assert detail["vote_count"] == 4
    merged = await db.fetchrow("SELECT data FROM events WHERE type = 'idea.merged'")
    assert merged["data"]["into"] == original and merged["data"]["votes"] == 3


async def test_followers_follow_the_original_and_the_duplicates_routings_are_withdrawn(client, auth, db):
    original, duplicate = await two_ideas(client, auth, db)
    await client.post(
        f"/api/v1/ideas/{duplicate}/comments", headers=auth("carl@example.com"), json={"body": "Same here"}
    )
    await client.put(f"/api/v1/ideas/{duplicate}/follow", headers=auth("fay@example.com"))
    await relay_all(db)
    await mark(client, auth, duplicate, "duplicate", original)
    for who in ("dan", "carl", "fay"):
        state = await (await client.get(f"/api/v1/ideas/{original}/follow", headers=auth(f"{who}@example.com"))).json()
        assert state["following"], who
    routings = await (await client.get(f"/api/v1/ideas/{duplicate}/routings", headers=auth())).json()
    assert routings and {r["state"] for r in routings} == {"withdrawn"}
    comments = await (await client.get(f"/api/v1/ideas/{duplicate}/comments", headers=auth())).json()
    assert [c["body"] for c in comments["items"]] == ["Same here"]  # still readable, on the duplicate


async def test_undo_restores_the_votes_but_keeps_what_voters_did_since(client, auth, db):
    original, duplicate = await two_ideas(client, auth, db)
    await vote(client, auth, original, "bob")
    for who in ("bob", "cat", "dee"):
        await vote(client, auth, duplicate, who)
    await client.post(f"/api/v1/ideas/{duplicate}/comments", headers=auth("carl@example.com"), json={"body": "Me too"})
    await relay_all(db)
    before = await db.fetch("SELECT team_id, state FROM routings WHERE idea_id = $1 ORDER BY team_id", duplicate)
    await mark(client, auth, duplicate, "duplicate", original)
    await vote(client, auth, original, "eve")  # cast after the merge: stays on the original
    await vote(client, auth, duplicate, "fox")  # for the duplicate after the merge: counts for the original
    await client.delete(f"/api/v1/ideas/{original}/vote", headers=auth("dee@example.com"))  # withdrawn since
    response = await mark(client, auth, duplicate, "open")
    assert response.status == 200, await response.text()
    assert await voters(db, duplicate) == {"bob", "cat"}
    assert await voters(db, original) == {"bob", "eve", "fox"}
    assert await counts_agree(db, original, duplicate)
    after = await db.fetch("SELECT team_id, state FROM routings WHERE idea_id = $1 ORDER BY team_id", duplicate)
    assert after == before
    carl = await (await client.get(f"/api/v1/ideas/{original}/follow", headers=auth("carl@example.com"))).json()
    assert carl == {"following": False, "reason": None}


async def test_a_chain_resolves_to_its_root_and_a_cycle_is_refused(client, auth, db, service_map):
    a, b, c = [
        (await make_idea(client, auth(f"{n}@example.com"), f"Idea number {n}", services=["laptop-setup"]))["id"]
        for n in ("a", "b", "c")
    ]
    await vote(client, auth, a, "ann")
    await mark(client, auth, b, "duplicate", c)
    response = await mark(client, auth, a, "duplicate", b)  # A dup of B dup of C
    assert response.status == 200
    assert await voters(db, c) == {"ann"}
    response = await mark(client, auth, c, "duplicate", a)
    assert response.status == 422
    assert (await response.json())["errors"][0]["type"] == "duplicate_cycle"


async def test_votes_arriving_on_either_idea_during_the_merge_are_neither_lost_nor_double_counted(client, auth, db):
    original, duplicate = await two_ideas(client, auth, db)
    early = [f"early{n}" for n in range(10)]
    for who in early:
        await vote(client, auth, duplicate, who)
    crowd = [f"v{n}" for n in range(60)]
    both = crowd[:20]  # vote for both ideas, at the same moment as the merge

    async def votes_for(who: str) -> None:
        targets = [original, duplicate] if who in both else [duplicate if int(who[1:]) % 2 else original]
        for target in targets:
            response = await vote(client, auth, target, who)
            assert response.status == 200, await response.text()

    results = await asyncio.gather(
        *(votes_for(who) for who in crowd[:30]),
        mark(client, auth, duplicate, "duplicate", original),
        *(votes_for(who) for who in crowd[30:]),
    )
    merged = next(r for r in results if r is not None)
    assert merged.status == 200
    await relay_all(db)  # the maintained ranking counts catch up
    assert await voters(db, duplicate) == set()
    assert await voters(db, original) == set(early) | set(crowd)
    assert await counts_agree(db, original, duplicate)


async def test_the_pages_of_both_ideas_link_the_merge(client, auth, db):
    original, duplicate = await two_ideas(client, auth, db)
    await mark(client, auth, duplicate, "duplicate", original)
    response = await client.post("/dev/sign-in", data={"email": "olga@example.com", "next": "/"}, allow_redirects=False)
    assert response.status == 303
    page = await (await client.get(f"/ideas/{duplicate}")).text()
    assert "Merged into another idea" in page and f'href="/ideas/{original}"' in page
    page = await (await client.get(f"/ideas/{original}")).text()
    assert "Duplicates merged into this idea" in page and "New hires wait for laptops" in page
