"""Campaigns: phases that end at their deadlines, a vote budget, and a worker that moves each
campaign on exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from portal.campaigns.service import advance
from portal.db import connect
from tests.factories import make_service_map, relay_all

LENA = "lena@example.com"  # IT's lead


def deadlines(collect: float = 3600, vote: float = 7200, decide: float = 10800) -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "collect_until": (now + timedelta(seconds=collect)).isoformat(),
        "vote_until": (now + timedelta(seconds=vote)).isoformat(),
        "decide_until": (now + timedelta(seconds=decide)).isoformat(),
    }


async def open_campaign(client, auth, slug: str = "laptops", headers=None, **fields):
    body = {
        "slug": slug,
        "question": "How do we cut new-hire laptop set-up to one day?",
        "team": "it",
        "services": ["laptop-setup"],
        **deadlines(),
        **fields,
    }
    return await client.post("/api/v1/campaigns", headers=headers or auth(LENA), json=body)


async def move_to(db, slug: str, phase: str) -> None:
    """Moves the campaign's deadlines so that it is in `phase` now."""
    shifts = {"vote": ("-1 hour", "1 hour", "2 hours"), "decide": ("-2 hours", "-1 hour", "1 hour")}
    shifts["closed"] = ("-3 hours", "-2 hours", "-1 hour")
    collect, vote, decide = shifts[phase]
    await db.execute(
        "UPDATE campaigns SET collect_until = now() + $2::text::interval, vote_until = now() + $3::text::interval, "
        "decide_until = now() + $4::text::interval WHERE slug = $1",
        slug,
        collect,
        vote,
        decide,
    )


async def post(client, auth, who: str = "emma@example.com", campaign: str = "laptops", **fields):
    return await client.post(
        "/api/v1/ideas",
        headers=auth(who, team="marketing"),
        json={"title": f"Idea from {who}", "campaign": campaign, **fields},
    )


async def test_a_lead_opens_a_campaign_and_ideas_posted_into_it_reach_its_scope(client, auth, db, service_map):
    response = await open_campaign(client, auth, teams=[{"team": "hr", "role": "customer"}])
    assert response.status == 201, await response.text()
    campaign = await response.json()
    assert campaign["phase"] == "collect" and campaign["idea_count"] == 0
    assert response.headers["Location"] == "/api/v1/campaigns/laptops"
    response = await post(client, auth)
    assert response.status == 201, await response.text()
    idea = await response.json()
    assert idea["campaign"] == "laptops" and idea["services"] == ["laptop-setup"]
    assert {"team": "hr", "role": "customer"} in idea["teams"]
    await relay_all(db)
    routed = await (await client.get(f"/api/v1/ideas/{idea['id']}/routings", headers=auth())).json()
    assert {r["team"] for r in routed} >= {"it", "hr", "marketing", "sales"}
    listed = await (await client.get("/api/v1/ideas?campaign=laptops", headers=auth())).json()
    assert [i["id"] for i in listed["items"]] == [idea["id"]]
    assert (await (await client.get("/api/v1/ideas?campaign=other", headers=auth())).json())["items"] == []


async def test_only_admins_and_the_running_teams_leads_open_campaigns(client, auth, service_map):
    response = await open_campaign(client, auth, headers=auth("emma@example.com"))
    assert response.status == 403
    response = await open_campaign(client, auth, headers=auth.admin, team=None)
    assert response.status == 201


async def test_deadlines_out_of_order_or_past_are_refused(client, auth, service_map):
    response = await open_campaign(client, auth, **deadlines(collect=7200, vote=3600))
    assert response.status == 422
    response = await open_campaign(client, auth, **deadlines(collect=-60))
    assert response.status == 422 and (await response.json())["errors"][0]["field"] == "body.collect_until"


async def test_ideas_are_posted_only_while_collecting_and_voted_only_while_voting(client, auth, db, service_map):
    await open_campaign(client, auth)
    idea = await (await post(client, auth)).json()
    response = await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth("vic@example.com"))
    assert response.status == 409  # still collecting
    await move_to(db, "laptops", "vote")
    assert (await post(client, auth, "late@example.com")).status == 409
    response = await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth("vic@example.com"))
    assert response.status == 200
    await move_to(db, "laptops", "decide")
    response = await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth("wes@example.com"))
    assert response.status == 409
    response = await client.delete(f"/api/v1/ideas/{idea['id']}/vote", headers=auth("vic@example.com"))
    assert response.status == 409  # the tally is final once voting ends
    assert await db.fetchval("SELECT count(*) FROM votes") == 1


async def test_a_vote_budget_holds_under_concurrent_votes(client, auth, db, service_map):
    await open_campaign(client, auth, vote_budget=2)
    ideas = [(await (await post(client, auth, f"author{n}@example.com")).json())["id"] for n in range(5)]
    await move_to(db, "laptops", "vote")
    voter = auth("vic@example.com")
    responses = await asyncio.gather(*(client.put(f"/api/v1/ideas/{i}/vote", headers=voter) for i in ideas))
    assert sorted(r.status for r in responses) == [200, 200, 409, 409, 409]
    assert await db.fetchval("SELECT count(*) FROM votes") == 2
    campaign = await (await client.get("/api/v1/campaigns/laptops", headers=voter)).json()
    assert campaign["votes_left"] == 0
    voted = [i for i, r in zip(ideas, responses, strict=True) if r.status == 200]
    await client.delete(f"/api/v1/ideas/{voted[0]}/vote", headers=voter)
    spare = next(i for i in ideas if i not in voted)
    assert (await client.put(f"/api/v1/ideas/{spare}/vote", headers=voter)).status == 200


