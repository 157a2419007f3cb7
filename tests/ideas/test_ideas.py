from __future__ import annotations

from tests.factories import make_idea


async def test_posting_an_idea_answers_201_with_location_and_open_status(client, auth, service_map):
    response = await client.post(
        "/api/v1/ideas",
        headers=auth("emma@example.com", team="marketing"),
        json={
            "title": "Laptop set-up in one day",
            "body": "Five days is too long.",
            "tags": ["Onboarding"],
            "services": ["laptop-setup"],
            "teams": [{"team": "hr", "role": "customer"}],
        },
    )
    idea = await response.json()
    assert response.status == 201
    assert response.headers["Location"] == f"/api/v1/ideas/{idea['id']}"
    assert idea["status"] == "open" and idea["vote_count"] == 0
    assert idea["tags"] == ["onboarding"]
    assert idea["services"] == ["laptop-setup"]
    assert idea["teams"] == [{"team": "hr", "role": "customer"}]
    assert idea["author"]["team"] == "marketing"


async def test_posted_idea_is_readable_by_id(client, auth):
    idea = await make_idea(client, auth())
    response = await client.get(f"/api/v1/ideas/{idea['id']}", headers=auth("other@example.com"))
    assert response.status == 200
    assert (await response.json())["title"] == idea["title"]


async def test_unknown_idea_is_404(client, auth):
    response = await client.get("/api/v1/ideas/999999", headers=auth())
    assert response.status == 404
    assert response.content_type == "application/problem+json"


async def test_author_can_edit_an_open_idea(client, auth):
    idea = await make_idea(client, auth())
    response = await client.patch(f"/api/v1/ideas/{idea['id']}", headers=auth(), json={"title": "A better title"})
    assert response.status == 200
    assert (await response.json())["title"] == "A better title"


async def test_someone_else_cannot_edit_an_idea(client, auth):
    idea = await make_idea(client, auth())
    response = await client.patch(
        f"/api/v1/ideas/{idea['id']}", headers=auth("mallory@example.com"), json={"title": "Hijacked title"}
    )
    assert response.status == 403


async def test_editing_concerns_replaces_them(client, auth, service_map):
    idea = await make_idea(client, auth(), services=["laptop-setup"])
    response = await client.patch(
        f"/api/v1/ideas/{idea['id']}",
        headers=auth(),
        json={"services": [], "teams": [{"team": "hr", "role": "provider"}]},
    )
    body = await response.json()
    assert body["services"] == [] and body["teams"] == [{"team": "hr", "role": "provider"}]


async def test_idea_naming_an_unknown_service_is_422_naming_the_field(client, auth):
    response = await client.post(
        "/api/v1/ideas", headers=auth(), json={"title": "Something good", "services": ["nope"]}
    )
    body = await response.json()
    assert response.status == 422
    assert body["errors"][0]["field"] == "body.services.0"


async def test_status_change_by_provider_lead_is_recorded_in_history(client, auth, service_map):
    idea = await make_idea(client, auth(), services=["laptop-setup"])
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/status",
        headers=auth("lena@example.com"),
        json={"status": "under_review", "reason": "Looking into it"},
    )
    body = await response.json()
    assert response.status == 200, body
    assert body["status"] == "under_review"
    assert body["status_history"][0]["from_status"] == "open"
    assert body["status_history"][0]["changed_by"] == "lena@example.com"


async def test_status_change_by_a_customer_team_lead_is_forbidden(client, auth, service_map):
    idea = await make_idea(client, auth(), services=["laptop-setup"])
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/status",
        headers=auth("mark@example.com"),
        json={"status": "planned", "reason": "We want it"},
    )
    assert response.status == 403


async def test_disallowed_transition_is_409_naming_the_current_state(client, auth):
    idea = await make_idea(client, auth())
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/status", headers=auth.admin, json={"status": "done", "reason": "skip ahead"}
    )
    body = await response.json()
    assert response.status == 409
    assert body["current_status"] == "open"
    assert "open" in body["detail"]


async def test_duplicate_status_needs_an_existing_other_idea(client, auth):
    idea = await make_idea(client, auth())
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/status",
        headers=auth.admin,
        json={"status": "duplicate", "reason": "same", "duplicate_of": idea["id"]},
    )
    assert response.status == 422


async def test_marking_a_duplicate_links_the_original(client, auth):
    original = await make_idea(client, auth(), title="Original idea")
    copy = await make_idea(client, auth(), title="Copy of the idea")
    response = await client.post(
        f"/api/v1/ideas/{copy['id']}/status",
        headers=auth.admin,
        json={"status": "duplicate", "reason": "same", "duplicate_of": original["id"]},
    )
    assert (await response.json())["duplicate_of"] == original["id"]


async def test_closed_idea_cannot_be_edited(client, auth):
    idea = await make_idea(client, auth())
    await client.post(
        f"/api/v1/ideas/{idea['id']}/status", headers=auth.admin, json={"status": "declined", "reason": "no"}
    )
    response = await client.patch(f"/api/v1/ideas/{idea['id']}", headers=auth(), json={"body": "more"})
    assert response.status == 409
