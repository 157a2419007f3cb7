"""Reports, the moderators' queue, hiding, dismissing and restoring, and what a hidden idea,
comment or thanks looks like to its author, to the moderators and to everyone else."""

from __future__ import annotations

import pytest

from tests.factories import make_idea, relay_all

EMMA, LENA, MARK, SAM = "emma@example.com", "lena@example.com", "mark@example.com", "sam@example.com"
RUDE = {"reason": "rude"}


async def ok(response) -> dict | list:
    assert response.status < 300, await response.text()
    return await response.json() if response.status != 204 else {}


@pytest.fixture
async def idea(client, auth) -> dict:
    return await make_idea(client, auth(EMMA), "Laptops in a day", body="Set them up before day one.")


async def report(client, auth, who: str, idea_id: int, body=None):
    return await client.post(f"/api/v1/ideas/{idea_id}/report", headers=auth(who), json=body or RUDE)


async def waiting(client, auth, **query) -> list[dict]:
    return await ok(await client.get("/api/v1/moderation/cases", headers=auth.admin, params=query))


async def hide(client, auth, case_id: int, reason: str = "Names a colleague"):
    return await client.post(f"/api/v1/moderation/cases/{case_id}/hide", headers=auth.admin, json={"reason": reason})


async def test_one_report_per_person_and_never_of_ones_own(client, auth, idea):
    assert (await report(client, auth, LENA, idea["id"])).status == 200
    assert (await report(client, auth, LENA, idea["id"])).status == 409
    assert (await report(client, auth, EMMA, idea["id"])).status == 422
    other = await report(client, auth, MARK, idea["id"], {"reason": "other"})
    assert other.status == 422 and "note" in await other.text()


async def test_the_queue_counts_reasons_and_keeps_notes_but_never_names_reporters(client, auth, idea):
    await report(client, auth, LENA, idea["id"])
    await report(client, auth, MARK, idea["id"], {"reason": "other", "note": "Blames the IT team by name"})
    [case] = await waiting(client, auth)
    assert case["kind"] == "idea" and case["item_id"] == idea["id"] and case["reports"] == 2
    assert case["reasons"] == {"rude": 1, "other": 1} and case["notes"] == ["Blames the IT team by name"]
    text = str(case)
    assert "Lena" not in text and "Mark" not in text and case["author"] == "Emma"


async def test_only_moderators_and_admins_see_the_queue(client, auth, idea):
    assert (await client.get("/api/v1/moderation/cases", headers=auth(LENA))).status == 403
    await ok(await client.get("/api/v1/me", headers=auth(SAM)))
    await ok(await client.put(f"/api/v1/moderators/{SAM}", headers=auth.admin))
    assert (await client.get("/api/v1/moderation/cases", headers=auth(SAM))).status == 200


async def test_a_hidden_idea_leaves_lists_and_search_and_only_its_author_reads_why(client, auth, db, idea):
    await report(client, auth, LENA, idea["id"])
    [case] = await waiting(client, auth)
    await ok(await hide(client, auth, case["id"]))
    listed = await ok(await client.get("/api/v1/ideas", headers=auth(MARK)))
    assert idea["id"] not in [i["id"] for i in listed["items"]]
    found = await ok(await client.get("/api/v1/ideas", headers=auth(MARK), params={"q": "laptops"}))
    assert found["items"] == []
    assert (await client.get(f"/api/v1/ideas/{idea['id']}", headers=auth(MARK))).status == 404
    mine = await ok(await client.get(f"/api/v1/ideas/{idea['id']}", headers=auth(EMMA)))
    assert mine["hidden"] and mine["moderation"]["reason"] == "Names a colleague"
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'idea.hidden'") == 1
    assert await db.fetchval("SELECT count(*) FROM audit_trail WHERE action = 'moderation.hidden'") == 1


