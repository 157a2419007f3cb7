"""People who leave, come back, move, and teams left without a lead: through the API and the web
pages, with the identity provider (SCIM) telling the portal."""

from __future__ import annotations

from portal.results import service as results
from tests.directory.scim import Scim
from tests.factories import make_idea, relay_all, sign_in

KEN, AIKO = "ken@example.com", "aiko@example.com"


async def company(scim: Scim) -> dict[str, str]:
    """IT (Ken leads it, Aiko works in it) and Marketing, as the identity provider keeps them."""
    ids = {email: await scim.create_user(email) for email in (KEN, AIKO)}
    ids["it"] = await scim.create_group("IT", [ids[KEN], ids[AIKO]])
    ids["it leads"] = await scim.create_group("IT Leads", [ids[KEN]])
    ids["marketing"] = await scim.create_group("Marketing")
    return ids


async def leave(scim: Scim, user_id: str) -> None:
    await scim.patch_user(user_id, {"op": "replace", "path": "active", "value": False})


async def test_a_departed_employees_token_is_refused_at_once(scim: Scim, client, auth):
    ids = await company(scim)
    assert (await client.get("/api/v1/me", headers=auth(KEN))).status == 200
    await leave(scim, ids[KEN])
    response = await client.get("/api/v1/me", headers=auth(KEN))
    problem = await response.json()
    assert response.status == 403 and problem["type"] == "/problems/employee-deactivated"


async def test_a_departed_employees_browser_session_ends_and_sign_in_says_whom_to_ask(scim: Scim, client):
    ids = await company(scim)
    await sign_in(client, KEN)
    await leave(scim, ids[KEN])
    response = await client.get("/settings", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/sign-in")
    response = await client.post("/dev/sign-in", data={"email": KEN, "next": "/"}, allow_redirects=False)
    page = await response.text()
    assert (
        response.status == 403 and "This account was deactivated" in page and "your portal&#39;s administrators" in page
    )


async def test_a_departed_lead_leads_no_more_and_the_event_names_only_the_id(scim: Scim, client, auth, db):
    ids = await company(scim)
    await leave(scim, ids[KEN])
    assert (await (await client.get("/api/v1/teams/it", headers=auth.admin)).json())["leads"] == []
    data = await db.fetchval(
        "SELECT data FROM events WHERE type = 'team.lead_changed' AND data->>'lead' = 'false' ORDER BY id DESC LIMIT 1"
    )
    assert data == {"team": "it", "employee_id": int(ids[KEN]), "lead": False, "source": "scim"}
    for event_data in await db.fetch("SELECT data FROM events WHERE type LIKE 'employee.%'"):
        assert set(event_data["data"]) <= {"employee_id", "source", "fields", "from_team", "to_team"}


async def test_what_a_departed_employee_wrote_and_voted_stays_shown_as_a_former_employee(scim: Scim, client, auth):
    ids = await company(scim)
    idea = await make_idea(client, auth(KEN), "Faster laptop set-up for everyone")
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth(KEN))
    await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth(KEN), json={"body": "Happy to help"})
    await leave(scim, ids[KEN])
    shown = await (await client.get(f"/api/v1/ideas/{idea['id']}", headers=auth(AIKO))).json()
    assert shown["author"]["former"] is True and shown["vote_count"] == 1
    comments = await (await client.get(f"/api/v1/ideas/{idea['id']}/comments", headers=auth(AIKO))).json()
    assert comments["items"][0]["author"]["former"] is True
    await sign_in(client, AIKO)
    page = await (await client.get(f"/ideas/{idea['id']}")).text()
    assert "former employee" in page


async def test_a_departed_employee_is_not_notified_and_their_queued_email_is_not_sent(scim: Scim, client, auth, db):
    ids = await company(scim)
    idea = await make_idea(client, auth(KEN), "Faster laptop set-up for everyone")
    await db.execute(
        "INSERT INTO notification_emails (recipient_id, kinds, message_id) VALUES ($1, '{comment}', '<x@example.com>')",
        int(ids[KEN]),
    )
    await leave(scim, ids[KEN])
    assert await db.fetchval("SELECT state FROM notification_emails WHERE recipient_id = $1", int(ids[KEN])) == "failed"
    await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth(AIKO), json={"body": "Is this still on?"})
    await relay_all(db)
    assert await db.fetchval("SELECT count(*) FROM notifications WHERE recipient_id = $1", int(ids[KEN])) == 0


async def test_reactivation_lets_them_back_in(scim: Scim, client, auth):
    ids = await company(scim)
    await leave(scim, ids[KEN])
    await scim.patch_user(ids[KEN], {"op": "replace", "path": "active", "value": True})
    assert (await client.get("/api/v1/me", headers=auth(KEN))).status == 200
    assert [
        lead["email"] for lead in (await (await client.get("/api/v1/teams/it", headers=auth.admin)).json())["leads"]
    ] == [KEN]


