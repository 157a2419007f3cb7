"""Service standards: versions published by the provider's leads, driving the due time of the
provider's routings, each routing measured against the version in force when routed."""

from __future__ import annotations

from datetime import datetime

from tests.factories import make_idea, relay_all

LENA = "lena@example.com"  # IT's lead; IT provides laptop-setup
STANDARD = {
    "how_to_request": "Post an idea naming laptop-setup, or ask in #it-help",
    "first_response_hours": 4,
    "resolution_target_hours": 40,
    "hours_of_service": "Weekdays 9:00-18:00 JST",
    "contact": "it-help@example.com",
}


async def publish(client, auth, who: str = LENA, **changes):
    return await client.put("/api/v1/services/laptop-setup/standard", headers=auth(who), json={**STANDARD, **changes})


async def provider_routing(client, auth, idea_id: int) -> dict:
    rows = await (await client.get(f"/api/v1/ideas/{idea_id}/routings", headers=auth())).json()
    return next(r for r in rows if r["role"] == "provider")


def hours_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600


async def test_the_providers_lead_publishes_versions_and_others_may_not(client, auth, db, service_map):
    assert (await publish(client, auth, "emma@example.com")).status == 403
    first = await publish(client, auth)
    assert first.status == 200, await first.text()
    assert (await first.json())["version"] == 1
    second = await (await publish(client, auth, first_response_hours=8)).json()
    assert second["version"] == 2 and second["published_by"] == LENA
    history = await (await client.get("/api/v1/services/laptop-setup/standards", headers=auth())).json()
    assert [(s["version"], s["first_response_hours"]) for s in history] == [(2, 8), (1, 4)]
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'service.standard_published'") == 2


async def test_a_resolution_target_before_the_first_response_is_refused(client, auth, service_map):
    response = await publish(client, auth, first_response_hours=48, resolution_target_hours=24)
    assert response.status == 422
    response = await client.get("/api/v1/services/laptop-setup/standard", headers=auth())
    assert response.status == 404  # nothing was published


async def test_the_standard_in_force_when_routed_sets_the_providers_due_time(client, auth, db, service_map):
    await publish(client, auth)
    idea = await make_idea(client, auth(), services=["laptop-setup"])
    await relay_all(db)
    routed = await provider_routing(client, auth, idea["id"])
    assert round(hours_between(routed["routed_at"], routed["due_at"])) == 4
    assert routed["standard"] == {"service": "laptop-setup", "version": 1, "first_response_hours": 4}
    # A later version does not move what was routed under the earlier one.
    await publish(client, auth, first_response_hours=24)
    assert (await provider_routing(client, auth, idea["id"]))["standard"]["version"] == 1
    later = await make_idea(client, auth(), "Another laptop idea", services=["laptop-setup"])
    await relay_all(db)
    assert (await provider_routing(client, auth, later["id"]))["standard"]["version"] == 2
    customers = await (await client.get(f"/api/v1/ideas/{idea['id']}/routings", headers=auth())).json()
    assert all(r["standard"] is None for r in customers if r["role"] == "customer")  # the team's own time


async def test_without_a_standard_the_teams_response_time_applies(client, auth, db, service_map):
    idea = await make_idea(client, auth(), services=["laptop-setup"])
    await relay_all(db)
    routed = await provider_routing(client, auth, idea["id"])
    assert round(hours_between(routed["routed_at"], routed["due_at"])) == 72 and routed["standard"] is None
