"""Routing and results through the outbox relay, driven directly (no broker) for precision."""

from __future__ import annotations

from portal.results import service as results
from tests.factories import make_idea, make_service_map, relay_all


async def _routings(client, auth, idea_id: int) -> dict[str, tuple[str, str]]:
    rows = await (await client.get(f"/api/v1/ideas/{idea_id}/routings", headers=auth())).json()
    return {r["team"]: (r["role"], r["state"]) for r in rows}


async def test_idea_naming_a_service_reaches_its_provider_and_customers(client, auth, db, service_map):
    idea = await make_idea(client, auth(team="marketing"), services=["laptop-setup"])
    await relay_all(db)
    assert await _routings(client, auth, idea["id"]) == {
        "it": ("provider", "pending"),
        "marketing": ("customer", "pending"),
        "sales": ("customer", "pending"),
    }


async def test_named_team_and_service_paths_merge_with_provider_winning(client, auth, db, service_map):
    idea = await make_idea(
        client,
        auth(),
        services=["laptop-setup"],
        teams=[{"team": "marketing", "role": "provider"}, {"team": "hr", "role": "customer"}],
    )
    await relay_all(db)
    routed = await _routings(client, auth, idea["id"])
    assert routed["marketing"] == ("provider", "pending") and routed["hr"] == ("customer", "pending")


async def test_routing_rules_match_tags_and_keywords(client, auth, db, service_map):
    for rule in (
        {"match_kind": "tag", "pattern": "payroll", "team": "hr", "role": "provider"},
        {"match_kind": "keyword", "pattern": "印刷", "team": "it", "role": "provider"},
    ):
        assert (await client.post("/api/v1/routing-rules", headers=auth.admin, json=rule)).status == 201
    tagged = await make_idea(client, auth(), title="Fix payslips", tags=["payroll"])
    worded = await make_idea(client, auth(), title="プリンター印刷の申請をオンライン化する")
    await relay_all(db)
    assert await _routings(client, auth, tagged["id"]) == {"hr": ("provider", "pending")}
    assert await _routings(client, auth, worded["id"]) == {"it": ("provider", "pending")}


async def test_rerouting_after_an_edit_keeps_answers_and_withdraws_dropped_teams(client, auth, db, service_map):
    author = auth("author@example.com")
    idea = await make_idea(client, author, services=["laptop-setup"])
    await relay_all(db)
    await client.post(
        f"/api/v1/ideas/{idea['id']}/routings/it/response",
        headers=auth("lena@example.com"),
        json={"decision": "acknowledged", "message": "On it"},
    )
    await client.patch(
        f"/api/v1/ideas/{idea['id']}", headers=author, json={"teams": [{"team": "hr", "role": "customer"}]}
    )
    await relay_all(db)
    routed = await _routings(client, auth, idea["id"])
    assert routed["it"] == ("provider", "acknowledged")  # unchanged team keeps its answer
    assert routed["hr"] == ("customer", "pending")  # new team, new routing
    await client.patch(f"/api/v1/ideas/{idea['id']}", headers=author, json={"services": []})
    await relay_all(db)
    routed = await _routings(client, auth, idea["id"])
    assert routed["it"] == ("provider", "withdrawn") and routed["sales"] == ("customer", "withdrawn")
    await client.patch(f"/api/v1/ideas/{idea['id']}", headers=author, json={"services": ["laptop-setup"]})
    await relay_all(db)
    assert (await _routings(client, auth, idea["id"]))["it"] == ("provider", "pending")


async def test_relaying_twice_changes_nothing(client, auth, db, service_map):
    idea = await make_idea(client, auth(), services=["laptop-setup"])
    await relay_all(db)
    await db.execute("UPDATE events SET dispatched_at = NULL")
    await relay_all(db)
    routed_events = await db.fetchval("SELECT count(*) FROM events WHERE type = 'idea.routed'")
    assert routed_events == 3
    assert len(await _routings(client, auth, idea["id"])) == 3


