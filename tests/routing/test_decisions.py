"""Two-sided decisions: the provider team decides a routed idea; each customer team confirms or
disputes; a dispute reopens the provider's routing."""

from __future__ import annotations

from tests.factories import make_idea, make_service_map, relay_all

LENA, MARK = "lena@example.com", "mark@example.com"  # leads of IT (provider) and Marketing (customer)


async def routed(client, auth, db) -> int:
    await make_service_map(client, auth)
    idea = await make_idea(client, auth("emma@example.com", team="marketing"), services=["laptop-setup"])
    await relay_all(db)
    return idea["id"]


async def answer(client, auth, idea_id: int, decision: str, lead: str = LENA, team: str = "it"):
    response = await client.post(
        f"/api/v1/ideas/{idea_id}/routings/{team}/response",
        headers=auth(lead),
        json={"decision": decision, "message": "Our answer"},
    )
    assert response.status == 200, await response.text()
    return await response.json()


async def position(client, auth, idea_id: int, team: str, lead: str, **body):
    return await client.post(f"/api/v1/ideas/{idea_id}/routings/{team}/position", headers=auth(lead), json=body)


async def routings(client, auth, idea_id: int) -> dict[str, dict]:
    rows = await (await client.get(f"/api/v1/ideas/{idea_id}/routings", headers=auth())).json()
    return {row["team"]: row for row in rows}


async def test_a_provider_decision_asks_every_customer_team_within_its_response_time(client, auth, db):
    idea_id = await routed(client, auth, db)
    await answer(client, auth, idea_id, "accepted")
    teams = await routings(client, auth, idea_id)
    for customer in ("marketing", "sales"):
        assert teams[customer]["position_asked"] == "accepted" and teams[customer]["position"] is None
        assert teams[customer]["position_due_at"] is not None
    assert teams["it"]["position_asked"] is None
    event = await db.fetchrow("SELECT data FROM events WHERE type = 'routing.confirmation_requested'")
    assert event["data"] == {"idea_id": idea_id, "teams": ["marketing", "sales"], "about": "accepted"}


async def test_an_acknowledgement_asks_nobody(client, auth, db):
    idea_id = await routed(client, auth, db)
    await answer(client, auth, idea_id, "acknowledged")
    assert all(row["position_asked"] is None for row in (await routings(client, auth, idea_id)).values())


async def test_a_customer_team_confirms_and_the_idea_page_shows_both_sides(client, auth, db):
    idea_id = await routed(client, auth, db)
    await answer(client, auth, idea_id, "planned")
    response = await position(client, auth, idea_id, "marketing", MARK, position="confirmed")
    assert response.status == 200, await response.text()
    confirmed = await response.json()
    assert confirmed["position"] == "confirmed" and confirmed["positioned_at"] is not None
    teams = await routings(client, auth, idea_id)
    assert teams["it"]["state"] == "planned"  # the provider's side is unchanged
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'routing.confirmed'") == 1


async def test_a_dispute_needs_a_reason_and_reopens_the_providers_routing(client, auth, db):
    idea_id = await routed(client, auth, db)
    await answer(client, auth, idea_id, "declined")
    response = await position(client, auth, idea_id, "marketing", MARK, position="disputed")
    assert response.status == 422
    response = await position(
        client, auth, idea_id, "marketing", MARK, position="disputed", reason="New hires still wait five days"
    )
    assert response.status == 200, await response.text()
    teams = await routings(client, auth, idea_id)
    assert teams["marketing"]["position"] == "disputed"
    assert teams["it"]["state"] == "pending" and teams["it"]["responded_at"] is None
    reopened = await db.fetchrow("SELECT data FROM events WHERE type = 'routing.reopened'")
    assert reopened["data"]["team"] == "it" and reopened["data"]["disputed_by"] == "marketing"
    inbox = await (await client.get("/api/v1/teams/it/inbox", headers=auth(LENA))).json()
    assert [item["state"] for item in inbox if item["idea"]["id"] == idea_id] == ["pending"]
    # The provider's new answer asks the customers again, from a clean slate.
    await answer(client, auth, idea_id, "accepted")
    assert (await routings(client, auth, idea_id))["marketing"]["position"] is None


