"""Surveys: a service's pulse and "did this solve it?", one answer per person per round, and
results that never show a group of fewer answers than the minimum, through any endpoint or event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.scorecards.service import compile_period, period_of
from portal.surveys.anonymity import summarize
from portal.surveys.service import close_due
from tests.factories import make_idea, make_team, relay_all, service_map_fixture

LENA = "lena@example.com"  # IT's lead; IT provides laptop-setup to Marketing and Sales
MINIMUM = 3


async def open_round(client, auth) -> int:
    response = await client.post(
        "/api/v1/services/laptop-setup/survey-rounds", headers=auth(LENA), json={"open_days": 7}
    )
    assert response.status == 201, await response.text()
    return (await response.json())["id"]


async def answer(client, auth, round_id: int, who: str, team: str, **body):
    return await client.put(f"/api/v1/survey-rounds/{round_id}/answer", headers=auth(who, team=team), json=body)


async def close(db) -> None:
    await db.execute(
        "UPDATE survey_rounds SET opened_at = opened_at - interval '8 days', closes_at = now() - interval '1 second'"
    )
    await close_due(db, minimum=MINIMUM)


async def test_customer_team_members_answer_once_and_may_change_it_until_the_round_closes(client, auth, db):
    await service_map_fixture(client, auth)
    round_id = await open_round(client, auth)
    response = await answer(client, auth, round_id, "mia@example.com", "marketing", csat=2, ces=3)
    assert response.status == 200, await response.text()
    response = await answer(client, auth, round_id, "mia@example.com", "marketing", csat=4, ces=5, improvement="Images")
    assert (await response.json())["csat"] == 4
    assert await db.fetchval("SELECT count(*) FROM survey_answers") == 1
    mine = await (await client.get("/api/v1/me/surveys", headers=auth("mia@example.com", team="marketing"))).json()
    assert [(s["id"], s["my_answer"]["csat"]) for s in mine] == [(round_id, 4)]
    response = await answer(client, auth, round_id, "hal@example.com", "hr", csat=1, ces=1)
    assert response.status == 403  # HR is not a customer of laptop-setup
    response = await answer(client, auth, round_id, "mia@example.com", "marketing", solved="yes")
    assert response.status == 422  # a pulse round asks csat and ces
    await close(db)
    response = await answer(client, auth, round_id, "mia@example.com", "marketing", csat=1, ces=1)
    assert response.status == 409
    assert await db.fetchval("SELECT count(*) FROM survey_answers WHERE respondent_id IS NOT NULL") == 0


async def test_fewer_answers_than_the_minimum_show_nothing_anywhere(client, auth, db):
    await service_map_fixture(client, auth)
    round_id = await open_round(client, auth)
    for who in ("mia", "max"):  # k - 1 answers
        await answer(
            client, auth, round_id, f"{who}@example.com", "marketing", csat=1, ces=2, improvement=f"{who} says"
        )
    await close(db)
    closed = await (await client.get(f"/api/v1/survey-rounds/{round_id}", headers=auth.admin)).json()
    assert closed["closed"] and closed["results"] == {"minimum": MINIMUM, "enough_answers": False}
    listed = await (await client.get("/api/v1/services/laptop-setup/survey-rounds", headers=auth.admin)).json()
    assert listed[0]["results"] == closed["results"]
    event = await db.fetchrow("SELECT data FROM events WHERE type = 'survey.round_closed'")
    assert event["data"]["results"] == closed["results"]
    await compile_period(db, period_of(datetime.now(UTC)))
    card = await (await client.get("/api/v1/teams/it/scorecard", headers=auth())).json()
    assert card["measures"]["csat"] is None
    csv = await (await client.get("/api/v1/scorecards.csv", headers=auth.admin)).text()
    assert "says" not in csv
    everything = str([dict(r) for r in await db.fetch("SELECT data FROM events")])
    assert "mia" not in everything and "max" not in everything


async def test_enough_answers_show_figures_and_texts_without_names_and_teams_only_when_large_enough(client, auth, db):
    await service_map_fixture(client, auth)
    round_id = await open_round(client, auth)
    for n, (csat, ces) in enumerate([(5, 4), (4, 4), (3, 2)]):
        await answer(
            client, auth, round_id, f"m{n}@example.com", "marketing", csat=csat, ces=ces, improvement=f"idea {n}"
        )
    await answer(client, auth, round_id, "s0@example.com", "sales", csat=1, ces=1)
    await close(db)
    results = (await (await client.get(f"/api/v1/survey-rounds/{round_id}", headers=auth())).json())["results"]
    assert results["answers"] == 4
    assert results["csat"] == {"mean": 3.25, "distribution": [1, 0, 1, 1, 1]}
    assert results["texts"] == ["idea 0", "idea 1", "idea 2"]
    # Marketing alone has 3 answers, but showing it would reveal Sales' single answer by subtraction.
    assert results["by_team"] == []
    await compile_period(db, period_of(datetime.now(UTC)))
    card = await (await client.get("/api/v1/services/laptop-setup/scorecard", headers=auth())).json()
    assert card["measures"]["csat"] == 3.25 and card["measures"]["ces"] == 2.75


def test_teams_are_shown_when_the_groups_left_out_are_large_enough_too():
    answers = [{"team": "a", "csat": 5, "ces": 5, "improvement": None}] * 3
    answers += [{"team": "b", "csat": 1, "ces": 1, "improvement": None}] * 3
    answers += [{"team": "c", "csat": 3, "ces": 3, "improvement": None}] * 2
    results = summarize("pulse", answers, minimum=3)
    # c (2 answers) alone would be left out, and worked out as the whole minus a and b: so a (the
    # smallest shown, by name on a tie) is left out too, and only b is shown.
    assert [team["team"] for team in results["by_team"]] == ["b"]
    assert sum(team["answers"] for team in results["by_team"]) <= results["answers"] - 3


async def test_two_customer_teams_saying_no_reopen_the_providers_routing_with_their_reasons(client, auth, db):
    await service_map_fixture(client, auth)
    idea = await make_idea(client, auth("emma@example.com", team="marketing"), services=["laptop-setup"])
    await relay_all(db)
    await client.post(
        f"/api/v1/ideas/{idea['id']}/routings/it/response", headers=auth(LENA), json={"decision": "accepted"}
    )
    for status in ("planned", "in_progress", "done"):
        await client.post(
            f"/api/v1/ideas/{idea['id']}/status", headers=auth(LENA), json={"status": status, "reason": "Go"}
        )
    [asked] = await (await client.get("/api/v1/me/surveys", headers=auth("mia@example.com", team="marketing"))).json()
    assert asked["kind"] == "solved" and asked["idea_id"] == idea["id"]
    await answer(client, auth, asked["id"], "mia@example.com", "marketing", solved="no", comment="Still five days")
    await answer(client, auth, asked["id"], "max@example.com", "marketing", solved="no", comment="Same")
    routing = await (await client.get(f"/api/v1/ideas/{idea['id']}/routings", headers=auth())).json()
    assert next(r for r in routing if r["team"] == "it")["state"] != "pending"  # one team is not enough
    await answer(client, auth, asked["id"], "sol@example.com", "sales", solved="no", comment="No change for us")
    routing = await (await client.get(f"/api/v1/ideas/{idea['id']}/routings", headers=auth())).json()
    assert next(r for r in routing if r["team"] == "it")["state"] == "pending"
    reopened = await db.fetchrow("SELECT data FROM events WHERE type = 'routing.reopened'")
    assert "Still five days" in reopened["data"]["reason"] and "mia" not in reopened["data"]["reason"]
    assert (await (await client.get(f"/api/v1/ideas/{idea['id']}", headers=auth())).json())["status"] == "in_progress"


async def test_the_worker_opens_pulse_rounds_on_their_schedule_once(client, auth, db):
    from portal.surveys.service import open_due_pulses

    await service_map_fixture(client, auth)
    await make_team(client, auth, "facilities")
    response = await client.put(
        "/api/v1/services/laptop-setup/pulse", headers=auth(LENA), json={"every_days": 90, "open_days": 10}
    )
    assert response.status == 204
    assert await open_due_pulses(db) == 1
    assert await open_due_pulses(db) == 0
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'survey.round_opened'") == 1
    response = await client.put(
        "/api/v1/services/laptop-setup/pulse", headers=auth("emma@example.com"), json={"every_days": 30}
    )
    assert response.status == 403


async def test_an_employee_answers_on_the_surveys_page_and_reads_the_results_once_closed(client, auth, db):
    import re

    from portal.seed import seed

    await seed(db)  # aiko is in Marketing, a customer of laptop-setup; ken leads IT, its provider
    response = await client.post(
        "/api/v1/services/laptop-setup/survey-rounds", headers=auth("ken.lead@example.com"), json={"open_days": 7}
    )
    round_id = (await response.json())["id"]
    response = await client.post("/dev/sign-in", data={"email": "aiko@example.com", "next": "/"}, allow_redirects=False)
    assert response.status == 303
    page = await (await client.get("/surveys")).text()
    assert "How is laptop-setup serving you?" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = await client.post(f"/surveys/{round_id}", data={"csrf_token": csrf, "csat": "4"})
    assert response.status == 422  # the ease is missing: nothing saved
    assert await db.fetchval("SELECT count(*) FROM survey_answers") == 0
    response = await client.post(
        f"/surveys/{round_id}",
        data={"csrf_token": csrf, "csat": "4", "ces": "3", "improvement": "Images per role"},
        allow_redirects=False,
    )
    assert response.status == 303
    page = await (await client.get("/surveys")).text()
    assert "Change my answer" in page and "body=Images+per+role" in page
    await close(db)
    page = await (await client.get(f"/survey-rounds/{round_id}")).text()
    assert "no result is shown" in page and "Images per role" not in page


async def test_the_scorecard_breaks_satisfaction_down_by_customer_team_where_each_is_large_enough(client, auth, db):
    await service_map_fixture(client, auth)
    round_id = await open_round(client, auth)
    for n in range(3):
        await answer(client, auth, round_id, f"m{n}@example.com", "marketing", csat=5, ces=4)
        await answer(client, auth, round_id, f"s{n}@example.com", "sales", csat=2, ces=1)
    await close(db)
    await compile_period(db, period_of(datetime.now(UTC)))
    measures = (await (await client.get("/api/v1/teams/it/scorecard", headers=auth())).json())["measures"]
    assert measures["csat"] == 3.5 and measures["csat_distribution"] == [0, 3, 0, 0, 3]
    assert measures["by_customer_team"] == [
        {"team": "marketing", "answers": 3, "csat": 5.0, "ces": 4.0},
        {"team": "sales", "answers": 3, "csat": 2.0, "ces": 1.0},
    ]


@pytest.mark.slow
async def test_the_worker_closes_a_due_round_and_compiles_it_into_the_scorecard(
    client, auth, db, database_url, redis_url, tmp_path
):
    from tests.pipeline import Pipeline, eventually, pipeline_env

    await service_map_fixture(client, auth)
    round_id = await open_round(client, auth)
    for n in range(5):  # the default minimum group
        await answer(client, auth, round_id, f"m{n}@example.com", "marketing", csat=4, ces=3)
    await db.execute("UPDATE survey_rounds SET opened_at = now() - interval '8 days', closes_at = now()")
    env = pipeline_env(
        database_url,
        redis_url,
        PORTAL_HEARTBEAT_DIR=str(tmp_path / "beats"),
        PORTAL_SURVEY_INTERVAL_SECONDS="0.5",
        PORTAL_SCORECARD_INTERVAL_SECONDS="0.5",
    )
    running = Pipeline(env, tmp_path)
    running.start("worker")
    running.start("scheduler")
    try:

        async def compiled():
            card = await (await client.get("/api/v1/teams/it/scorecard", headers=auth())).json()
            return card if card["measures"]["csat"] is not None else None

        card = await eventually(compiled, timeout=30)
    finally:
        running.stop()
    assert card["measures"]["csat"] == 4.0 and card["measures"]["ces"] == 3.0
    closed = await (await client.get(f"/api/v1/survey-rounds/{round_id}", headers=auth())).json()
    assert closed["closed"] and closed["results"]["answers"] == 5
    assert await db.fetchval("SELECT count(*) FROM survey_answers WHERE respondent_id IS NOT NULL") == 0


async def test_the_results_page_and_the_scorecard_draw_the_distribution(client, auth, db):
    await service_map_fixture(client, auth)
    round_id = await open_round(client, auth)
    for n, csat in enumerate((5, 4, 4)):
        await answer(client, auth, round_id, f"m{n}@example.com", "marketing", csat=csat, ces=3)
    await close(db)
    await compile_period(db, period_of(datetime.now(UTC)))
    response = await client.post("/dev/sign-in", data={"email": "m0@example.com", "next": "/"}, allow_redirects=False)
    assert response.status == 303
    page = await (await client.get(f"/survey-rounds/{round_id}")).text()
    assert page.count('class="chart-bar"') == 10 and "<title>4: 2</title>" in page
    page = await (await client.get("/teams/it/scorecard")).text()
    assert "<title>5: 1</title>" in page and "marketing" in page
