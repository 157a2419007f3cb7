"""Paths the rest of the suite did not reach: an unexpected error, webhook changes, answers to
ideas that were never routed or were withdrawn, rule deletion."""

from __future__ import annotations

from portal.ideas import service as ideas
from tests.factories import make_idea, relay_all, service_map_fixture


async def test_an_unexpected_error_is_a_generic_500_problem_that_echoes_nothing(client, auth, monkeypatch, caplog):
    async def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ideas, "get_idea", explode)
    response = await client.get("/api/v1/ideas/1", headers=auth())
    body = await response.json()
    assert response.status == 500 and response.content_type == "application/problem+json"
    assert body["type"].endswith("/internal") and "secret internals" not in await response.text()
    assert "secret internals" in caplog.text  # logged with its traceback for the operators


async def _webhook(client, auth) -> dict:
    response = await client.post(
        "/api/v1/webhooks", headers=auth.admin, json={"url": "https://hooks.example.com/in", "event_types": ["*"]}
    )
    return await response.json()


async def test_disabling_and_re_enabling_a_webhook_clears_its_failure_state(client, auth, db):
    hook = await _webhook(client, auth)
    await db.execute("UPDATE webhooks SET failing_since = now(), enabled = false, disabled_reason = 'x'")
    response = await client.patch(f"/api/v1/webhooks/{hook['id']}", headers=auth.admin, json={"enabled": True})
    body = await response.json()
    assert response.status == 200 and body["enabled"] is True
    assert body["disabled_reason"] is None and body["failing_since"] is None


async def test_a_webhook_patch_with_nothing_to_change_is_422(client, auth):
    hook = await _webhook(client, auth)
    assert (await client.patch(f"/api/v1/webhooks/{hook['id']}", headers=auth.admin, json={})).status == 422


async def test_a_deleted_webhook_is_gone(client, auth):
    hook = await _webhook(client, auth)
    assert (await client.delete(f"/api/v1/webhooks/{hook['id']}", headers=auth.admin)).status == 204
    assert (await client.get(f"/api/v1/webhooks/{hook['id']}", headers=auth.admin)).status == 404
    assert (await client.delete(f"/api/v1/webhooks/{hook['id']}", headers=auth.admin)).status == 404


async def test_an_employee_may_not_change_a_webhook(client, auth):
    hook = await _webhook(client, auth)
    response = await client.patch(f"/api/v1/webhooks/{hook['id']}", headers=auth(), json={"enabled": False})
    assert response.status == 403


async def test_answering_an_idea_not_routed_to_the_team_is_404(client, auth, db):
    await service_map_fixture(client, auth)
    idea = await make_idea(client, auth())  # names no service: routed nowhere
    await relay_all(db)
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/routings/it/response",
        headers=auth("lena@example.com"),
        json={"decision": "accepted"},
    )
    assert response.status == 404


async def test_answering_a_withdrawn_routing_is_409_naming_its_state(client, auth, db):
    await service_map_fixture(client, auth)
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


async def test_a_deleted_routing_rule_no_longer_routes(client, auth, db):
    await service_map_fixture(client, auth)
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


async def test_created_resources_are_found_at_their_location(client, auth):
    created = [
        await client.post("/api/v1/teams", headers=auth.admin, json={"slug": "legal", "name": "Legal"}),
        await client.post("/api/v1/employees", headers=auth.admin, json={"email": "new@example.com", "name": "N"}),
        await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "bot", "scopes": ["ideas:read"]}),
        await client.post(
            "/api/v1/routing-rules",
            headers=auth.admin,
            json={"match_kind": "tag", "pattern": "x", "team": "legal", "role": "customer"},
        ),
        await client.post("/api/v1/teams/legal/digests", headers=auth.admin),
    ]
    for response in created:
        assert response.status == 201
        assert (await client.get(response.headers["Location"], headers=auth.admin)).status == 200