async def test_done_asks_the_customers_and_a_dispute_puts_the_idea_back_in_progress(client, auth, db):
    idea_id = await routed(client, auth, db)
    for status in ("planned", "in_progress", "done"):
        response = await client.post(
            f"/api/v1/ideas/{idea_id}/status", headers=auth(LENA), json={"status": status, "reason": "On it"}
        )
        assert response.status == 200, await response.text()
    assert (await routings(client, auth, idea_id))["sales"]["position_asked"] == "done"
    await client.get("/api/v1/me", headers=auth("sam@example.com", team="sales"))
    await client.put("/api/v1/teams/sales/leads/sam@example.com", headers=auth.admin)
    response = await position(
        client, auth, idea_id, "sales", "sam@example.com", position="disputed", reason="Not solved"
    )
    assert response.status == 200, await response.text()
    idea = await (await client.get(f"/api/v1/ideas/{idea_id}", headers=auth())).json()
    assert idea["status"] == "in_progress"
    assert idea["status_history"][-1]["reason"] == "Disputed by sales: Not solved"


async def test_only_the_customer_teams_leads_take_a_position_and_only_when_asked(client, auth, db):
    idea_id = await routed(client, auth, db)
    response = await position(client, auth, idea_id, "marketing", MARK, position="confirmed")
    assert response.status == 409  # nothing decided yet
    await answer(client, auth, idea_id, "accepted")
    response = await position(client, auth, idea_id, "marketing", LENA, position="confirmed")
    assert response.status == 403  # IT's lead does not speak for Marketing
    response = await position(client, auth, idea_id, "it", LENA, position="confirmed")
    assert response.status == 409  # the provider decides, it does not confirm
    response = await position(client, auth, idea_id, "hr", "hugo@example.com", position="confirmed")
    assert response.status == 404


async def test_a_customer_team_removed_midway_is_no_longer_asked(client, auth, db, service_map):
    idea = await make_idea(
        client,
        auth("emma@example.com", team="marketing"),
        teams=[{"team": "it", "role": "provider"}, {"team": "marketing", "role": "customer"}],
    )
    await relay_all(db)
    await answer(client, auth, idea["id"], "accepted")
    assert (await routings(client, auth, idea["id"]))["marketing"]["position_asked"] == "accepted"
    response = await client.patch(
        f"/api/v1/ideas/{idea['id']}",
        headers=auth("emma@example.com", team="marketing"),
        json={"teams": [{"team": "it", "role": "provider"}]},
    )
    assert response.status == 200, await response.text()
    await relay_all(db)
    assert (await routings(client, auth, idea["id"]))["marketing"]["state"] == "withdrawn"
    response = await position(client, auth, idea["id"], "marketing", MARK, position="disputed", reason="Too late")
    assert response.status == 409
    assert (await routings(client, auth, idea["id"]))["it"]["state"] == "accepted"  # not reopened
    await answer(client, auth, idea["id"], "planned")
    # Nobody is left to ask: the second decision asks no one.
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'routing.confirmation_requested'") == 1


async def test_a_customer_lead_disputes_from_the_idea_page(client, auth, db):
    import re

    idea_id = await routed(client, auth, db)
    await answer(client, auth, idea_id, "accepted")
    response = await client.post("/dev/sign-in", data={"email": MARK, "next": "/"}, allow_redirects=False)
    assert response.status == 303
    page = await (await client.get(f"/ideas/{idea_id}")).text()
    assert "Asked to confirm the provider's answer (accepted)" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    path = f"/ideas/{idea_id}/routings/marketing/position"
    response = await client.post(path, data={"csrf_token": csrf, "position": "disputed", "reason": ""})
    assert response.status == 422 and "Say what the provider&#39;s answer misses" in await response.text()
    response = await client.post(
        path, data={"csrf_token": csrf, "position": "disputed", "reason": "Still five days"}, allow_redirects=False
    )
    assert response.status == 303
    page = await (await client.get(f"/ideas/{idea_id}")).text()
    assert "Disputed the provider's answer (accepted)" in page and "Still five days" in page
