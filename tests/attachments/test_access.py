"""Who reads an attachment: its uploader alone until an idea or comment refers to it, then whoever
may read that; removed with its reference or its comment, purged with its bytes."""

from __future__ import annotations

import pytest

from portal.attachments import service as attachments
from portal.attachments.storage import PostgresStore
from tests.attachments import files
from tests.factories import make_employee, make_idea, relay_all, sign_in

EMMA, HUGO = "emma@example.com", "hugo@example.com"


async def test_an_upload_is_its_uploaders_alone_until_something_refers_to_it(client, auth, uploaded):
    attachment = await uploaded(auth(EMMA), files.PDF, "form.pdf")
    assert (await client.get(attachment["content_url"], headers=auth(EMMA))).status == 200
    assert (await client.get(attachment["content_url"], headers=auth(HUGO))).status == 404
    await make_idea(client, auth(EMMA), "Paper forms, online", body=f"The form: {attachment['markdown']}")
    assert (await client.get(attachment["content_url"], headers=auth(HUGO))).status == 200


async def test_an_api_token_reads_what_ideas_read_allows(client, auth, uploaded):
    attachment = await uploaded(auth(EMMA), files.PDF, "form.pdf")
    await make_idea(client, auth(EMMA), "Paper forms, online", body=attachment["markdown"])
    response = await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "bi", "scopes": ["ideas:read"]})
    token = {"Authorization": f"Bearer {(await response.json())['token']}"}
    assert (await client.get(attachment["content_url"], headers=token)).status == 200


async def test_someone_elses_upload_cannot_be_taken_into_ones_own_idea(client, auth, uploaded, db):
    attachment = await uploaded(auth(EMMA), files.PDF, "emmas.pdf")
    idea = await make_idea(client, auth(HUGO), "Borrowing a file", body=attachment["markdown"])
    assert await db.fetchval("SELECT idea_id FROM attachments WHERE id = $1", attachment["id"]) is None
    assert (await client.get(attachment["content_url"], headers=auth(HUGO))).status == 404
    assert (await (await client.get(f"/api/v1/ideas/{idea['id']}", headers=auth(HUGO))).json())["attachment_count"] == 0


async def test_an_edit_removing_the_reference_removes_the_file(client, auth, uploaded, db):
    first = await uploaded(auth(EMMA), files.PDF, "first.pdf")
    second = await uploaded(auth(EMMA), files.png(), "second.png")
    idea = await make_idea(client, auth(EMMA), "Two files", body=f"{first['markdown']} {second['markdown']}")
    assert idea["attachment_count"] == 2
    response = await client.patch(f"/api/v1/ideas/{idea['id']}", headers=auth(EMMA), json={"body": second["markdown"]})
    assert (await response.json())["attachment_count"] == 1
    assert (await client.get(first["content_url"], headers=auth(EMMA))).status == 404
    assert (await client.get(second["content_url"], headers=auth(HUGO))).status == 200


async def test_a_deleted_comments_file_is_gone_and_purged_with_its_bytes(client, auth, uploaded, db):
    idea = await make_idea(client, auth(HUGO), "Printers on every floor")
    attachment = await uploaded(auth(EMMA), files.png(), "queue.png")
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/comments", headers=auth(EMMA), json={"body": f"Look: {attachment['markdown']}"}
    )
    comment = await response.json()
    assert (await client.get(attachment["content_url"], headers=auth(HUGO))).status == 200
    assert (
        await client.delete(f"/api/v1/ideas/{idea['id']}/comments/{comment['id']}", headers=auth(EMMA))
    ).status == 204
    assert (await client.get(attachment["content_url"], headers=auth(HUGO))).status == 404
    assert (await client.get(attachment["content_url"], headers=auth(EMMA))).status == 404
    async with db.transaction():
        assert await attachments.purge(db, {"postgres": PostgresStore()}) == 1
    assert await db.fetchval("SELECT count(*) FROM attachment_chunks") == 0


async def test_an_upload_never_referred_to_is_purged_after_a_day(client, auth, uploaded, db):
    kept = await uploaded(auth(EMMA), files.PDF, "used.pdf")
    await make_idea(client, auth(EMMA), "Using one file", body=kept["markdown"])
    stale = await uploaded(auth(EMMA), files.PDF, "stale.pdf")
    fresh = await uploaded(auth(EMMA), files.PDF, "fresh.pdf")
    await db.execute("UPDATE attachments SET created_at = now() - interval '25 hours' WHERE id <> $1", fresh["id"])
    async with db.transaction():
        assert await attachments.purge(db, {"postgres": PostgresStore()}) == 1
    left = {row["id"] for row in await db.fetch("SELECT id FROM attachments")}
    assert left == {kept["id"], fresh["id"]} and stale["id"] not in left


