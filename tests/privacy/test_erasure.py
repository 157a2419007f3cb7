"""Erasure on request, an admin's act: the person becomes a pseudonym everywhere, what only
concerned them is deleted, their ideas and comments stay or go as the admin chooses, their votes
keep counting for nobody, and neither the directory nor a sign-in brings them back."""

from __future__ import annotations

import pytest

from portal.privacy.erasure import REMOVED_TITLE, pseudonym
from tests.directory.scim import Scim
from tests.factories import make_employee, make_idea, sign_in

pytestmark = pytest.mark.usefixtures("service_map")
EMMA, LENA = "emma@example.com", "lena@example.com"


async def ok(response) -> dict:
    assert response.status < 300, await response.text()
    return await response.json() if response.status != 204 else {}


async def emma_id(db) -> int:
    return await db.fetchval("SELECT id FROM employees WHERE email = $1", EMMA)


async def emmas_traces(client, auth) -> dict:
    """Emma's idea (voted for by Lena), her comment, a vote, a follow, thanks both ways (one
    private), a pulse answer in a round still open."""
    emma, lena = auth(EMMA, team="marketing"), auth(LENA, team="it")
    idea = await make_idea(client, emma, "Laptops ready on day one", body="Emma's own words", services=["laptop-setup"])
    other = await make_idea(client, lena, "A spare laptop pool")
    await ok(await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=emma, json={"body": "Emma's comment"}))
    await ok(await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=lena))
    await ok(await client.put(f"/api/v1/ideas/{other['id']}/vote", headers=emma))
    await ok(await client.put("/api/v1/tags/printing/follow", headers=emma))
    await ok(await client.post("/api/v1/thanks", headers=emma, json={"to_team": "it", "message": "Public thanks"}))
    private = {"to_employee": EMMA, "message": "Private thanks", "public": False}
    await ok(await client.post("/api/v1/thanks", headers=lena, json=private))
    pulse = await ok(
        await client.post("/api/v1/services/laptop-setup/survey-rounds", headers=lena, json={"open_days": 7})
    )
    await ok(await client.put(f"/api/v1/survey-rounds/{pulse['id']}/answer", headers=emma, json={"csat": 4, "ces": 5}))
    return {"idea": idea, "other": other}


async def erase(client, auth, employee_id: int, contributions: str = "keep", headers=None):
    return await client.post(
        f"/api/v1/employees/{employee_id}/erasure", headers=headers or auth.admin, json={"contributions": contributions}
    )


async def test_the_person_becomes_a_pseudonym_wherever_they_are_shown(client, auth, db):
    traces = await emmas_traces(client, auth)
    employee_id = await emma_id(db)
    erased = await ok(await erase(client, auth, employee_id))
    name, email, _ = pseudonym(employee_id)
    assert erased["pseudonym"] == name and erased["ideas"] == [traces["idea"]["id"]]
    idea = await ok(await client.get(f"/api/v1/ideas/{traces['idea']['id']}", headers=auth(LENA, team="it")))
    assert idea["author"]["name"] == name and idea["body"] == "Emma's own words"
    row = await db.fetchrow("SELECT * FROM employees WHERE id = $1", employee_id)
    assert (row["name"], row["email"], row["active"], row["team_id"]) == (name, email, False, None)
    text = await (await client.get(f"/api/v1/ideas/{traces['idea']['id']}/comments", headers=auth(LENA))).text()
    assert "Emma's comment" in text and "Emma" not in text.replace("Emma's comment", "")


async def test_what_only_concerned_them_is_deleted_and_their_votes_keep_counting(client, auth, db):
    traces = await emmas_traces(client, auth)
    employee_id = await emma_id(db)
    await ok(await erase(client, auth, employee_id))
    left = await db.fetchrow(
        """SELECT (SELECT count(*) FROM follows WHERE employee_id = $1) AS follows,
                  (SELECT count(*) FROM notifications WHERE recipient_id = $1) AS notifications,
                  (SELECT array_agg(message ORDER BY id) FROM thanks) AS thanks,
                  (SELECT count(*) FROM survey_answers WHERE respondent_id = $1) AS named_answers,
                  (SELECT count(*) FROM survey_answers) AS answers""",
        employee_id,
    )
    other = await ok(await client.get(f"/api/v1/ideas/{traces['other']['id']}", headers=auth(LENA, team="it")))
    assert left["follows"] == 0 and left["notifications"] == 0 and left["thanks"] == ["Public thanks"]
    assert left["named_answers"] == 0 and left["answers"] == 1 and other["vote_count"] == 1


