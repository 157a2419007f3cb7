"""A team's lead connects the team's Slack channel on its channels page, in real Chromium: a wrong
channel id is refused at its field, the right one is saved and said so."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import dev_sign_in, new_page

pytestmark = pytest.mark.browser


async def test_a_lead_connects_the_teams_slack_channel_from_the_inbox(site, browser, shots, db):
    page = await new_page(browser)
    await dev_sign_in(page, site, "ken.lead@example.com")
    await page.goto(site.at("/teams/it/inbox"))
    await page.get_by_role("link", name="Slack and Teams channels").click()
    channel = page.get_by_label("Slack channel ID")
    await channel.fill("general")
    await page.get_by_role("button", name="Connect the Slack channel").click()
    await expect(page.locator("#slack_channel-error")).to_be_visible()
    await shots.take(page, "slack-channel-refused")
    await page.get_by_label("Slack channel ID").fill("C0123ABCD")
    await page.get_by_role("button", name="Connect the Slack channel").click()
    await expect(page.get_by_role("status")).to_contain_text("The channel is connected.")
    await expect(page.get_by_text("Connected to channel C0123ABCD.")).to_be_visible()
    await shots.take(page, "slack-channel-connected")
    assert await db.fetchval("SELECT slack_channel FROM chat_connections") == "C0123ABCD"
    assert page.problems == [] or all("status of 422" in p for p in page.problems)


async def test_the_channels_page_and_the_attachment_field_read_in_japanese(site, browser, shots, db):
    page = await new_page(browser, locale="ja-JP")
    await dev_sign_in(page, site, "ken.lead@example.com")
    await page.goto(site.at("/teams/it/channels"))
    await expect(page.get_by_role("heading", name="Slack", exact=True)).to_be_visible()
    await page.get_by_label("Slack チャンネル ID").fill("general")
    await page.get_by_role("button", name="Slack チャンネルを接続").click()
    await expect(page.locator("#slack_channel-error")).to_contain_text("チャンネル名ではなく ID")
    await shots.take(page, "channels-refused-ja")
    await page.goto(site.at("/ideas/new"))
    await expect(page.get_by_label("画像やファイルを添付")).to_be_visible()
    await shots.take(page, "idea-form-attach-ja")
    assert page.problems == [] or all("status of 422" in p for p in page.problems)
