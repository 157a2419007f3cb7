from __future__ import annotations

from tests.factories import make_idea


async def _comment(client, headers, idea_id: int, body: str = "Agreed!") -> dict:
    response = await client.post(f"/api/v1/ideas/{idea_id}/comments", headers=headers, json={"body": body})
    assert response.status == 201, await response.text()
    return await response.json()


async def test_comment_text_is_stored_and_returned_as_written(client, auth):
    idea = await make_idea(client, auth())
    text = "<script>alert(1)</script> & 印刷"
    comment = await _comment(client, auth(), idea["id"], text)
    assert comment["body"] == text


async def test_comments_page_with_a_cursor_oldest_first(client, auth):
    idea = await make_idea(client, auth())
    for n in range(5):
        await _comment(client, auth(), idea["id"], f"comment {n}")
    first = await (await client.get(f"/api/v1/ideas/{idea['id']}/comments?limit=3", headers=auth())).json()
    second = await (
        await client.get(f"/api/v1/ideas/{idea['id']}/comments?limit=3&cursor={first['next_cursor']}", headers=auth())
    ).json()
    assert [c["body"] for c in first["items"] + second["items"]] == [f"comment {n}" for n in range(5)]
    assert second["next_cursor"] is None


async def test_author_edits_their_comment(client, auth):
    idea = await make_idea(client, auth())
    comment = await _comment(client, auth("c@example.com"), idea["id"])
    response = await client.patch(
        f"/api/v1/ideas/{idea['id']}/comments/{comment['id']}", headers=auth("c@example.com"), json={"body": "Edited"}
    )
    assert (await response.json())["body"] == "Edited"


async def test_others_cannot_edit_a_comment(client, auth):
    idea = await make_idea(client, auth())
    comment = await _comment(client, auth("c@example.com"), idea["id"])
    response = await client.patch(
        f"/api/v1/ideas/{idea['id']}/comments/{comment['id']}", headers=auth("d@example.com"), json={"body": "Edited"}
    )
    assert response.status == 403


async def test_deleted_comment_leaves_a_tombstone(client, auth):
    idea = await make_idea(client, auth())
    comment = await _comment(client, auth("c@example.com"), idea["id"])
    response = await client.delete(
        f"/api/v1/ideas/{idea['id']}/comments/{comment['id']}", headers=auth("c@example.com")
    )
    assert response.status == 204
    listing = await (await client.get(f"/api/v1/ideas/{idea['id']}/comments", headers=auth())).json()
    assert listing["items"][0]["deleted"] is True and listing["items"][0]["body"] is None


async def test_commenting_on_an_unknown_idea_is_404(client, auth):
    response = await client.post("/api/v1/ideas/999/comments", headers=auth(), json={"body": "hi"})
    assert response.status == 404