async def test_their_ideas_and_comments_may_be_removed_instead(client, auth, db):
    traces = await emmas_traces(client, auth)
    await ok(await erase(client, auth, await emma_id(db), "remove"))
    idea = await ok(await client.get(f"/api/v1/ideas/{traces['idea']['id']}", headers=auth(LENA, team="it")))
    assert idea["title"] == REMOVED_TITLE and idea["body"] == "" and idea["comment_count"] == 0
    assert idea["vote_count"] == 1  # Lena's vote is Lena's
    assert await db.fetchval("SELECT count(*) FROM comments WHERE body LIKE 'Emma%'") == 0


async def test_integrations_and_the_audit_trail_learn_which_id_but_not_who(client, auth, db):
    await emmas_traces(client, auth)
    employee_id = await emma_id(db)
    await ok(await erase(client, auth, employee_id))
    event = await db.fetchrow("SELECT subject, data FROM events WHERE type = 'employee.erased'")
    assert event["subject"] == f"employees/{employee_id}" and event["data"]["id"] == employee_id
    entry = await db.fetchrow(
        "SELECT actor_name, after::text AS after FROM audit_trail WHERE action = 'employee.erased'"
    )
    assert entry["actor_name"] == "admin@example.com" and EMMA not in entry["after"] and "Emma" not in entry["after"]


async def test_signing_in_again_makes_a_new_person_not_the_erased_one(client, auth, db):
    await emmas_traces(client, auth)
    employee_id = await emma_id(db)
    await ok(await erase(client, auth, employee_id))
    me = await ok(await client.get("/api/v1/me", headers=auth(EMMA, team="marketing")))
    assert me["id"] != employee_id
    assert await db.fetchval("SELECT erased_at IS NOT NULL AND NOT active FROM employees WHERE id = $1", employee_id)


async def test_the_directory_provisions_a_new_person_not_the_erased_one(client, auth, db):
    token = await ok(
        await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "Entra ID", "scopes": ["scim"]})
    )
    scim = Scim(client, token["token"])
    first = await scim.create_user("ken@example.com", displayName="Ken")
    await ok(await erase(client, auth, int(first)))
    again = await scim.create_user("ken@example.com", displayName="Ken")
    assert again != first
    assert await db.fetchval("SELECT name FROM employees WHERE id = $1", int(first)) == pseudonym(int(first))[0]


async def test_only_an_admin_erases_never_themselves_and_only_once(client, auth, db):
    await make_employee(client, auth, EMMA)
    employee_id = await emma_id(db)
    assert (await erase(client, auth, employee_id, headers=auth(LENA, team="it"))).status == 403
    admin = (await ok(await client.get("/api/v1/me", headers=auth.admin)))["id"]
    assert (await erase(client, auth, admin)).status == 422
    assert (await erase(client, auth, 10**9)).status == 404
    assert (await erase(client, auth, employee_id)).status == 200
    assert (await erase(client, auth, employee_id)).status == 409


async def test_an_admin_erases_from_the_directory_page_after_confirming(client, auth, db):
    await make_employee(client, auth, EMMA)
    await client.get("/api/v1/me", headers=auth.admin)
    csrf = await sign_in(client, "admin@example.com")
    form = {"csrf_token": csrf, "email": EMMA, "contributions": "keep"}
    unconfirmed = await client.post("/admin/directory/erasure", data=form, allow_redirects=False)
    assert unconfirmed.status == 422 and "cannot be undone" in await unconfirmed.text()
    assert await db.fetchval("SELECT erased_at FROM employees WHERE email = $1", EMMA) is None
    done = await client.post("/admin/directory/erasure", data={**form, "confirm": "yes"}, allow_redirects=False)
    assert done.status == 303 and "done=erased" in done.headers["Location"]
    assert await db.fetchval("SELECT count(*) FROM employees WHERE email = $1", EMMA) == 0


async def test_erasing_a_teams_only_lead_sends_its_waiting_ideas_to_the_admins(client, auth, db):
    from tests.factories import relay_all

    await make_idea(client, auth(EMMA, team="marketing"), "Laptops on day one", services=["laptop-setup"])
    await relay_all(db)
    lena = await db.fetchval("SELECT id FROM employees WHERE email = $1", LENA)
    await ok(await erase(client, auth, lena))
    assert await db.fetchval("SELECT count(*) FROM team_leads WHERE employee_id = $1", lena) == 0
    escalated = await db.fetch("SELECT data FROM events WHERE type = 'routing.escalated' AND data->>'team' = 'it'")
    assert [e["data"]["no_lead"] for e in escalated] == [True]