async def test_inbox_lists_routed_ideas_for_leads_only(client, auth, db, service_map):
    await make_idea(client, auth(), services=["laptop-setup"])
    await relay_all(db)
    inbox = await client.get("/api/v1/teams/it/inbox", headers=auth("lena@example.com"))
    items = await inbox.json()
    assert inbox.status == 200 and items[0]["role"] == "provider" and items[0]["idea"]["vote_count"] == 0
    assert items[0]["overdue"] is False
    assert (await client.get("/api/v1/teams/it/inbox", headers=auth("someone@example.com"))).status == 403
    assert (await client.get("/api/v1/teams/it/inbox", headers=auth("hugo@example.com"))).status == 403


async def test_inbox_sorts_by_support_and_filters_overdue(client, auth, db, service_map):
    quiet = await make_idea(client, auth(), title="Quiet idea", services=["laptop-setup"])
    loud = await make_idea(client, auth(), title="Loud idea", services=["laptop-setup"])
    await client.put(f"/api/v1/ideas/{loud['id']}/vote", headers=auth("v@example.com"))
    await relay_all(db)
    items = await (await client.get("/api/v1/teams/it/inbox", headers=auth.admin)).json()
    assert [i["idea"]["title"] for i in items] == ["Loud idea", "Quiet idea"]
    await db.execute("UPDATE routings SET due_at = now() - interval '1 hour' WHERE idea_id = $1", quiet["id"])
    overdue = await (await client.get("/api/v1/teams/it/inbox?overdue=true", headers=auth.admin)).json()
    assert [i["idea"]["title"] for i in overdue] == ["Quiet idea"]


async def test_lead_answer_shows_on_the_idea_and_as_an_event(client, auth, db, service_map):
    idea = await make_idea(client, auth(), services=["laptop-setup"])
    await relay_all(db)
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/routings/it/response",
        headers=auth("lena@example.com"),
        json={"decision": "accepted", "message": "Yes"},
    )
    body = await response.json()
    assert response.status == 200 and body["state"] == "accepted" and body["responded_by"] == "lena@example.com"
    event = await db.fetchrow("SELECT data FROM events WHERE type = 'routing.responded'")
    assert event["data"]["decision"] == "accepted"


async def test_a_lead_of_another_team_cannot_answer(client, auth, db, service_map):
    idea = await make_idea(client, auth(), services=["laptop-setup"])
    await relay_all(db)
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/routings/it/response",
        headers=auth("hugo@example.com"),
        json={"decision": "accepted"},
    )
    assert response.status == 403


async def test_overdue_is_recorded_once(client, auth, db):
    from portal.routing.service import mark_overdue

    await make_service_map(client, auth)
    await make_idea(client, auth(), services=["laptop-setup"])
    await relay_all(db)
    await db.execute("UPDATE routings SET routed_at = now() - interval '2 hours', due_at = now() - interval '1 minute'")
    assert await mark_overdue(db) == 3
    assert await mark_overdue(db) == 0
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'routing.overdue'") == 3


async def test_an_answer_falling_due_soon_is_said_once_and_not_for_one_already_overdue(client, auth, db):
    from portal.routing.service import mark_overdue

    await make_service_map(client, auth)
    await make_idea(client, auth(), services=["laptop-setup"])
    await relay_all(db)
    # 72 hours to answer, 10 left: within a quarter of the period (18 h).
    await db.execute(
        "UPDATE routings SET routed_at = now() - interval '62 hours', due_at = now() + interval '10 hours'"
    )
    assert await mark_overdue(db) == 3
    assert await mark_overdue(db) == 0
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'routing.due_soon'") == 3
    await db.execute(
        "UPDATE routings SET due_soon_at = NULL, overdue_notified_at = now(), due_at = now() - interval '1 hour'"
    )
    await mark_overdue(db)
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'routing.due_soon'") == 3


async def test_an_answer_with_most_of_its_time_left_is_not_due_soon(client, auth, db):
    from portal.routing.service import mark_overdue

    await make_service_map(client, auth)
    await make_idea(client, auth(), services=["laptop-setup"])
    await relay_all(db)
    await db.execute(
        "UPDATE routings SET routed_at = now() - interval '40 hours', due_at = now() + interval '32 hours'"
    )
    assert await mark_overdue(db, due_soon_seconds=48 * 3600) == 0


