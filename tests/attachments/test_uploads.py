"""Uploading: the type is decided from the content; images are decoded and written again without
their metadata; limits are refused with the status and the field they concern."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.attachments import files
from tests.attachments.conftest import upload

EMMA = "emma@example.com"


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (files.png(), "diagram.png", "image/png"),
        (files.jpeg_with_gps(), "photo.jpg", "image/jpeg"),
        (files.animated_gif(), "spinner.gif", "image/gif"),
        (files.PDF, "form.pdf", "application/pdf"),
        (files.CSV, "numbers.csv", "text/csv"),
        (files.TEXT, "steps.txt", "text/plain"),
        (files.office("xl"), "sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (files.office("word"), "memo.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (files.office("ppt"), "deck.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        (files.PDF, "misnamed.png", "application/pdf"),  # the content decides, not the name
    ],
)
async def test_the_type_is_decided_from_the_content(client, auth, uploaded, content, name, expected):
    attachment = await uploaded(auth(EMMA), content, name)
    assert attachment["content_type"] == expected
    assert attachment["name"] == name


@pytest.mark.parametrize(
    ("content", "name"),
    [(files.HTML, "page.html"), (files.SVG, "logo.svg"), (files.EXE, "setup.exe"), (b"PK\x03\x04 broken", "x.zip")],
)
async def test_anything_else_is_refused_as_unsupported(client, auth, db, content, name):
    response = await upload(client, auth(EMMA), content, name, content_type="image/png")
    assert response.status == 415
    assert response.content_type == "application/problem+json"
    assert await db.fetchval("SELECT count(*) FROM attachments") == 0


async def test_a_photos_gps_and_camera_tags_are_stripped(client, auth, uploaded):
    attachment = await uploaded(auth(EMMA), files.jpeg_with_gps(), "at-the-printer.jpg")
    response = await client.get(attachment["content_url"], headers=auth(EMMA))
    kept = Image.open(io.BytesIO(await response.read()))
    exif = kept.getexif()
    assert files.GPS_IFD not in exif and not exif.get_ifd(files.GPS_IFD)
    assert 0x0110 not in exif and not kept.info.get("exif")


async def test_the_cameras_orientation_is_applied_to_the_pixels(client, auth, uploaded):
    attachment = await uploaded(auth(EMMA), files.jpeg_with_gps(64, 32, orientation=6), "sideways.jpg")
    assert (attachment["width"], attachment["height"]) == (32, 64)  # rotated a quarter turn
    kept = Image.open(io.BytesIO(await (await client.get(attachment["content_url"], headers=auth(EMMA))).read()))
    assert kept.size == (32, 64) and files.ORIENTATION not in kept.getexif()


async def test_an_image_gets_a_thumbnail_and_its_markdown_shows_it(client, auth, uploaded):
    attachment = await uploaded(auth(EMMA), files.png(1600, 900), "wide.png", alt="The error dialog")
    assert attachment["markdown"] == f"[![The error dialog]({attachment['url']}/thumbnail)]({attachment['url']})"
    response = await client.get(
        attachment["thumbnail_url"].replace("/attachments", "/api/v1/attachments"), headers=auth(EMMA)
    )
    assert response.content_type == "image/webp"
    assert Image.open(io.BytesIO(await response.read())).size == (480, 270)


async def test_an_animated_gif_keeps_its_first_frame(client, auth, uploaded):
    attachment = await uploaded(auth(EMMA), files.animated_gif(), "spinner.gif")
    kept = Image.open(io.BytesIO(await (await client.get(attachment["content_url"], headers=auth(EMMA))).read()))
    assert getattr(kept, "n_frames", 1) == 1


async def test_a_decompression_bomb_is_refused(client, settings, auth, db):
    big = io.BytesIO()
    Image.new("L", (12_000, 5_000)).save(big, "PNG")  # 60 megapixels in a few kilobytes
    response = await upload(client, auth(EMMA), big.getvalue(), "bomb.png")
    assert response.status == 422
    assert "megapixels" in (await response.json())["detail"]
    assert await db.fetchval("SELECT count(*) FROM attachments") == 0


async def test_a_file_over_the_size_limit_is_413_naming_the_limit(client, auth, db):
    response = await upload(client, auth(EMMA), b"x" * (10 * 1024 * 1024 + 1), "huge.txt")
    assert response.status == 413
    assert "10 MB" in (await response.json())["detail"]


async def test_the_daily_total_per_employee_is_413(client, auth, db, uploaded):
    attachment = await uploaded(auth(EMMA), files.PDF, "form.pdf")
    await db.execute("UPDATE attachments SET size = 200 * 1024 * 1024 - 10 WHERE id = $1", attachment["id"])
    response = await upload(client, auth(EMMA), files.PDF, "again.pdf")
    assert response.status == 413 and "a day" in (await response.json())["detail"]
    response = await upload(client, auth("hugo@example.com"), files.PDF, "hugos.pdf")
    assert response.status == 201  # the limit is each person's own


async def test_a_file_without_a_file_part_is_refused_naming_it(client, auth):
    form = {"alt": "nothing"}
    response = await client.post("/api/v1/attachments", headers=auth(EMMA), data=form)
    assert response.status in (415, 422)


async def test_an_api_token_cannot_upload(client, auth):
    response = await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "bot", "scopes": ["ideas:read"]})
    token = (await response.json())["token"]
    response = await upload(client, {"Authorization": f"Bearer {token}"}, files.PDF, "x.pdf")
    assert response.status == 403
