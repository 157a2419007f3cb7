"""Scorecards match a hand-computed fixture exactly."""

from __future__ import annotations

from portal.scorecards.service import compile_period
from tests.factories import make_idea, make_service_map, relay_all

LENA = "lena@example.com"  # IT's lead; IT provides laptop-setup
PERIOD = "2026-10"


async def fixture(client, auth, db) -> list[int]:
    """Three ideas routed to IT on 5 October 09:00 UTC under a 4-hour standard: the first answered
    after 2 h and accepted after 10 h (done on the 20th), the second answered after 6 h (late) and
    declined after 30 h, the third never answered. Two thanks to IT that month, one for the service."""
    await make_service_map(client, auth)
    standard = {"how_to_request": "Ask", "first_response_hours": 4, "contact": "it@example.com"}
    await client.put("/api/v1/services/laptop-setup/standard", headers=auth(LENA), json=standard)
    ideas = [(await make_idea(client, auth(), f"Idea number {n}", services=["laptop-setup"]))["id"] for n in range(3)]
    await relay_all(db)
    for idea_id, decision in zip(ideas[:2], ("accepted", "declined"), strict=False):
        await client.post(
            f"/api/v1/ideas/{idea_id}/routings/it/response",
            headers=auth(LENA),
            json={"decision": decision, "message": "Our answer"},
        )
    start = "2026-10-05 09:00+00"
    await db.execute(
        "UPDATE routings SET routed_at = $1::text::timestamptz, due_at = $1::text::timestamptz + interval '4 hours' "
        "WHERE role = 'provider'",
        start,
    )
    for idea_id, first, decided in ((ideas[0], 2, 10), (ideas[1], 6, 30)):
        await db.execute(
            "UPDATE routings SET first_responded_at = routed_at + make_interval(hours => $2), "
            "decided_at = routed_at + make_interval(hours => $3) WHERE idea_id = $1 AND role = 'provider'",
            idea_id,
            first,
            decided,
        )
    await db.execute(
        "INSERT INTO idea_status_changes (idea_id, from_status, to_status, reason, changed_at) "
        "VALUES ($1, 'in_progress', 'done', 'Shipped', '2026-10-20 12:00+00')",
        ideas[0],
    )
    for service in ("laptop-setup", None):
        body = {"to_team": "it", "message": "Thank you", **({"service": service} if service else {})}
        await client.post("/api/v1/thanks", headers=auth("emma@example.com"), json=body)
    await db.execute("UPDATE thanks SET created_at = '2026-10-21 08:00+00'")
    return ideas


EXPECTED = {
    "routed": 3,
    "measured": 3,
    "answered_in_time": 1,
    "sla_adherence": 0.3333,
    "median_first_response_hours": 4.0,
    "median_decision_hours": 20.0,
    "accepted": 1,
    "planned": 0,
    "declined": 1,
    "done": 1,
    "csat": None,
    "ces": None,
    "solved_rate": None,
    "csat_distribution": None,
    "ces_distribution": None,
    "by_customer_team": [],
}


async def test_a_teams_scorecard_matches_the_hand_computed_fixture(client, auth, db):
    await fixture(client, auth, db)
    assert await compile_period(db, PERIOD) >= 2
    card = await (await client.get(f"/api/v1/teams/it/scorecard?period={PERIOD}", headers=auth())).json()
    assert card["team"] == "it" and card["service"] is None and card["period"] == PERIOD
    assert card["measures"] == {**EXPECTED, "thanks_received": 2}
    service = await (
        await client.get(f"/api/v1/services/laptop-setup/scorecard?period={PERIOD}", headers=auth())
    ).json()
    assert service["measures"] == {**EXPECTED, "thanks_received": 1}


async def test_the_trend_lists_earlier_months(client, auth, db):
    await fixture(client, auth, db)
    await compile_period(db, PERIOD)
    await compile_period(db, "2026-11")
    card = await (await client.get("/api/v1/teams/it/scorecard?period=2026-11", headers=auth())).json()
    assert card["measures"]["routed"] == 0
    assert card["trend"] == [
        {"period": PERIOD, "sla_adherence": 0.3333, "median_first_response_hours": 4.0, "routed": 3, "done": 1}
    ]


async def test_a_scorecard_not_compiled_yet_measures_nothing(client, auth, service_map):
    card = await (await client.get("/api/v1/teams/it/scorecard?period=2020-01", headers=auth())).json()
    assert card["compiled_at"] is None and card["measures"]["routed"] == 0
    response = await client.get("/api/v1/teams/it/scorecard?period=2020-13", headers=auth())
    assert response.status == 422


async def test_admins_see_every_team_side_by_side_and_as_csv(client, auth, db):
    await fixture(client, auth, db)
    await compile_period(db, PERIOD)
    assert (await client.get(f"/api/v1/scorecards?period={PERIOD}", headers=auth())).status == 403
    cards = await (await client.get(f"/api/v1/scorecards?period={PERIOD}", headers=auth.admin)).json()
    assert [c["team"] for c in cards] == ["it"]
    response = await client.get(f"/api/v1/scorecards.csv?period={PERIOD}", headers=auth.admin)
    assert response.status == 200 and response.content_type == "text/csv"
    lines = (await response.text()).splitlines()
    assert lines[0].startswith("team,service,period,routed,measured,answered_in_time")
    assert lines[1].startswith("it,,2026-10,3,3,1,4.0,20.0,1,0,1,1,2,0.3333")
    assert lines[2].startswith("it,laptop-setup,2026-10,3,3,1,")
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'scorecard.compiled'") == 1


async def test_the_scorecard_page_draws_the_trend_and_admins_compare_teams(client, auth, db):
    await fixture(client, auth, db)
    await compile_period(db, PERIOD)
    await compile_period(db, "2026-11")
    await client.get("/api/v1/me", headers=auth.admin)
    response = await client.post(
        "/dev/sign-in", data={"email": "admin@example.com", "next": "/"}, allow_redirects=False
    )
    assert response.status == 303
    page = await (await client.get("/teams/it/scorecard?period=2026-11")).text()
    assert "<svg" in page and "2026-10: 33%" in page
    page = await (await client.get(f"/teams/it/scorecard?period={PERIOD}")).text()
    assert "33% (1/3)" in page and "4.0 h" in page
    page = await (await client.get(f"/admin/scorecards?period={PERIOD}")).text()
    assert 'href="/teams/it/scorecard?period=2026-10"' in page and "/admin/scorecards.csv?period=2026-10" in page


async def test_the_leads_digest_sets_this_months_scorecard_beside_last_months(client, auth, db):
    from datetime import UTC, datetime

    from portal.results.service import compile_digest
    from portal.scorecards.service import change_since_last_period

    await fixture(client, auth, db)
    await compile_period(db, PERIOD)
    await compile_period(db, "2026-11")
    team_id = await db.fetchval("SELECT id FROM teams WHERE slug = 'it'")
    summary = await change_since_last_period(db, team_id=team_id, at=datetime(2026, 11, 15, tzinfo=UTC))
    assert summary["period"] == "2026-11" and summary["previous_period"] == PERIOD
    by_measure = {m["measure"]: (m["now"], m["before"]) for m in summary["measures"]}
    assert by_measure["sla_adherence"] == (None, 0.3333) and by_measure["done"] == (0, 1)
    digest_id = await compile_digest(db, team_id=team_id, period_hours=24)
    assert "scorecard" in await db.fetchval("SELECT content FROM team_digests WHERE id = $1", digest_id)
