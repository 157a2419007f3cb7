"""Thanks between colleagues and teams: who may thank whom, who may read it, and who hears."""

from __future__ import annotations

import asyncio
import re

from portal.seed import seed
from tests.factories import make_idea, relay_all

EMMA = "emma@example.com"


async def thank(client, headers, **body):
    return await client.post("/api/v1/thanks", headers=headers, json={"message": "Thank you!", **body})


async def test_thanking_a_team_for_an_idea_is_public_and_an_event(client, auth, db, service_map):
    idea = await make_idea(client, auth(EMMA, team="marketing"), services=["laptop-setup"])
    response = await thank(
        client,
        auth(EMMA, team="marketing"),
        to_team="it",
        idea_id=idea["id"],
        service="laptop-setup",
        message="Day one!",
    )
    assert response.status == 201, await response.text()
    thanks = await response.json()
    assert thanks["to_team"] == "it" and thanks["from_team"] == "marketing" and thanks["idea_title"] == idea["title"]
    assert response.headers["Location"] == f"/api/v1/thanks/{thanks['id']}"
    listed = await (await client.get("/api/v1/thanks?team=it", headers=auth("someone@example.com"))).json()
    assert [t["message"] for t in listed["items"]] == ["Day one!"]
    event = await db.fetchrow("SELECT data FROM events WHERE type = 'thanks.sent'")
    assert event["data"]["to_team"] == "it" and event["data"]["message"] == "Day one!"


async def test_a_private_thanks_is_read_only_by_the_two_and_its_event_carries_no_message(client, auth, db, service_map):
    await client.get("/api/v1/me", headers=auth("lena@example.com", team="it"))
    response = await thank(client, auth(EMMA), to_employee="lena@example.com", message="Quietly: thanks", public=False)
    thanks = await response.json()
    for reader, sees in ((EMMA, True), ("lena@example.com", True), ("eve@example.com", False)):
        status = (await client.get(f"/api/v1/thanks/{thanks['id']}", headers=auth(reader))).status
        assert status == (200 if sees else 404), reader
    event = await db.fetchrow("SELECT data FROM events WHERE type = 'thanks.sent'")
    assert event["data"]["message"] is None and event["data"]["public"] is False


async def test_nobody_thanks_themselves_or_their_own_team(client, auth, service_map):
    response = await thank(client, auth(EMMA, team="marketing"), to_team="marketing")
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "body.to_team"
    response = await thank(client, auth(EMMA, team="marketing"), to_employee=EMMA)
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "body.to_employee"


async def test_thanks_name_one_recipient_and_a_message_of_at_most_500_characters(client, auth, service_map):
    response = await thank(client, auth(EMMA), to_team="it", to_employee="lena@example.com")
    assert response.status == 422
    response = await thank(client, auth(EMMA), to_team="it", message="x" * 501)
    assert response.status == 422 and (await response.json())["errors"][0]["field"] == "body.message"
    response = await thank(client, auth(EMMA), to_team="no-such-team")
    assert response.status == 422 and (await response.json())["errors"][0]["field"] == "body.to_team"


async def test_a_daily_limit_holds_even_for_requests_at_once(client, auth, db, settings, service_map):
    limit = settings.thanks_per_day
    responses = await asyncio.gather(*(thank(client, auth(EMMA), to_team="it") for _ in range(limit + 5)))
    statuses = sorted(r.status for r in responses)
    assert statuses.count(201) == limit and statuses.count(429) == 5
    refused = next(r for r in responses if r.status == 429)
    assert int(refused.headers["Retry-After"]) > 0
    assert await db.fetchval("SELECT count(*) FROM thanks") == limit


async def test_a_thanked_colleague_and_a_thanked_teams_leads_are_notified(client, auth, db, service_map):
    await client.get("/api/v1/me", headers=auth("vic@example.com"))
    await thank(client, auth(EMMA), to_employee="vic@example.com", message="For the help", public=False)
    await thank(client, auth(EMMA), to_team="it", message="Great service")
    await relay_all(db)
    [vic] = (await (await client.get("/api/v1/me/notifications", headers=auth("vic@example.com"))).json())["items"]
    assert vic["kind"] == "thanks" and vic["reason"] == "thanked" and vic["data"]["message"] == "For the help"
    [lena] = [
        n
        for n in (await (await client.get("/api/v1/me/notifications", headers=auth("lena@example.com"))).json())[
            "items"
        ]
        if n["kind"] == "thanks"
    ]
    assert lena["reason"] == "lead" and lena["team"] == "it"


async def test_the_team_digest_counts_the_thanks_received(client, auth, db, service_map):
    await thank(client, auth(EMMA), to_team="it", message="Great service")
    await thank(client, auth(EMMA), to_team="it", message="Private too", public=False)
    response = await client.post("/api/v1/teams/it/digests", headers=auth("lena@example.com"))
    digest = await response.json()
    assert digest["content"]["thanks_received"] == 2
    assert [t["message"] for t in digest["content"]["thanks"]] == ["Great service"]


async def test_the_thanks_page_sends_and_lists(client, db):
    await seed(db)
    response = await client.post("/dev/sign-in", data={"email": "aiko@example.com", "next": "/"}, allow_redirects=False)
    assert response.status == 303
    page = await (await client.get("/thanks?to_team=it")).text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert '<option value="it" selected>' in page
    response = await client.post(
        "/thanks",
        data={"csrf_token": csrf, "to_team": "it", "message": "Laptops ready on day one", "public": "1"},
        allow_redirects=False,
    )
    assert response.status == 303
    page = await (await client.get("/thanks")).text()
    assert "Laptops ready on day one" in page
    response = await client.post("/thanks", data={"csrf_token": csrf, "to_team": "marketing", "message": "Me"})
    assert response.status == 422 and "You cannot thank your own team" in await response.text()
