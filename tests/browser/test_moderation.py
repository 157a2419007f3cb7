"""An employee reports a rude comment, a moderator hides it from the queue, and its author reads
why and asks for a review: in real Chromium."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import dev_sign_in, new_page
from tests.browser.test_scenarios import PRINTING_IDEA, _open_idea

pytestmark = pytest.mark.browser
RUDE = "Whoever built the printer form should be ashamed."


async def test_a_reported_comment_is_hidden_by_a_moderator_and_its_author_asks_for_a_review(site, browser, shots):
    author = await new_page(browser)
    await dev_sign_in(author, site, "sam@example.com")
    await _open_idea(author, site, PRINTING_IDEA)
    await author.get_by_label("Add a comment").fill(RUDE)
    await author.get_by_role("button", name="Post comment").click()
    comment = author.locator(".comment", has_text=RUDE)
    await expect(comment).to_be_visible()

    reader = await new_page(browser)
    await dev_sign_in(reader, site, "aiko@example.com")
    await _open_idea(reader, site, PRINTING_IDEA)
    reported = reader.locator(".comment", has_text=RUDE)
    await reported.get_by_text("Report", exact=True).click()
    await reported.get_by_label("Rude or hurtful").check()
    await shots.take(reader, "report-form")
    await reported.get_by_role("button", name="Send to the moderators").click()
    await expect(reader.get_by_role("status")).to_contain_text("the moderators will look at it")

    moderator = await new_page(browser)
    await dev_sign_in(moderator, site, "admin@example.com")
    await moderator.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation").click()
    case = moderator.locator(".case", has_text=RUDE)
    await expect(case).to_contain_text("Rude or hurtful (1)")
    await expect(case).not_to_contain_text("Aiko")  # who reported is not shown
    await shots.take(moderator, "moderation-queue")
    await case.get_by_label("Why it is hidden (its author reads this)").fill("Please criticise the form, not people.")
    await case.get_by_role("button", name="Hide").click()
    await expect(moderator.get_by_role("status")).to_contain_text("It is hidden")

    await reader.reload()
    await expect(reader.locator("#comment-list")).to_contain_text("This comment was hidden by a moderator.")
    await expect(reader.locator("#comment-list")).not_to_contain_text(RUDE)

    await author.reload()
    notice = author.locator(".comment", has_text=RUDE).get_by_role("note")
    await expect(notice).to_contain_text("Please criticise the form, not people.")
    await shots.take(author, "hidden-comment")
    await notice.get_by_role("button", name="Ask for a review").click()
    await expect(author.get_by_role("status")).to_contain_text("You asked for a review")
    assert author.problems == [] and reader.problems == [] and moderator.problems == []
