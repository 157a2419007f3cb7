"""A team's channels, connected by its leads: PUT, GET and DELETE /api/v1/teams/{slug}/chat."""

from __future__ import annotations

import pytest

from tests.factories import make_employee

pytestmark = pytest.mark.usefixtures("service_map")
SLACK = {"slack_channel": "C0123ABCD"}
TEAMS_URL = "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=SECRET"


async def test_a_lead_connects_a_slack_channel_and_a_teams_channel(client, auth):
    lena = auth("lena@example.com", team="it")
    assert (await client.put("/api/v1/teams/it/chat", headers=lena, json=SLACK)).status == 200
    response = await client.put(
        "/api/v1/teams/it/chat", headers=lena, json={"teams_webhook_url": "https://127.0.0.1:9/teams?sig=SECRET"}
    )
    assert response.status == 200, await response.text()
    chat = await (await client.get("/api/v1/teams/it/chat", headers=lena)).json()
    assert chat["slack"]["channel"] == "C0123ABCD" and chat["slack"]["enabled"]
    assert chat["teams"]["host"] == "127.0.0.1" and chat["teams"]["enabled"]


async def test_the_teams_url_is_never_shown_again_nor_stored_in_the_clear(client, auth, db):
    lena = auth("lena@example.com", team="it")
    response = await client.put(
        "/api/v1/teams/it/chat", headers=lena, json={"teams_webhook_url": "https://127.0.0.1:9/teams?sig=SECRET"}
    )
    assert "SECRET" not in await response.text()
    assert "SECRET" not in await (await client.get("/api/v1/teams/it/chat", headers=lena)).text()
    stored = await db.fetchval("SELECT teams_url_encrypted FROM chat_connections")
    assert b"SECRET" not in bytes(stored)


async def test_only_the_teams_leads_and_admins_connect_its_channels(client, auth):
    await make_employee(client, auth, "emma@example.com", team="marketing")
    emma = auth("emma@example.com", team="marketing")
    response = await client.put("/api/v1/teams/it/chat", headers=emma, json=SLACK)
    assert response.status == 403
    assert (await client.get("/api/v1/teams/it/chat", headers=emma)).status == 403
    assert (await client.put("/api/v1/teams/it/chat", headers=auth.admin, json=SLACK)).status == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slack_channel": "general"}, "body.slack_channel"),
        ({"teams_webhook_url": "http://example.com/hook"}, "body.teams_webhook_url"),
        ({"teams_webhook_url": "https://10.1.2.3/hook"}, "body.teams_webhook_url"),
        ({"teams_webhook_url": "https://localhost/hook"}, "body.teams_webhook_url"),
        ({}, "body"),
    ],
)
async def test_a_channel_that_cannot_be_posted_to_is_refused_naming_its_field(client, auth, db, body, field):
    response = await client.put("/api/v1/teams/it/chat", headers=auth("lena@example.com", team="it"), json=body)
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert field in {error["field"] for error in problem["errors"]} or problem["detail"].startswith(field)
    assert await db.fetchval("SELECT count(*) FROM chat_connections") == 0


async def test_null_disconnects_one_kind_and_delete_disconnects_both(client, auth):
    lena = auth("lena@example.com", team="it")
    await client.put(
        "/api/v1/teams/it/chat",
        headers=lena,
        json={**SLACK, "teams_webhook_url": "https://127.0.0.1:9/teams"},
    )
    chat = await (await client.put("/api/v1/teams/it/chat", headers=lena, json={"slack_channel": None})).json()
    assert chat["slack"] is None and chat["teams"] is not None
    assert (await client.delete("/api/v1/teams/it/chat", headers=lena)).status == 204
    chat = await (await client.get("/api/v1/teams/it/chat", headers=lena)).json()
    assert chat == {"team": "it", "slack": None, "teams": None}


async def test_an_unknown_team_is_404(client, auth):
    assert (await client.put("/api/v1/teams/nope/chat", headers=auth.admin, json=SLACK)).status == 404


async def test_connecting_and_disconnecting_are_in_the_audit_trail_without_the_teams_url(client, auth, db):
    lena = auth("lena@example.com", team="it")
    teams = {"teams_webhook_url": "https://127.0.0.1:9/teams?sig=SECRET"}
    assert (await client.put("/api/v1/teams/it/chat", headers=lena, json={**SLACK, **teams})).status == 200
    assert (await client.delete("/api/v1/teams/it/chat", headers=lena)).status == 204
    entries = await db.fetch(
        "SELECT actor_name, before, after FROM audit_trail WHERE action = 'team.channels_changed' ORDER BY id"
    )
    assert [e["actor_name"] for e in entries] == ["lena@example.com"] * 2
    assert entries[0]["after"]["slack"]["channel"] == "C0123ABCD" and entries[1]["after"] is None
    assert "SECRET" not in str([dict(e) for e in entries])
