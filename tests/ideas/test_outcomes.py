"""Outcome notes and the case library: done ideas of a service, with what changed and what it saved."""

from __future__ import annotations

import re

from tests.factories import make_idea, relay_all

LENA = "lena@example.com"  # IT's lead; IT provides laptop-setup


async def done_idea(client, auth, db, title: str = "Laptops imaged per role") -> int:
    idea = await make_idea(client, auth(), title, services=["laptop-setup"])
    await relay_all(db)
    for status in ("planned", "in_progress", "done"):
        response = await client.post(
            f"/api/v1/ideas/{idea['id']}/status", headers=auth(LENA), json={"status": status, "reason": "On it"}
        )
        assert response.status == 200, await response.text()
    return idea["id"]


async def test_the_provider_notes_a_done_ideas_outcome_and_the_case_library_finds_it(client, auth, db, service_map):
    idea_id = await done_idea(client, auth, db)
    open_idea = await make_idea(client, auth(), "Still open", services=["laptop-setup"])
    response = await client.put(
        f"/api/v1/ideas/{open_idea['id']}/outcome", headers=auth(LENA), json={"note": "Too early"}
    )
    assert response.status == 409
    response = await client.put(
        f"/api/v1/ideas/{idea_id}/outcome", headers=auth("emma@example.com"), json={"note": "x"}
    )
    assert response.status == 403
    note = "New hires work on day one; five days of waiting saved per hire."
    response = await client.put(f"/api/v1/ideas/{idea_id}/outcome", headers=auth(LENA), json={"note": note})
    assert response.status == 204
    await client.post(
        "/api/v1/thanks", headers=auth(), json={"to_team": "it", "idea_id": idea_id, "message": "Thanks!"}
    )
    library = await (await client.get("/api/v1/services/laptop-setup/cases", headers=auth())).json()
    [case] = library["items"]
    assert case["id"] == idea_id and case["outcome_note"] == note and case["thanks"] == 1 and case["done_at"]
    found = await (await client.get("/api/v1/services/laptop-setup/cases?q=waiting", headers=auth())).json()
    assert [c["id"] for c in found["items"]] == [idea_id]  # found by words of its note
    none = await (await client.get("/api/v1/services/laptop-setup/cases?q=printer", headers=auth())).json()
    assert none["items"] == []
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'idea.outcome_noted'") == 1


async def test_the_idea_page_takes_the_outcome_and_the_library_page_shows_it(client, auth, db, service_map):
    idea_id = await done_idea(client, auth, db)
    await client.get("/api/v1/me", headers=auth(LENA))
    response = await client.post("/dev/sign-in", data={"email": LENA, "next": "/"}, allow_redirects=False)
    assert response.status == 303
    page = await (await client.get(f"/ideas/{idea_id}")).text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert "What did you change, and what did it save?" in page
    response = await client.post(
        f"/ideas/{idea_id}/outcome", data={"csrf_token": csrf, "note": "Imaging saves five days"}, allow_redirects=False
    )
    assert response.status == 303
    page = await (await client.get("/services/laptop-setup/cases")).text()
    assert "Imaging saves five days" in page and "Laptops imaged per role" in page