async def test_each_phase_changes_once_even_with_two_workers_at_once(client, auth, db, database_url, service_map):
    await open_campaign(client, auth)
    idea = await (await post(client, auth)).json()
    await move_to(db, "laptops", "vote")
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth("vic@example.com"))
    await move_to(db, "laptops", "closed")
    other = await connect(database_url)

    async def worker(conn) -> int:
        async with conn.transaction():
            return await advance(conn)

    try:
        moved = await asyncio.gather(worker(db), worker(other))
    finally:
        await other.close()
    assert sum(moved) == 3  # collect -> vote -> decide -> closed, each once
    changes = await db.fetch(
        "SELECT data->>'from' AS f, data->>'to' AS t FROM events WHERE type = 'campaign.phase_changed' ORDER BY id"
    )
    assert [(c["f"], c["t"]) for c in changes] == [("collect", "vote"), ("vote", "decide"), ("decide", "closed")]
    closed = await db.fetch("SELECT data FROM events WHERE type = 'campaign.closed'")
    assert len(closed) == 1
    results = closed[0]["data"]["results"]
    assert results["voters"] == 1 and results["ideas"][0] == {
        "id": idea["id"],
        "title": idea["title"],
        "status": "open",
        "votes": 1,
    }
    campaign = await (await client.get("/api/v1/campaigns/laptops", headers=auth())).json()
    assert campaign["phase"] == "closed" and campaign["results"]["votes"] == 1


async def test_campaigns_are_listed_by_the_phase_they_are_in(client, auth, db, service_map):
    await open_campaign(client, auth, "first")
    await open_campaign(client, auth, "second")
    await move_to(db, "second", "vote")
    listed = await (await client.get("/api/v1/campaigns?phase=vote", headers=auth())).json()
    assert [c["slug"] for c in listed] == ["second"]
    assert len(await (await client.get("/api/v1/campaigns", headers=auth())).json()) == 2


async def test_a_lead_opens_a_campaign_from_the_page_and_an_employee_posts_into_it(client, db):
    import re

    from portal.seed import seed

    await seed(db)
    response = await client.post(
        "/dev/sign-in", data={"email": "ken.lead@example.com", "next": "/"}, allow_redirects=False
    )
    assert response.status == 303
    page = await (await client.get("/campaigns")).text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    soon = datetime.now(UTC) + timedelta(days=1)
    form = {
        "csrf_token": csrf,
        "slug": "laptops-2027",
        "question": "How do we cut laptop set-up to one day?",
        "team": "it",
        "collect_until": soon.strftime("%Y-%m-%dT%H:%M"),
        "vote_until": (soon + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "decide_until": (soon + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "vote_budget": "3",
    }
    response = await client.post("/campaigns", data={**form, "vote_until": form["collect_until"]})
    assert response.status == 422  # deadlines out of order: the form again, nothing opened
    response = await client.post("/campaigns", data=form, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/campaigns/laptops-2027"
    page = await (await client.get("/campaigns/laptops-2027")).text()
    assert "How do we cut laptop set-up to one day?" in page and "Collecting ideas" in page
    page = await (await client.get("/ideas/new?campaign=laptops-2027")).text()
    assert 'name="campaign" value="laptops-2027"' in page
    response = await client.post(
        "/ideas",
        data={"csrf_token": csrf, "title": "Image laptops per role", "campaign": "laptops-2027"},
        allow_redirects=False,
    )
    assert response.status == 303
    idea_page = await (await client.get(response.headers["Location"])).text()
    assert "Campaign: laptops-2027" in idea_page


@pytest.mark.slow
async def test_two_schedulers_move_a_campaign_through_its_phases_once_each(
    client, auth, db, database_url, redis_url, tmp_path
):
    from tests.pipeline import Pipeline, eventually, pipeline_env

    await make_service_map(client, auth)
    await open_campaign(client, auth, **deadlines(collect=2, vote=4, decide=6))
    env = pipeline_env(
        database_url, redis_url, PORTAL_HEARTBEAT_DIR=str(tmp_path / "beats"), PORTAL_CAMPAIGN_INTERVAL_SECONDS="0.3"
    )
    running = Pipeline(env, tmp_path)
    running.start("worker")
    running.start("scheduler")
    second = Pipeline(env, tmp_path / "second")
    (tmp_path / "second").mkdir()
    second.start("scheduler")
    try:

        async def closed():
            return await db.fetchval("SELECT phase = 'closed' FROM campaigns WHERE slug = 'laptops'")

        await eventually(closed)
    finally:
        second.stop()
        running.stop()
    for _ in range(2):  # more rounds, as the schedulers would run them: nothing more moves
        async with db.transaction():
            assert await advance(db) == 0
    changes = await db.fetch("SELECT data->>'to' AS t FROM events WHERE type = 'campaign.phase_changed' ORDER BY id")
    assert [c["t"] for c in changes] == ["vote", "decide", "closed"]
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'campaign.closed'") == 1