async def test_what_was_not_yet_sent_about_a_hidden_idea_is_held_back(client, auth, db, idea):
    await ok(await client.put(f"/api/v1/ideas/{idea['id']}/follow", headers=auth(LENA)))
    await ok(await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth(MARK), json={"body": "Agreed"}))
    await relay_all(db)
    assert await db.fetchval("SELECT count(*) FROM notifications WHERE idea_id = $1", idea["id"]) > 0
    await report(client, auth, LENA, idea["id"])
    [case] = await waiting(client, auth)
    await ok(await hide(client, auth, case["id"]))
    assert await db.fetchval("SELECT count(*) FROM notifications WHERE idea_id = $1", idea["id"]) == 0


async def test_enough_reports_hide_it_until_a_moderator_dismisses_them(client, auth, idea):
    for who in (LENA, MARK, SAM):
        await report(client, auth, who, idea["id"])
    assert (await client.get(f"/api/v1/ideas/{idea['id']}", headers=auth(LENA))).status == 404
    [case] = await waiting(client, auth)
    assert case["state"] == "hidden" and case["auto_hidden"] and case["waiting"]
    await ok(await client.post(f"/api/v1/moderation/cases/{case['id']}/dismiss", headers=auth.admin))
    assert (await client.get(f"/api/v1/ideas/{idea['id']}", headers=auth(LENA))).status == 200
    assert await waiting(client, auth) == []


async def test_restoring_is_one_step(client, auth, db, idea):
    await report(client, auth, LENA, idea["id"])
    [case] = await waiting(client, auth)
    await ok(await hide(client, auth, case["id"]))
    await ok(await client.post(f"/api/v1/moderation/cases/{case['id']}/restore", headers=auth.admin))
    assert (await client.get(f"/api/v1/ideas/{idea['id']}", headers=auth(MARK))).status == 200
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'idea.restored'") == 1


async def test_the_author_asks_for_a_review_and_the_case_waits_again(client, auth, idea):
    await report(client, auth, LENA, idea["id"])
    [case] = await waiting(client, auth)
    await ok(await hide(client, auth, case["id"]))
    assert await waiting(client, auth) == []
    path = f"/api/v1/moderation/cases/{case['id']}/review"
    assert (await client.post(path, headers=auth(LENA))).status == 403
    await ok(await client.post(path, headers=auth(EMMA)))
    [again] = await waiting(client, auth)
    assert again["review_requested_at"] is not None


async def test_a_hidden_comment_is_a_placeholder_for_others_and_itself_for_its_author(client, auth, idea):
    comment = await ok(
        await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth(MARK), json={"body": "You are lazy"})
    )
    path = f"/api/v1/ideas/{idea['id']}/comments/{comment['id']}"
    await ok(await client.post(f"{path}/report", headers=auth(EMMA), json=RUDE))
    [case] = await waiting(client, auth)
    await ok(await hide(client, auth, case["id"], "Be kind"))
    seen = {
        who: (await ok(await client.get(f"/api/v1/ideas/{idea['id']}/comments", headers=auth(who))))["items"][0]
        for who in (LENA, MARK)
    }
    assert seen[LENA]["hidden"] and seen[LENA]["body"] is None and seen[LENA]["moderation"] is None
    assert seen[MARK]["body"] == "You are lazy" and seen[MARK]["moderation"]["reason"] == "Be kind"


async def test_a_hidden_thanks_leaves_the_list(client, auth):
    await ok(await client.get("/api/v1/me", headers=auth(EMMA)))
    sent = await ok(
        await client.post("/api/v1/thanks", headers=auth(MARK), json={"to_employee": EMMA, "message": "Meh"})
    )
    await ok(await client.post(f"/api/v1/thanks/{sent['id']}/report", headers=auth(EMMA), json={"reason": "off_topic"}))
    [case] = await waiting(client, auth)
    await ok(await hide(client, auth, case["id"]))
    listed = await ok(await client.get("/api/v1/thanks", headers=auth(EMMA)))
    assert listed["items"] == []