async def laptop_idea(client, auth, db) -> dict:
    response = await client.post(
        "/api/v1/services",
        headers=auth.admin,
        json={"slug": "laptops", "name": "Laptops", "provider_team": "it", "customer_teams": ["marketing"]},
    )
    assert response.status == 201, await response.text()
    idea = await make_idea(client, auth(AIKO), "Faster laptop set-up for everyone", services=["laptops"])
    await relay_all(db)
    return idea


async def escalations(db) -> list[dict]:
    return [
        row["data"] for row in await db.fetch("SELECT data FROM events WHERE type = 'routing.escalated' ORDER BY id")
    ]


async def test_when_the_last_lead_leaves_the_teams_waiting_ideas_go_to_the_admins(scim: Scim, client, auth, db):
    ids = await company(scim)
    await client.get("/api/v1/me", headers=auth.admin)  # the admin exists
    idea = await laptop_idea(client, auth, db)
    assert [e["team"] for e in await escalations(db)] == ["marketing"]  # Marketing never had a lead
    await leave(scim, ids[KEN])
    assert [(e["team"], e["no_lead"]) for e in await escalations(db)] == [("marketing", True), ("it", True)]
    await relay_all(db)
    told = await (await client.get("/api/v1/me/notifications", headers=auth.admin)).json()
    assert {(n["team"], n["idea"]["id"]) for n in told["items"] if n["data"].get("no_lead")} == {
        ("marketing", idea["id"]),
        ("it", idea["id"]),
    }


async def test_an_idea_routed_to_a_team_without_a_lead_goes_to_the_admins_at_once(scim: Scim, client, auth, db):
    ids = await company(scim)
    await leave(scim, ids[KEN])
    await laptop_idea(client, auth, db)
    assert {e["team"] for e in await escalations(db)} == {"it", "marketing"}


async def test_the_pages_name_the_teams_without_a_lead_and_whom_to_ask(scim: Scim, client, auth):
    ids = await company(scim)
    await leave(scim, ids[KEN])
    await client.get("/api/v1/me", headers=auth.admin)
    await sign_in(client, "admin@example.com")
    overview = await (await client.get("/admin/directory")).text()
    assert "Teams without a lead" in overview and "IT Leads" in overview  # where its leads are set
    inbox = await (await client.get("/teams/it/inbox")).text()
    assert "has no lead right now" in inbox and "your portal&#39;s administrators" in inbox
    client.session.cookie_jar.clear()
    await sign_in(client, AIKO)
    scorecard = await (await client.get("/teams/it/scorecard")).text()
    assert "has no lead right now" in scorecard


async def test_a_move_keeps_past_votes_with_the_old_team_and_ends_its_lead_roles(scim: Scim, client, auth, db):
    ids = await company(scim)
    await scim.patch_group(ids["it leads"], {"op": "add", "path": "members", "value": [{"value": ids[AIKO]}]})
    before = await make_idea(client, auth(KEN), "Shared printers on every floor")
    await client.put(f"/api/v1/ideas/{before['id']}/vote", headers=auth(AIKO))
    await scim.patch_group(ids["it"], {"op": "remove", "path": f'members[value eq "{ids[AIKO]}"]'})
    await scim.patch_group(ids["marketing"], {"op": "add", "path": "members", "value": [{"value": ids[AIKO]}]})
    me = await (await client.get("/api/v1/me", headers=auth(AIKO))).json()
    assert me["team"] == "marketing" and me["lead_of"] == []
    after = await make_idea(client, auth(KEN), "Quiet rooms for calls")
    await client.put(f"/api/v1/ideas/{after['id']}/vote", headers=auth(AIKO))
    await relay_all(db)
    await results.compile_pending(db)
    tallies = {
        idea["id"]: (await (await client.get(f"/api/v1/ideas/{idea['id']}/results", headers=auth(KEN))).json())[
            "by_team"
        ]
        for idea in (before, after)
    }
    assert tallies[before["id"]] == [{"team": "it", "votes": 1}]
    assert tallies[after["id"]] == [{"team": "marketing", "votes": 1}]
    moves = await db.fetch(
        "SELECT data FROM events WHERE type = 'employee.moved' AND data->>'employee_id' = $1", ids[AIKO]
    )
    # Out of IT's group, then into Marketing's: two changes, as the identity provider sent them.
    assert [(m["data"]["from_team"], m["data"]["to_team"]) for m in moves][-2:] == [("it", None), (None, "marketing")]


async def test_a_sign_in_claim_does_not_move_someone_the_directory_keeps(scim: Scim, client, auth):
    await company(scim)
    me = await (await client.get("/api/v1/me", headers=auth(AIKO, team="marketing", admin=True))).json()
    assert me["team"] == "it" and me["is_admin"] is False
