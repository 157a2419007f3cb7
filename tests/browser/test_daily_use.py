"""Daily use in real Chromium, desktop and a 375 px phone, English and Japanese, with and without
JavaScript: what employees, leads and admins would trip over (screenshots of each under
tests/browser/screenshots/)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import PHONE, dev_sign_in, new_page
from tests.factories import relay_all

pytestmark = pytest.mark.browser
LAPTOP_IDEA = "Laptop set-up for new Marketing hires in one day, not five"  # seeded; IT provides laptop-setup


def _unexpected(problems: list[str]) -> list[str]:
    """The page's problems but the 422 a refused form answers (the browser logs it as a failed load)."""
    return [problem for problem in problems if "status of 422" not in problem]


async def _idea_id(db, title: str) -> int:
    return await db.fetchval("SELECT id FROM ideas WHERE title = $1", title)


async def test_a_lead_starts_from_no_answer_must_say_why_to_decline_and_is_told_it_was_sent(site, browser, shots, db):
    await relay_all(db)
    idea = await _idea_id(db, LAPTOP_IDEA)
    page = await new_page(browser)
    await dev_sign_in(page, site, "ken.lead@example.com")
    await page.goto(site.at(f"/ideas/{idea}"))
    answer = page.locator("#decision-it")
    await expect(answer).to_have_value("")
    await expect(page.locator("#new-status")).to_have_value("")
    await answer.select_option("declined")
    await page.get_by_role("button", name="Send the answer").click()
    await expect(page.get_by_text("Say why you decline: the author and the voters read it")).to_be_visible()
    await expect(page.locator("#decision-it")).to_have_value("declined")
    await shots.take(page, "decline-needs-a-reason")
    await page.locator("#message-it").fill("Images per role come with next year's laptops.")
    await page.get_by_role("button", name="Send the answer").click()
    await expect(page.get_by_role("status")).to_contain_text("Your team's answer was sent.")
    await shots.take(page, "answer-sent")
    assert _unexpected(page.problems) == []


async def test_an_employee_thanks_a_colleague_found_by_part_of_their_name(site, browser, shots, db):
    page = await new_page(browser)
    await dev_sign_in(page, site, "aiko@example.com")
    await page.goto(site.at("/thanks"))
    picker = page.get_by_label("Or a colleague", exact=True)
    await picker.press_sequentially("Sat", delay=50)
    await expect(page.locator("#to_employee-matches option[value='ken.lead@example.com']")).to_have_count(1)
    await shots.take(page, "picker-offers-ken")
    await picker.fill("ken.lead@example.com")  # what choosing the offered option fills in
    await page.get_by_label("Your message").fill("The laptop was ready on my first day.")
    await page.get_by_role("button", name="Send thanks").click()
    await expect(page.get_by_role("status")).to_contain_text("Your thanks was sent.")
    assert await db.fetchval("SELECT count(*) FROM thanks WHERE message = 'The laptop was ready on my first day.'") == 1
    assert page.problems == []


async def test_without_javascript_a_name_two_people_share_becomes_a_choice(site, browser, shots, db):
    await db.execute(
        "INSERT INTO employees (subject, email, name) VALUES ('ken.mori@example.com', 'ken.mori@example.com', 'Ken Mori')"
    )
    page = await new_page(browser, javascript=False)
    await dev_sign_in(page, site, "aiko@example.com")
    await page.goto(site.at("/thanks"))
    await page.get_by_label("Or a colleague", exact=True).fill("ken")
    await page.get_by_label("Your message").fill("Thank you both for the quick fix")
    await page.get_by_role("button", name="Send thanks").click()
    await expect(page.get_by_text("Several colleagues match: choose one of them").first).to_be_visible()
    await expect(page.get_by_label("Your message")).to_have_value("Thank you both for the quick fix")
    await shots.take(page, "choose-a-colleague")
    await page.get_by_role("radio", name=re.compile("Ken Mori")).check()
    await page.get_by_role("button", name="Send thanks").click()
    await expect(page.get_by_role("status")).to_contain_text("Your thanks was sent.")


async def test_posting_a_duplicate_shows_the_similar_idea_and_teams_are_checkboxes(site, browser, shots):
    page = await new_page(browser)
    await dev_sign_in(page, site, "tom@example.com")
    await page.goto(site.at("/ideas/new"))
    await page.get_by_label("Title").press_sequentially("Laptop set-up for new hires", delay=30)
    similar = page.locator("#similar")
    await expect(similar).to_contain_text("Is it one of these?")
    await expect(similar.get_by_role("link", name=LAPTOP_IDEA)).to_be_visible()
    await page.get_by_role("group", name="Asked to change (provider)").get_by_label("IT service desk").check()
    await expect(page.locator("#routing-preview")).to_contain_text("IT service desk · Provider")
    await shots.take(page, "similar-ideas")
    assert page.problems == []


async def test_focus_stays_on_the_vote_button_and_an_empty_comment_is_refused_at_its_field(site, browser, db):
    idea = await _idea_id(db, LAPTOP_IDEA)
    page = await new_page(browser)
    await dev_sign_in(page, site, "tom@example.com")
    await page.goto(site.at(f"/ideas/{idea}"))
    vote = page.locator(f"#vote-button-{idea}")
    await vote.focus()
    await vote.press("Enter")
    await expect(vote).to_have_attribute("aria-pressed", "true")
    await expect(vote).to_be_focused()
    await page.get_by_role("button", name="Post comment").click()
    await expect(page.locator("#comment-body-error")).to_have_text("Enter a value")
    await expect(page.locator("#comment-body")).to_be_focused()
    await expect(page.locator("#live-error")).to_be_hidden()
    assert _unexpected(page.problems) == []


async def test_the_inbox_on_a_japanese_phone_shows_cards_under_a_short_header(site, browser, shots, db):
    await relay_all(db)
    page = await new_page(browser, locale="ja-JP")
    await page.set_viewport_size(PHONE)
    await dev_sign_in(page, site, "ken.lead@example.com")
    await page.goto(site.at("/teams/it/inbox"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("IT service desk"))
    header = await page.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= 110, header
    row = await page.locator("table.cards tbody tr").first.bounding_box()
    assert row is not None and row["width"] >= PHONE["width"] - 60, row  # a card across the screen
    await shots.take(page, "inbox-ja-phone")
    assert page.problems == []


async def test_japanese_readers_get_japanese_errors_naming_the_field(site, browser, shots):
    page = await new_page(browser, locale="ja-JP")
    await dev_sign_in(page, site, "aiko@example.com")
    await page.goto(site.at("/thanks"))
    await page.locator("#message").fill("ありがとう")
    await page.locator("form[action='/thanks'] button[type=submit]").click()
    await expect(page.locator(".error-summary")).to_contain_text(
        "感謝を伝えるチームか同僚を、どちらか一つ選んでください"
    )
    await shots.take(page, "thanks-error-ja")


async def test_admins_download_scorecards_and_a_private_webhook_address_is_refused_at_the_form(site, browser, shots):
    page = await new_page(browser)
    await dev_sign_in(page, site, "admin@example.com")
    await page.goto(site.at("/admin/scorecards"))
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Download as CSV").click()
    assert (await download.value).suggested_filename.startswith("scorecards-")
    await page.goto(site.at("/admin/webhooks"))
    await page.get_by_label("Address").fill("http://10.1.2.3:9/hook")
    await page.get_by_label("Events").fill("idea.created")
    await page.get_by_role("button", name=re.compile("Add|Create")).click()
    await expect(page.locator(".field-error").first).to_contain_text("not a public address")
    await shots.take(page, "webhook-refused")
