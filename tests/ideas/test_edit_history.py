"""Ideas and comments keep every earlier version (who, when, what changed); readers see that a
text was edited and the differences; voters hear of a substantial edit, if they want to."""

from __future__ import annotations

from tests.factories import make_idea, relay_all, sign_in

EMMA, LENA = "emma@example.com", "lena@example.com"
BODY = "New hires wait five days for a laptop. Set them up before their first day."


async def ok(response) -> dict | list:
    assert response.status < 300, await response.text()
    return await response.json() if response.status != 204 else {}


async def test_an_edit_keeps_the_version_it_replaced_with_who_and_when(client, auth):
    emma = auth(EMMA)
    idea = await make_idea(client, emma, "Laptops in a day", body=BODY)
    edited = await ok(
        await client.patch(f"/api/v1/ideas/{idea['id']}", headers=emma, json={"title": "Laptops ready on day one"})
    )
    assert edited["edited_at"] is not None and idea.get("edited_at") is None
    versions = await ok(await client.get(f"/api/v1/ideas/{idea['id']}/history", headers=auth(LENA)))
    assert [(v["version"], v["title"], v["written_by"]) for v in versions] == [
        (1, "Laptops in a day", "Emma"),
        (2, "Laptops ready on day one", "Emma"),
    ]
    assert versions[0]["body"] == versions[1]["body"] == BODY


async def test_an_edit_that_changes_no_text_keeps_no_version(client, auth):
    emma = auth(EMMA)
    idea = await make_idea(client, emma, "Laptops in a day", body=BODY)
    edited = await ok(
        await client.patch(f"/api/v1/ideas/{idea['id']}", headers=emma, json={"title": "Laptops in a day"})
    )
    assert edited["edited_at"] is None
    assert len(await ok(await client.get(f"/api/v1/ideas/{idea['id']}/history", headers=emma))) == 1


async def test_a_comment_keeps_its_versions_until_it_is_deleted(client, auth, db):
    emma = auth(EMMA)
    idea = await make_idea(client, emma)
    comment = await ok(
        await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=emma, json={"body": "First words"})
    )
    path = f"/api/v1/ideas/{idea['id']}/comments/{comment['id']}"
    await ok(await client.patch(path, headers=emma, json={"body": "Better words"}))
    versions = await ok(await client.get(f"{path}/history", headers=auth(LENA)))
    assert [v["body"] for v in versions] == ["First words", "Better words"]
    await ok(await client.delete(path, headers=emma))
    assert (await client.get(f"{path}/history", headers=auth(LENA))).status == 404
    assert await db.fetchval("SELECT count(*) FROM comment_revisions") == 0


async def voters_told(db, kind: str = "idea_edited") -> list[str]:
    rows = await db.fetch(
        "SELECT e.email FROM notifications n JOIN employees e ON e.id = n.recipient_id WHERE n.kind = $1 ORDER BY e.email",
        kind,
    )
    return [row["email"] for row in rows]


async def test_voters_hear_of_a_substantial_edit_but_not_of_a_typo(client, auth, db):
    emma = auth(EMMA)
    idea = await make_idea(client, emma, "Laptops in a day", body=BODY)
    await ok(await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth(LENA)))
    await ok(await client.patch(f"/api/v1/ideas/{idea['id']}", headers=emma, json={"body": BODY.replace("five", "5")}))
    await relay_all(db)
    assert await voters_told(db) == []
    rewrite = "Give every team a spare laptop pool instead, managed by facilities."
    await ok(await client.patch(f"/api/v1/ideas/{idea['id']}", headers=emma, json={"body": rewrite}))
    await relay_all(db)
    assert await voters_told(db) == [LENA]


async def test_a_voter_may_turn_edit_notifications_off(client, auth, db):
    emma, lena = auth(EMMA), auth(LENA)
    body = {"preferences": [{"kind": "idea_edited", "portal": "off", "email": "off", "slack": "off"}]}
    await ok(await client.put("/api/v1/me/notification-preferences", headers=lena, json=body))
    idea = await make_idea(client, emma, "Laptops in a day", body=BODY)
    await ok(await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=lena))
    await ok(
        await client.patch(f"/api/v1/ideas/{idea['id']}", headers=emma, json={"title": "A spare laptop pool for all"})
    )
    await relay_all(db)
    assert await voters_told(db) == []


async def test_readers_follow_the_edited_link_to_the_differences(client, auth):
    emma = auth(EMMA)
    idea = await make_idea(client, emma, "Laptops in a day", body=BODY)
    await ok(
        await client.patch(f"/api/v1/ideas/{idea['id']}", headers=emma, json={"body": BODY.replace("five", "seven")})
    )
    await client.get("/api/v1/me", headers=auth(LENA))
    await sign_in(client, LENA)
    page = await (await client.get(f"/ideas/{idea['id']}")).text()
    assert f"/ideas/{idea['id']}/history" in page
    history = await (await client.get(f"/ideas/{idea['id']}/history")).text()
    assert "<del>five</del>" in history and "<ins>seven</ins>" in history