async def test_too_many_attachments_on_one_idea_is_422_naming_the_body(client, auth, uploaded, db):
    refs = [(await uploaded(auth(EMMA), files.PDF, f"f{n}.pdf"))["markdown"] for n in range(11)]
    response = await client.post(
        "/api/v1/ideas", headers=auth(EMMA), json={"title": "Eleven files", "body": " ".join(refs)}
    )
    assert response.status == 422
    problem = await response.json()
    assert problem["errors"][0]["field"] == "body.body" or "body" in problem["errors"][0]["field"]
    assert await db.fetchval("SELECT count(*) FROM ideas") == 0


async def test_a_document_is_a_download_never_rendered(client, auth, uploaded):
    attachment = await uploaded(auth(EMMA), files.PDF, "form.pdf")
    response = await client.get(attachment["content_url"], headers=auth(EMMA))
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert response.headers["Cache-Control"] == "private, no-cache"
    image = await uploaded(auth(EMMA), files.png(), "shot.png")
    response = await client.get(image["content_url"], headers=auth(EMMA))
    assert response.headers["Content-Disposition"].startswith("inline;")


async def test_a_browser_revalidates_with_the_etag(client, auth, uploaded):
    await make_employee(client, auth, EMMA)
    attachment = await uploaded(auth(EMMA), files.png(), "shot.png")
    await sign_in(client, EMMA)
    first = await client.get(attachment["url"])
    assert first.status == 200 and first.headers["ETag"]
    again = await client.get(attachment["url"], headers={"If-None-Match": first.headers["ETag"]})
    assert again.status == 304


async def test_an_ideas_event_names_its_attachments_never_their_bytes(client, auth, uploaded, db):
    attachment = await uploaded(auth(EMMA), files.PDF, "form.pdf")
    idea = await make_idea(client, auth(EMMA), "Paper forms, online", body=attachment["markdown"])
    data = await db.fetchval(
        "SELECT data FROM events WHERE type = 'idea.created' AND (data->>'id')::bigint = $1", idea["id"]
    )
    assert data["attachments"] == [
        {
            "id": attachment["id"],
            "name": "form.pdf",
            "content_type": "application/pdf",
            "size": len(files.PDF),
            "url": attachment["url"],
        }
    ]


@pytest.mark.usefixtures("service_map")
async def test_the_idea_page_shows_the_thumbnail_as_a_link_and_the_list_a_paperclip(client, auth, uploaded, db):
    await make_employee(client, auth, EMMA)
    image = await uploaded(auth(EMMA), files.png(), "queue.png", alt="The queue at the printer")
    idea = await make_idea(client, auth(EMMA), "Printers on every floor", body=image["markdown"])
    await relay_all(db)
    await sign_in(client, EMMA)
    page = await (await client.get(f"/ideas/{idea['id']}")).text()
    assert (
        f'<a href="/attachments/{image["id"]}" rel="nofollow noopener noreferrer"><img src="/attachments/{image["id"]}/thumbnail" alt="The queue at the printer"></a>'
        in page
    )
    listing = await (await client.get("/")).text()
    assert "1 attachment" in listing


def test_an_email_links_an_attachment_and_never_carries_it(settings):
    from datetime import UTC, datetime

    from portal.notifications import emails
    from portal.notifications.fanout import excerpt

    said = excerpt("The queue: [![The queue](/attachments/12/thumbnail)](/attachments/12)")
    recipient = {"locale": "en", "time_zone": "UTC", "name": "Hugo", "address": HUGO, "message_id": "<m@example.com>"}
    notification = {
        "kind": "comment",
        "data": {"excerpt": said, "by_name": "Emma", "comment_id": 3},
        "created_at": datetime.now(UTC),
        "idea_title": "Printers on every floor",
        "team_name": None,
        "idea_id": 1,
        "team": None,
    }
    settings = settings.model_copy(update={"public_url": "https://ideas.example.com"})
    message = emails.render(recipient, [notification], "token", settings)
    text = message.get_body(("plain",)).get_content()
    assert "📎 The queue (https://ideas.example.com/attachments/12)" in text
    assert not [part for part in message.walk() if part.get_content_maintype() == "image"]