async def test_giving_and_taking_the_moderator_role_is_audited(client, auth, db):
    await ok(await client.get("/api/v1/me", headers=auth(SAM)))
    await ok(await client.put(f"/api/v1/moderators/{SAM}", headers=auth.admin))
    await ok(await client.delete(f"/api/v1/moderators/{SAM}", headers=auth.admin))
    actions = await db.fetchval("SELECT array_agg(action ORDER BY id) FROM audit_trail WHERE action LIKE 'role.%'")
    assert actions == ["role.moderator_given", "role.moderator_taken"]
    assert (await client.put(f"/api/v1/moderators/{SAM}", headers=auth(LENA))).status == 403


async def test_a_hidden_idea_leaves_the_inboxes_it_reached(client, auth, db, service_map):
    routed = await make_idea(client, auth(EMMA), "Laptops ready on day one", services=["laptop-setup"])
    await relay_all(db)

    async def inbox() -> list[int]:
        page = await ok(await client.get("/api/v1/teams/it/inbox", headers=auth(LENA)))
        return [row["idea"]["id"] for row in page]

    assert await inbox() == [routed["id"]]
    await report(client, auth, MARK, routed["id"])
    [case] = await waiting(client, auth)
    await ok(await hide(client, auth, case["id"]))
    assert await inbox() == []


async def test_what_belongs_to_a_hidden_idea_or_comment_is_not_found_by_others(client, auth, idea):
    comment = await ok(
        await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth(MARK), json={"body": "You are lazy"})
    )
    await ok(
        await client.patch(
            f"/api/v1/ideas/{idea['id']}/comments/{comment['id']}", headers=auth(MARK), json={"body": "Lazy!"}
        )
    )
    await ok(
        await client.post(f"/api/v1/ideas/{idea['id']}/comments/{comment['id']}/report", headers=auth(EMMA), json=RUDE)
    )
    [case] = await waiting(client, auth)
    await ok(await hide(client, auth, case["id"]))
    history = f"/api/v1/ideas/{idea['id']}/comments/{comment['id']}/history"
    assert (await client.get(history, headers=auth(LENA))).status == 404
    assert (await client.get(history, headers=auth(MARK))).status == 200
    await report(client, auth, LENA, idea["id"])
    idea_case = next(c for c in await waiting(client, auth) if c["kind"] == "idea")
    await ok(await hide(client, auth, idea_case["id"]))
    for path in (f"/api/v1/ideas/{idea['id']}/comments", f"/api/v1/ideas/{idea['id']}/history"):
        assert (await client.get(path, headers=auth(LENA))).status == 404
        assert (await client.get(path, headers=auth(EMMA))).status == 200


async def test_a_hidden_idea_takes_no_votes_or_comments_until_it_is_shown_again(client, auth, db, idea):
    votes = f"/api/v1/ideas/{idea['id']}/vote"
    await ok(await client.put(votes, headers=auth(MARK)))
    await report(client, auth, LENA, idea["id"])
    [case] = await waiting(client, auth)
    await ok(await hide(client, auth, case["id"]))
    assert (await client.put(votes, headers=auth(LENA))).status == 404  # not there, for whoever may not see it
    assert (await client.delete(votes, headers=auth(MARK))).status == 404
    comment = {"body": "Me too"}
    assert (await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth(LENA), json=comment)).status == 404
    held = await client.put(votes, headers=auth.admin)  # a moderator sees it, and is told why
    assert held.status == 409 and "hid" in (await held.json())["detail"]
    assert await db.fetchval("SELECT count(*) FROM votes WHERE idea_id = $1", idea["id"]) == 1
    await ok(await client.post(f"/api/v1/moderation/cases/{case['id']}/restore", headers=auth.admin))
    await ok(await client.put(votes, headers=auth(LENA)))
    await ok(await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth(LENA), json=comment))
