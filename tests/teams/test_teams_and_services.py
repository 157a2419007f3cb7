from __future__ import annotations

from tests.factories import make_idea, make_team


async def test_team_lists_its_leads(client, auth):
    team = await make_team(client, auth, "it", leads=("lena@example.com",))
    assert [lead["email"] for lead in team["leads"]] == ["lena@example.com"]


async def test_removing_a_lead(client, auth):
    await make_team(client, auth, "it", leads=("lena@example.com",))
    response = await client.delete("/api/v1/teams/it/leads/lena@example.com", headers=auth.admin)
    assert response.status == 200 and (await response.json())["leads"] == []


async def test_removing_someone_who_is_not_a_lead_is_404(client, auth):
    await make_team(client, auth, "it")
    response = await client.delete("/api/v1/teams/it/leads/nobody@example.com", headers=auth.admin)
    assert response.status == 404


async def test_team_lead_may_change_their_teams_sla(client, auth):
    await make_team(client, auth, "it", leads=("lena@example.com",))
    response = await client.patch("/api/v1/teams/it", headers=auth("lena@example.com"), json={"response_sla_hours": 24})
    assert (await response.json())["response_sla_hours"] == 24


async def test_an_empty_team_patch_is_422(client, auth):
    await make_team(client, auth, "it")
    response = await client.patch("/api/v1/teams/it", headers=auth.admin, json={})
    assert response.status == 422


async def test_employees_filter_by_team(client, auth, service_map):
    await client.get("/api/v1/me", headers=auth("s1@example.com", team="sales"))
    await client.get("/api/v1/me", headers=auth("h1@example.com", team="hr"))
    listing = await (await client.get("/api/v1/employees?team=sales", headers=auth())).json()
    assert [e["email"] for e in listing] == ["s1@example.com"]


async def test_admin_pre_provisions_an_employee(client, auth):
    await make_team(client, auth, "sales")
    response = await client.post(
        "/api/v1/employees",
        headers=auth.admin,
        json={"email": "Pre@Example.com", "name": "Pre Person", "team": "sales"},
    )
    body = await response.json()
    assert response.status == 201
    assert (body["email"], body["team"], body["signed_in"]) == ("pre@example.com", "sales", False)


async def test_service_lists_its_provider_and_customers(client, auth, service_map):
    service = await (await client.get("/api/v1/services/laptop-setup", headers=auth())).json()
    assert (service["provider_team"], service["customer_teams"]) == ("it", ["marketing", "sales"])


async def test_service_with_unknown_customer_is_422_naming_it(client, auth, service_map):
    response = await client.post(
        "/api/v1/services",
        headers=auth.admin,
        json={"slug": "vpn", "name": "VPN", "provider_team": "it", "customer_teams": ["sales", "ghost"]},
    )
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "body.customer_teams.1"


async def test_provider_cannot_be_its_own_customer(client, auth, service_map):
    response = await client.post(
        "/api/v1/services",
        headers=auth.admin,
        json={"slug": "vpn", "name": "VPN", "provider_team": "it", "customer_teams": ["it"]},
    )
    assert response.status == 422


async def test_updating_customers_replaces_them(client, auth, service_map):
    response = await client.patch(
        "/api/v1/services/laptop-setup", headers=auth("lena@example.com"), json={"customer_teams": ["hr"]}
    )
    assert (await response.json())["customer_teams"] == ["hr"]


async def test_service_map_edges_carry_services_and_open_idea_counts(client, auth, service_map):
    await make_idea(client, auth(), services=["laptop-setup"])
    closed = await make_idea(client, auth(), title="Closed idea", services=["laptop-setup"])
    await client.post(
        f"/api/v1/ideas/{closed['id']}/status", headers=auth.admin, json={"status": "declined", "reason": "no"}
    )
    graph = await (await client.get("/api/v1/service-map", headers=auth())).json()
    assert graph["edges"] == [
        {"provider": "it", "customer": "marketing", "services": ["laptop-setup"], "open_ideas": 1},
        {"provider": "it", "customer": "sales", "services": ["laptop-setup"], "open_ideas": 1},
    ]
    assert {t["slug"] for t in graph["teams"]} == {"it", "marketing", "sales", "hr"}


async def test_team_and_service_changes_record_events(client, auth, db, service_map):
    types = {r["type"] for r in await db.fetch("SELECT DISTINCT type FROM events")}
    assert {"team.created", "team.lead_changed", "service.created"} <= types
