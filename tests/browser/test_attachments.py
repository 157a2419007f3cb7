"""Attachments in real Chromium: a screenshot pasted into an idea's text is uploaded at once and
its reference inserted where the cursor is; the posted idea shows it as a thumbnail linking to
the full image, reachable by keyboard."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.async_api import expect

from tests.attachments import files
from tests.browser.conftest import dev_sign_in, new_page

pytestmark = pytest.mark.browser
PASTE = """([data, name]) => {
  const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type: "image/png"}));
  const area = document.querySelector("#body");
  area.focus();
  area.dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true, cancelable: true}));
}"""


async def test_a_pasted_screenshot_is_attached_where_the_cursor_is(site, browser, shots, db):
    page = await new_page(browser)
    await dev_sign_in(page, site, "aiko@example.com")
    await page.goto(site.at("/ideas/new"))
    await page.get_by_label("Title").fill("The printer error, as it shows")
    body = page.locator("#body")
    await body.fill("This is what the printer says:\n")
    await page.evaluate(PASTE, [base64.b64encode(files.png(800, 450)).decode(), "screenshot.png"])
    await expect(body).to_have_value(
        re.compile(
            r"This is what the printer says:\n\[!\[screenshot\]\(/attachments/\d+/thumbnail\)\]\(/attachments/\d+\)"
        )
    )
    await shots.take(page, "screenshot-pasted")
    await page.get_by_role("button", name="Post the idea").click()
    image = page.get_by_role("img", name="screenshot")
    await expect(image).to_be_visible()
    link = page.get_by_role("link", name="screenshot")
    await link.focus()
    await expect(link).to_be_focused()
    await shots.take(page, "idea-with-screenshot")
    assert await db.fetchval("SELECT count(*) FROM attachments WHERE idea_id IS NOT NULL") == 1
    assert page.problems == []
