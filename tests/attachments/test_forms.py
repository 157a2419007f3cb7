"""The web client's forms without JavaScript: files chosen in the idea and comment forms are
attached, each one's reference added to the text; a refused file is said at the file field and
loses nothing typed."""

from __future__ import annotations

import aiohttp
import pytest

from tests.attachments import files
from tests.factories import make_employee, make_idea, sign_in

pytestmark = pytest.mark.usefixtures("service_map")
EMMA = "emma@example.com"


def form(csrf: str, fields: dict[str, str], uploads: list[tuple[str, bytes]]) -> aiohttp.FormData:
    data = aiohttp.FormData()
    data.add_field("csrf_token", csrf)
    for name, value in fields.items():
        data.add_field(name, value)
    for name, content in uploads:
        data.add_field("files", content, filename=name, content_type="application/octet-stream")
    return data


async def test_files_chosen_in_the_idea_form_are_attached(client, auth, db):
    await make_employee(client, auth, EMMA)
    csrf = await sign_in(client, EMMA)
    body = form(
        csrf,
        {"title": "Paper forms, online", "body": "Today we fill these in by hand."},
        [("form.pdf", files.PDF), ("desk.jpg", files.jpeg_with_gps())],
    )
    response = await client.post("/ideas", data=body, allow_redirects=False)
    assert response.status == 303, await response.text()
    text = await db.fetchval("SELECT body FROM ideas")
    assert (
        text.startswith("Today we fill these in by hand.\n\n") and text.count("/attachments/") == 3
    )  # a file, an image and its thumbnail
    page = await (await client.get(response.headers["Location"])).text()
    assert "form</a>" in page and "/thumbnail" in page
    assert await db.fetchval("SELECT attachment_count FROM ideas") == 2


async def test_a_refused_file_is_said_at_the_file_field_and_the_text_is_kept(client, auth, db):
    await make_employee(client, auth, EMMA)
    csrf = await sign_in(client, EMMA)
    body = form(csrf, {"title": "A script", "body": "Please run this."}, [("run.html", files.HTML)])
    response = await client.post("/ideas", data=body)
    page = await response.text()
    assert response.status == 422
    assert 'id="files-error"' in page and "run.html" in page and "Please run this." in page
    assert await db.fetchval("SELECT count(*) FROM ideas") == 0


async def test_a_file_chosen_in_the_comment_form_is_attached(client, auth, db):
    await make_employee(client, auth, EMMA)
    idea = await make_idea(client, auth(EMMA), "Printers on every floor")
    csrf = await sign_in(client, EMMA)
    body = form(csrf, {"body": "The queue this morning:"}, [("queue.png", files.png())])
    response = await client.post(f"/ideas/{idea['id']}/comments", data=body, allow_redirects=False)
    assert response.status == 303, await response.text()
    assert await db.fetchval("SELECT count(*) FROM attachments WHERE comment_id IS NOT NULL") == 1


async def test_a_pasted_file_is_uploaded_for_the_page_and_answered_with_its_markdown(client, auth):
    await make_employee(client, auth, EMMA)
    csrf = await sign_in(client, EMMA)
    data = aiohttp.FormData()
    data.add_field("file", files.png(), filename="pasted.png", content_type="image/png")
    response = await client.post(
        "/attachments", data=data, headers={"X-CSRF-Token": csrf, "Accept": "application/json"}
    )
    assert response.status == 201
    answer = await response.json()
    assert answer["markdown"].startswith("[![pasted](/attachments/")
    refused = aiohttp.FormData()
    refused.add_field("file", files.EXE, filename="setup.exe")
    response = await client.post("/attachments", data=refused, headers={"X-CSRF-Token": csrf})
    assert response.status == 415 and "not taken" in (await response.json())["error"]


async def test_the_page_upload_needs_the_pages_csrf_token(client, auth, db):
    await make_employee(client, auth, EMMA)
    await sign_in(client, EMMA)
    data = aiohttp.FormData()
    data.add_field("file", files.png(), filename="pasted.png")
    response = await client.post("/attachments", data=data)
    assert response.status == 403
    assert await db.fetchval("SELECT count(*) FROM attachments") == 0
