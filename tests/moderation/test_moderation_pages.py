"""Moderation in the web client: the report form, the queue, the author's notice."""

from __future__ import annotations

from tests.factories import make_idea, sign_in

EMMA, LENA = "emma@example.com", "lena@example.com"


async def test_a_report_from_the_idea_page_reaches_the_queue_and_a_hidden_idea_tells_its_author(client, auth):
    idea = await make_idea(client, auth(EMMA), "Laptops in a day")
    await client.get("/api/v1/me", headers=auth(LENA))
    await client.get("/api/v1/me", headers=auth.admin)
    csrf = await sign_in(client, LENA)
    page = await (await client.get(f"/ideas/{idea['id']}")).text()
    assert f"/ideas/{idea['id']}/report" in page
    sent = await client.post(
        f"/ideas/{idea['id']}/report",
        data={"csrf_token": csrf, "reason": "personal_data", "note": ""},
        allow_redirects=False,
    )
    assert sent.status == 303 and "done=reported" in sent.headers["Location"]
    assert (await client.get("/moderation")).status == 403

    client.session.cookie_jar.clear()
    csrf = await sign_in(client, "admin@example.com")
    queue = await (await client.get("/moderation")).text()
    assert "Laptops in a day" in queue and "personal data" in queue.lower() and "Lena" not in queue
    case_id = queue.split('action="/moderation/', 1)[1].split("/", 1)[0]
    hidden = await client.post(
        f"/moderation/{case_id}/hide", data={"csrf_token": csrf, "reason": "Names a customer"}, allow_redirects=False
    )
    assert hidden.status == 303

    client.session.cookie_jar.clear()
    await sign_in(client, EMMA)
    mine = await (await client.get(f"/ideas/{idea['id']}")).text()
    assert "Hidden by a moderator" in mine and "Names a customer" in mine and "Ask for a review" in mine
    client.session.cookie_jar.clear()
    await sign_in(client, LENA)
    assert (await client.get(f"/ideas/{idea['id']}")).status == 404


async def test_a_report_of_something_else_without_a_note_asks_for_one(client, auth):
    idea = await make_idea(client, auth(EMMA))
    await client.get("/api/v1/me", headers=auth(LENA))
    csrf = await sign_in(client, LENA)
    sent = await client.post(
        f"/ideas/{idea['id']}/report", data={"csrf_token": csrf, "reason": "other", "note": ""}, allow_redirects=False
    )
    assert "done=report_note" in sent.headers["Location"]
