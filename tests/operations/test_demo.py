"""The demo company `portal dev` makes: believable, the same every time, and quiet about its past."""

from __future__ import annotations

from portal.demo import IDEAS, demo_if_empty


async def test_the_demo_company_has_something_true_on_every_page(database_url, db):
    assert await demo_if_empty(database_url) is True
    facts = await db.fetchrow(
        """SELECT (SELECT count(*) FROM teams) AS teams,
                  (SELECT count(*) FROM services) AS services,
                  (SELECT count(*) FROM ideas) AS ideas,
                  (SELECT count(*) FROM ideas WHERE title ~ '[ぁ-んァ-ン一-龥]') AS japanese,
                  (SELECT now() - min(created_at) FROM ideas) AS span,
                  (SELECT count(*) FROM routings WHERE state = 'pending' AND due_at < now()) AS overdue,
                  (SELECT count(*) FROM routings WHERE state <> 'pending') AS answered,
                  (SELECT count(*) FROM ideas WHERE status = 'done' AND outcome_note IS NOT NULL) AS done,
                  (SELECT count(*) FROM survey_rounds WHERE closed_at IS NOT NULL AND results IS NOT NULL) AS rounds,
                  (SELECT array_agg(phase ORDER BY slug) FROM campaigns) AS campaigns,
                  (SELECT count(*) FROM thanks) AS thanks,
                  (SELECT count(DISTINCT period) FROM scorecards) AS months"""
    )
    assert facts["teams"] == 12 and facts["services"] == 13 and facts["ideas"] >= IDEAS
    assert facts["japanese"] >= 50 and facts["span"].days >= 380
    assert facts["overdue"] > 0 and facts["answered"] > 0 and facts["done"] > 0 and facts["rounds"] > 0
    assert facts["campaigns"] == ["collect", "closed"] and facts["thanks"] > 0 and facts["months"] >= 12


async def test_the_demo_is_made_once_and_tells_nobody_about_its_past(database_url, db):
    assert await demo_if_empty(database_url) is True
    assert await demo_if_empty(database_url) is False
    waiting = await db.fetchval("SELECT count(*) FROM events WHERE dispatched_at IS NULL")
    seeded_ideas = await db.fetchval(
        "SELECT count(*) FROM events WHERE dispatched_at IS NULL AND type = 'idea.created'"
    )
    assert seeded_ideas == 5 and waiting < 100  # the seed's few new ideas only


async def test_the_demo_is_the_same_every_time(database_url, db, servers):
    await demo_if_empty(database_url)
    first = await db.fetchval("SELECT md5(string_agg(title || vote_count, ',' ORDER BY id)) FROM ideas")
    await db.execute("TRUNCATE teams, employees, ideas, events, campaigns, thanks, survey_rounds CASCADE")
    await demo_if_empty(database_url)
    again = await db.fetchval("SELECT md5(string_agg(title || vote_count, ',' ORDER BY id)) FROM ideas")
    assert again == first
