"""Leads an admin assigns by hand must be active employees the portal knows: an address that is
not one is refused, naming it, and never becomes a new person who receives the team's email."""

from __future__ import annotations

from tests.directory.scim import Scim
from tests.factories import make_employee, make_team, sign_in


async def test_an_unknown_address_is_refused_naming_it(client, auth, db):
    await make_team(client, auth, "it")
    response = await client.put("/api/v1/teams/it/leads/nobody@example.com", headers=auth.admin)
    problem = await response.json()
    assert response.status == 422 and problem["errors"][0]["field"] == "path.email"
    assert "nobody@example.com" in problem["errors"][0]["message"]
    assert await db.fetchval("SELECT count(*) FROM employees WHERE email = 'nobody@example.com'") == 0


async def test_a_departed_employee_cannot_be_made_a_lead(client, auth, scim: Scim):
    await make_team(client, auth, "facilities")
    ken = await scim.create_user("ken@example.com")
    await scim.patch_user(ken, {"op": "replace", "path": "active", "value": False})
    response = await client.put("/api/v1/teams/facilities/leads/ken@example.com", headers=auth.admin)
    assert response.status == 422 and "left" in (await response.json())["errors"][0]["message"]


async def test_an_active_employee_becomes_a_lead(client, auth):
    await make_team(client, auth, "it")
    await make_employee(client, auth, "lena@example.com")
    response = await client.put("/api/v1/teams/it/leads/lena@example.com", headers=auth.admin)
    assert response.status == 200 and [lead["email"] for lead in (await response.json())["leads"]] == [
        "lena@example.com"
    ]


async def test_a_team_the_identity_provider_keeps_refuses_hand_made_leads(client, auth, scim: Scim):
    await scim.create_user("ken@example.com")
    await scim.create_group("IT")
    response = await client.put("/api/v1/teams/it/leads/ken@example.com", headers=auth.admin)
    problem = await response.json()
    assert response.status == 409 and problem["type"] == "/problems/directory-managed"
    renamed = await client.patch("/api/v1/teams/it", headers=auth.admin, json={"name": "Information"})
    assert renamed.status == 409
    answer_time = await client.patch("/api/v1/teams/it", headers=auth.admin, json={"response_sla_hours": 24})
    assert answer_time.status == 200  # the portal's own setting stays editable


async def test_the_teams_page_shows_the_refusal_at_the_teams_lead_field(client, auth):
    await make_team(client, auth, "it")
    await client.get("/api/v1/me", headers=auth.admin)
    csrf = await sign_in(client, "admin@example.com")
    response = await client.post(
        "/admin/teams/it/leads", data={"csrf_token": csrf, "email": "nobody@example.com"}, allow_redirects=False
    )
    page = await response.text()
    assert response.status == 422
    assert "nobody@example.com: no employee has this address" in page and 'href="#lead-it"' in page


async def test_the_teams_page_says_who_keeps_a_directory_team(client, auth, scim: Scim):
    await scim.create_group("IT")
    await client.get("/api/v1/me", headers=auth.admin)
    await sign_in(client, "admin@example.com")
    page = await (await client.get("/admin/teams")).text()
    assert "Kept by the identity provider (SCIM)" in page and 'action="/admin/teams/it/leads"' not in page