async def test_results_break_votes_down_by_team_and_role(client, auth, db, service_map):
    idea = await make_idea(client, auth(), services=["laptop-setup"])
    for email, team in [
        ("m1@example.com", "marketing"),
        ("m2@example.com", "marketing"),
        ("i1@example.com", "it"),
        ("h1@example.com", "hr"),
        ("n1@example.com", None),
    ]:
        await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth(email, team=team))
    await relay_all(db)
    await results.compile_pending(db)
    body = await (await client.get(f"/api/v1/ideas/{idea['id']}/results", headers=auth())).json()
    assert body["vote_count"] == 5 and body["compiled_at"] is not None
    assert body["by_role"] == {"provider": 1, "customer": 2, "other": 2}
    assert {t["team"]: t["votes"] for t in body["by_team"]} == {"marketing": 2, "it": 1, "hr": 1, None: 1}


async def test_a_storm_of_votes_costs_one_compilation(client, auth, db):
    idea = await make_idea(client, auth())
    for n in range(30):
        await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth(f"s{n}@example.com"))
    await relay_all(db)
    assert await results.compile_pending(db) == [idea["id"]]
    assert await results.compile_pending(db) == []
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'results.compiled'") == 1


async def test_results_before_compilation_have_no_compiled_at(client, auth):
    idea = await make_idea(client, auth())
    body = await (await client.get(f"/api/v1/ideas/{idea['id']}/results", headers=auth())).json()
    assert body["compiled_at"] is None and body["vote_count"] == 0


async def test_team_digest_on_demand(client, auth, db, service_map):
    idea = await make_idea(client, auth(), services=["laptop-setup"])
    await relay_all(db)
    await client.post(
        f"/api/v1/ideas/{idea['id']}/routings/it/response",
        headers=auth("lena@example.com"),
        json={"decision": "planned"},
    )
    response = await client.post("/api/v1/teams/it/digests", headers=auth("lena@example.com"))
    digest = (await response.json())["content"]
    assert response.status == 201
    assert [i["idea_id"] for i in digest["newly_routed"]] == [idea["id"]]
    assert digest["decisions"][0]["decision"] == "planned"
    assert digest["response_rate"] == 1.0 and digest["median_response_hours"] is not None
    latest = await (await client.get("/api/v1/teams/it/digests/latest", headers=auth.admin)).json()
    assert latest["content"] == digest


async def test_answering_an_idea_not_routed_to_the_team_is_404(client, auth, db, service_map):
    idea = await make_idea(client, auth())  # names no service: routed nowhere
    await relay_all(db)
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/routings/it/response",
        headers=auth("lena@example.com"),
        json={"decision": "accepted"},
    )
    assert response.status == 404


async def test_answering_a_withdrawn_routing_is_409_naming_its_state(client, auth, db, service_map):
    idea = await make_idea(client, auth(), services=["laptop-setup"])
    await relay_all(db)
    await client.patch(f"/api/v1/ideas/{idea['id']}", headers=auth(), json={"services": []})
    await relay_all(db)
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/routings/it/response",
        headers=auth("lena@example.com"),
        json={"decision": "accepted"},
    )
    assert response.status == 409 and (await response.json())["current_state"] == "withdrawn"


async def test_a_deleted_routing_rule_no_longer_routes(client, auth, db, service_map):
    rule = await (
        await client.post(
            "/api/v1/routing-rules",
            headers=auth.admin,
            json={"match_kind": "tag", "pattern": "payroll", "team": "hr", "role": "provider"},
        )
    ).json()
    assert (await client.get(f"/api/v1/routing-rules/{rule['id']}", headers=auth.admin)).status == 200
    assert (await client.delete(f"/api/v1/routing-rules/{rule['id']}", headers=auth.admin)).status == 204
    assert (await client.delete(f"/api/v1/routing-rules/{rule['id']}", headers=auth.admin)).status == 404
    idea = await make_idea(client, auth(), tags=["payroll"])
    await relay_all(db)
    routings = await (await client.get(f"/api/v1/ideas/{idea['id']}/routings", headers=auth())).json()
    assert routings == []
