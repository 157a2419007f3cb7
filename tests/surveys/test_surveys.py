"""Surveys: a service's pulse and "did this solve it?", one answer per person per round, and
results that never show a group of fewer answers than the minimum, through any endpoint or event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.actions.surveys import close_due_rounds
from portal.scorecards.service import compile_period, period_of
from portal.surveys.anonymity import summarize
from tests.factories import make_idea, make_service_map, relay_all, sign_in

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
    await close_due_rounds(db, minimum=MINIMUM)


async def test_customer_team_members_answer_once_and_may_change_it_until_the_round_closes(
    client, auth, db, service_map
):
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


async def test_fewer_answers_than_the_minimum_show_nothing_anywhere(client, auth, db, service_map):
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


async def test_enough_answers_show_figures_and_texts_without_names_and_teams_only_when_large_enough(
    client, auth, db, service_map
):
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


async def done_idea_with_solved_round(client, auth, db) -> tuple[int, int]:
    """An idea IT accepted and finished for Marketing and Sales, and its "did this solve it?" round."""
    await make_service_map(client, auth)
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
    return idea["id"], asked["id"]


async def provider_state(client, auth, idea_id: int) -> str:
    routing = await (await client.get(f"/api/v1/ideas/{idea_id}/routings", headers=auth())).json()
    return next(r for r in routing if r["team"] == "it")["state"]


# Three answers from each customer team; one "no" in each, with a comment only its author knows.
RESPONDENTS = [
    ("mia@example.com", "marketing", "no", "Mia's secret complaint"),
    ("max@example.com", "marketing", "yes", ""),
    ("moe@example.com", "marketing", "partly", ""),
    ("sol@example.com", "sales", "no", "Sol's secret complaint"),
    ("sam@example.com", "sales", "yes", ""),
    ("sue@example.com", "sales", "yes", ""),
]


async def test_no_answers_change_nothing_while_the_round_is_open(client, auth, db):
    idea_id, round_id = await done_idea_with_solved_round(client, auth, db)
    events_before = await db.fetchval("SELECT count(*) FROM events")
    for who, team, solved, comment in RESPONDENTS:
        response = await answer(client, auth, round_id, who, team, solved=solved, comment=comment)
        assert response.status == 200, await response.text()
    assert await provider_state(client, auth, idea_id) != "pending"
    assert (await (await client.get(f"/api/v1/ideas/{idea_id}", headers=auth())).json())["status"] == "done"
    assert await db.fetchval("SELECT count(*) FROM events") == events_before  # answering is not an event


async def test_two_customer_teams_saying_no_reopen_the_idea_when_the_round_closes_made_by_no_person(client, auth, db):
    idea_id, round_id = await done_idea_with_solved_round(client, auth, db)
    for who, team, solved, comment in RESPONDENTS:
        await answer(client, auth, round_id, who, team, solved=solved, comment=comment)
    await close(db)
    assert await provider_state(client, auth, idea_id) == "pending"
    idea = await (await client.get(f"/api/v1/ideas/{idea_id}", headers=auth())).json()
    assert idea["status"] == "in_progress"
    change = idea["status_history"][-1]
    assert change["changed_by"] is None and change["survey_round_id"] == round_id
    assert change["reason"] == "Disputed by the 'did this solve it?' survey: 2 customer teams answered no"
    await relay_all(db)  # notifications to the idea's followers are made from the events
    respondents = [who for who, *_ in RESPONDENTS]
    names = [who.split("@")[0] for who in respondents]
    ids = [row["id"] for row in await db.fetch("SELECT id FROM employees WHERE email = ANY($1)", respondents)]
    surfaces = {
        "API": await (await client.get(f"/api/v1/ideas/{idea_id}", headers=auth())).text(),
        "routings": await (await client.get(f"/api/v1/ideas/{idea_id}/routings", headers=auth())).text(),
        # Free text appears in the round's compiled results only (survey.round_closed).
        "feed": str(
            [
                event
                for event in (await (await client.get("/api/v1/events?limit=500", headers=auth.admin)).json())["items"]
                if event["type"] != "ideaportal.survey.round_closed"
            ]
        ),
        "notifications": str([dict(r) for r in await db.fetch("SELECT data FROM notifications")]),
        "history": str([dict(r) for r in await db.fetch("SELECT * FROM idea_status_changes")]),
    }
    for surface, text in surfaces.items():
        assert "secret complaint" not in text, surface
        for name in names:
            assert f"{name}@" not in text and f'"{name.title()}"' not in text, (surface, name)
    for event in await db.fetch("SELECT data FROM events WHERE type IN ('idea.status_changed', 'routing.reopened')"):
        assert event["data"].get("by") not in ids
    await sign_in(client, "emma@example.com")
    page = await (await client.get(f"/ideas/{idea_id}")).text()
    assert "By the survey" in page and "secret complaint" not in page


async def test_a_no_from_a_team_too_small_to_be_shown_does_not_reopen(client, auth, db):
    idea_id, round_id = await done_idea_with_solved_round(client, auth, db)
    for who, team, solved, comment in RESPONDENTS[:4]:  # Sales answered once: its group is not shown
        await answer(client, auth, round_id, who, team, solved=solved, comment=comment)
    await close(db)
    assert await provider_state(client, auth, idea_id) != "pending"
    assert (await (await client.get(f"/api/v1/ideas/{idea_id}", headers=auth())).json())["status"] == "done"


@pytest.mark.slow
async def test_the_worker_closes_a_due_round_and_compiles_it_into_the_scorecard(
    client, auth, db, database_url, redis_url, tmp_path
):
    from tests.pipeline import Pipeline, eventually, pipeline_env

    await make_service_map(client, auth)
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

        card = await eventually(compiled)
    finally:
        running.stop()
    assert card["measures"]["csat"] == 4.0 and card["measures"]["ces"] == 3.0
    closed = await (await client.get(f"/api/v1/survey-rounds/{round_id}", headers=auth())).json()
    assert closed["closed"] and closed["results"]["answers"] == 5
    assert await db.fetchval("SELECT count(*) FROM survey_answers WHERE respondent_id IS NOT NULL") == 0


async def test_the_results_page_and_the_scorecard_draw_the_distribution(client, auth, db, service_map):
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
    assert "<title>5: 1</title>" in page and "Marketing" in page
