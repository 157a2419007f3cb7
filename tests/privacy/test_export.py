"""An employee downloads everything the portal holds about them, as JSON, from the API and from
their settings page; nothing of anyone else's beyond what the portal shows them."""

from __future__ import annotations

import json

import pytest

from tests.factories import make_idea, sign_in

pytestmark = pytest.mark.usefixtures("service_map")
EMMA, LENA = "emma@example.com", "lena@example.com"  # Marketing (a customer of laptop-setup); IT's lead


async def ok(response) -> dict:
    assert response.status < 300, await response.text()
    return await response.json() if response.status != 204 else {}


async def emmas_month(client, auth) -> tuple[dict, dict]:
    """Emma posts, comments, votes, follows, thanks and is thanked, chooses her notifications and
    answers a pulse; Lena comments and votes on Emma's idea."""
    emma, lena = auth(EMMA, team="marketing"), auth(LENA, team="it")
    mine = await make_idea(client, emma, "Laptops ready on day one", services=["laptop-setup"])
    lenas = await make_idea(client, lena, "A spare laptop pool")
    await ok(await client.post(f"/api/v1/ideas/{mine['id']}/comments", headers=emma, json={"body": "Emma's note"}))
    await ok(await client.post(f"/api/v1/ideas/{mine['id']}/comments", headers=lena, json={"body": "Lena's note"}))
    await ok(await client.put(f"/api/v1/ideas/{lenas['id']}/vote", headers=emma))
    await ok(await client.put(f"/api/v1/ideas/{mine['id']}/vote", headers=lena))
    await ok(await client.put("/api/v1/tags/printing/follow", headers=emma))
    await ok(await client.post("/api/v1/thanks", headers=emma, json={"to_team": "it", "message": "Quick fix!"}))
    await ok(await client.post("/api/v1/thanks", headers=lena, json={"to_employee": EMMA, "message": "Great idea"}))
    body = {"preferences": [{"kind": "comment", "portal": "instant", "email": "off", "slack": "off"}]}
    await ok(await client.put("/api/v1/me/notification-preferences", headers=emma, json=body))
    pulse = await ok(
        await client.post("/api/v1/services/laptop-setup/survey-rounds", headers=lena, json={"open_days": 7})
    )
    await ok(await client.put(f"/api/v1/survey-rounds/{pulse['id']}/answer", headers=emma, json={"csat": 4, "ces": 5}))
    return mine, lenas


async def test_an_employee_downloads_what_they_wrote_chose_and_were_sent(client, auth):
    mine, lenas = await emmas_month(client, auth)
    data = await ok(await client.get("/api/v1/me/data", headers=auth(EMMA, team="marketing")))
    assert data["profile"]["email"] == EMMA and data["profile"]["team"] == "marketing"
    assert [i["title"] for i in data["ideas"]] == [mine["title"]]
    assert [c["body"] for c in data["comments"]] == ["Emma's note"]
    assert [v["idea_id"] for v in data["votes"]] == [lenas["id"]]
    assert {f["tag"] for f in data["follows"]} >= {"printing"}
    assert [t["message"] for t in data["thanks_sent"]] == ["Quick fix!"]
    assert [t["message"] for t in data["thanks_received"]] == ["Great idea"]
    assert {p["kind"]: p["email"] for p in data["notification_preferences"]}["comment"] == "off"
    assert [(a["csat"], a["ces"]) for a in data["survey_answers_in_open_rounds"]] == [(4, 5)]


async def test_nothing_of_anyone_elses_is_in_it(client, auth):
    await emmas_month(client, auth)
    text = await (await client.get("/api/v1/me/data", headers=auth(EMMA, team="marketing"))).text()
    assert "Lena's note" not in text and LENA not in text


async def test_a_closed_rounds_answer_is_no_longer_anyones(client, auth, db):
    await emmas_month(client, auth)
    await db.execute("UPDATE survey_rounds SET closed_at = now()")
    data = await ok(await client.get("/api/v1/me/data", headers=auth(EMMA, team="marketing")))
    assert data["survey_answers_in_open_rounds"] == []


async def test_an_api_token_has_no_data_of_its_own_to_download(client, auth):
    token = await ok(
        await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "BI", "scopes": ["ideas:read"]})
    )
    response = await client.get("/api/v1/me/data", headers={"Authorization": f"Bearer {token['token']}"})
    assert response.status == 403


async def test_the_settings_page_offers_the_same_as_a_file(client, auth):
    await emmas_month(client, auth)
    await sign_in(client, EMMA)
    assert "/settings/my-data.json" in await (await client.get("/settings")).text()
    response = await client.get("/settings/my-data.json")
    assert response.status == 200 and response.content_type == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(await response.text())
    assert data["profile"]["email"] == EMMA and [c["body"] for c in data["comments"]] == ["Emma's note"]


async def test_someone_signed_out_is_sent_to_sign_in(client):
    response = await client.get("/settings/my-data.json", allow_redirects=False)
    assert response.status in (302, 303) and "sign-in" in response.headers["Location"]


async def test_the_versions_an_edit_replaced_of_ones_own_texts_are_in_it(client, auth):
    emma = auth(EMMA, team="marketing")
    idea = await make_idea(client, emma, "Laptops ready on day one", body="Image them per role.")
    await ok(await client.patch(f"/api/v1/ideas/{idea['id']}", headers=emma, json={"body": "Image them per team."}))
    comment = await ok(
        await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=emma, json={"body": "Frist note"})
    )
    path = f"/api/v1/ideas/{idea['id']}/comments/{comment['id']}"
    await ok(await client.patch(path, headers=emma, json={"body": "First note"}))
    data = await ok(await client.get("/api/v1/me/data", headers=emma))
    assert [(v["idea_id"], v["version"], v["body"]) for v in data["idea_versions"]] == [
        (idea["id"], 1, "Image them per role.")
    ]
    assert [(v["comment_id"], v["body"]) for v in data["comment_versions"]] == [(comment["id"], "Frist note")]
