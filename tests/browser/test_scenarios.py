"""What employees, leads and admins do in the web client, in real Chromium (each in a fresh
database)."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from playwright.async_api import expect

from tests.browser.conftest import dev_sign_in, new_page
from tests.factories import relay_all
from tests.pipeline import eventually

pytestmark = pytest.mark.browser
PRINTING_IDEA = "プリンター印刷の申請をオンライン化する"  # seeded, by aiko; concerns IT (provider) and Marketing


async def _open_idea(page, site, title: str) -> int:
    await page.goto(site.at("/?q=" + title.split()[0]))
    await page.get_by_role("link", name=title).click()
    return int(re.search(r"/ideas/(\d+)", page.url).group(1))


async def test_an_employee_signs_in_with_the_identity_provider_and_sees_the_teams_an_idea_reached(
    site, browser, shots, pipeline
):
    page = await new_page(browser)
    await page.goto(site.at("/"))
    await expect(page).to_have_url(re.compile(r"/sign-in\?next=/$"))
    await shots.take(page, "sign-in")
    await page.get_by_role("link", name="Sign in with your company account").click()
    await page.get_by_role("button", name="idp|mika").click()  # the identity provider's own page
    await expect(page.get_by_role("heading", name="Ideas for serving each other better")).to_be_visible()
    await expect(page.get_by_role("link", name="Mika Ito")).to_be_visible()
    await shots.take(page, "ideas")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Post an idea").click()
    await page.get_by_label("Title").fill("Laptop set-up for new Marketing hires in one day")
    await page.get_by_label("What would be better, and for whom?").fill("Prepare an image **per role**.")
    await page.get_by_role("checkbox", name=re.compile("^Laptop set-up")).check()
    await expect(page.locator("#routing-preview")).to_contain_text("IT service desk · Provider")
    await shots.take(page, "post-form")
    await page.get_by_role("button", name="Post the idea").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Laptop set-up for new Marketing hires in one day")
    teams = page.locator("#teams")

    async def routed():  # the scheduler routes it within moments
        if await teams.get_by_text("Not sent to any team yet").count() == 0:
            return True
        await page.reload()
        return False

    await eventually(routed, interval=0.2)
    for team, role in (("it", "Provider"), ("marketing", "Customer"), ("sales", "Customer")):
        await expect(teams.locator("li", has_text=team).first).to_contain_text(role)
    await shots.take(page, "idea-routed")
    assert page.problems == []


async def test_a_colleague_finds_an_idea_in_japanese_and_votes_and_the_author_sees_the_count_live(site, browser, shots):
    author = await new_page(browser)
    await dev_sign_in(author, site, "aiko@example.com")
    idea_id = await _open_idea(author, site, PRINTING_IDEA)
    count = author.locator(f'[data-vote-count="{idea_id}"]').first
    before = int(await count.text_content())

    colleague = await new_page(browser, locale="ja-JP")
    await dev_sign_in(colleague, site, "sam@example.com")
    await colleague.get_by_label("アイデアを検索").fill("印刷")
    await colleague.get_by_role("button", name="検索", exact=True).click()
    await expect(colleague.get_by_role("link", name=PRINTING_IDEA)).to_be_visible()
    await shots.take(colleague, "search-ja")
    await colleague.get_by_role("link", name=PRINTING_IDEA).click()
    await colleague.get_by_role("button", name=re.compile("このアイデアに投票")).click()
    await expect(colleague.get_by_role("button", name=re.compile("投票を取り消す"))).to_be_visible()
    await shots.take(colleague, "voted-ja")

    await expect(count).to_have_text(str(before + 1))  # no reload: the live stream
    assert author.problems == [] and colleague.problems == []


async def test_a_lead_answers_from_the_inbox_and_moves_the_status_and_the_author_sees_both(site, browser, shots, db):
    await relay_all(db)  # route the demo ideas
    lead = await new_page(browser)
    await dev_sign_in(lead, site, "ken.lead@example.com")
    await lead.get_by_role("link", name="Inbox: IT service desk").click()
    await expect(lead.get_by_role("heading", name="Inbox: IT service desk")).to_be_visible()
    await shots.take(lead, "inbox")
    await lead.get_by_role("link", name=PRINTING_IDEA).click()
    answer = lead.locator("#teams li", has_text="it").first
    await answer.get_by_label("Your team's answer").select_option("accepted")
    await answer.get_by_label("Message to the author and voters").fill("We will move the form online next month.")
    await answer.get_by_role("button", name="Send the answer").click()
    await expect(lead.get_by_role("status")).to_contain_text("Your team's answer was sent.")
    await lead.get_by_label("Move to").select_option("planned")
    await lead.get_by_label("Reason (shown to everyone)").fill("Scheduled for the next sprint")
    await lead.get_by_role("button", name="Change status").click()
    await expect(lead.locator("#status .badge").first).to_have_text("Planned")
    await shots.take(lead, "answered")

    author = await new_page(browser)
    await dev_sign_in(author, site, "aiko@example.com")
    await _open_idea(author, site, PRINTING_IDEA)
    await expect(author.locator("#teams")).to_contain_text("We will move the form online next month.")
    await expect(author.locator("#teams")).to_contain_text("Accepted")
    await expect(author.locator("#status .history")).to_contain_text("Scheduled for the next sprint")
    await shots.take(author, "author-sees-answer")
    await author.locator("#teams li", has_text="it").first.get_by_role("link", name="Say thanks").click()
    await expect(author.get_by_label("A team", exact=True)).to_have_value("it")
    await author.get_by_label("Your message").fill("Thank you: no more paper forms for us.")
    await author.get_by_role("button", name="Send thanks").click()
    await expect(author.get_by_role("status")).to_have_text("Your thanks was sent.")
    await expect(author.locator(".thanks").last).to_contain_text("Thank you: no more paper forms for us.")
    await shots.take(author, "thanks-sent")


async def test_an_author_hears_of_a_comment_live_and_follows_the_notification_to_it(site, browser, shots, db):
    await relay_all(db)
    author = await new_page(browser)
    await dev_sign_in(author, site, "aiko@example.com")
    badge = author.locator("[data-unread-count]")
    await author.get_by_role("link", name="Notifications").click()
    if await author.get_by_role("button", name="Mark all as read").count():
        await author.get_by_role("button", name="Mark all as read").click()
    await expect(badge).to_be_hidden()

    colleague = await new_page(browser)
    await dev_sign_in(colleague, site, "sam@example.com")
    await _open_idea(colleague, site, PRINTING_IDEA)
    await colleague.get_by_label("Add a comment").fill("Sales would use this every week, @AikoTanaka.")
    await colleague.get_by_role("button", name="Post comment").click()
    await expect(colleague.locator("#comment-list")).to_contain_text("Sales would use this every week")
    await relay_all(db)  # what the worker does within moments

    await expect(badge).to_have_text("1")  # no reload: the page's event stream
    await shots.take(author, "bell")
    await author.get_by_role("link", name="Notifications").click()
    notification = author.locator(".notification").first
    await expect(notification).to_contain_text("Sam Patel mentioned you on")
    await expect(notification).to_contain_text("You were mentioned")
    await shots.take(author, "notifications")
    await notification.get_by_role("link").click()
    await expect(author.get_by_role("heading", level=1)).to_have_text(PRINTING_IDEA)
    assert re.search(r"#comment-\d+$", author.url)
    await author.get_by_role("link", name="Notifications").click()
    await author.get_by_role("button", name="Mark as read").click()
    await expect(badge).to_be_hidden()
    await author.get_by_role("link", name="Choose what you hear about, and how").click()
    await author.get_by_role("combobox", name=re.compile("Someone mentions me")).nth(1).select_option("daily")
    await author.get_by_role("button", name="Save").click()
    await expect(author.get_by_role("status")).to_have_text("Saved.")
    await shots.take(author, "notification-settings")
    assert author.problems == [] and colleague.problems == []


async def test_an_employee_posts_into_a_campaign_and_finds_it_among_its_ideas(site, browser, shots):
    page = await new_page(browser)
    await dev_sign_in(page, site, "sam@example.com")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    await page.get_by_role("link", name="How do we make a new hire's first week productive?").click()
    await expect(page.locator(".badge").first).to_have_text("Collecting ideas")
    await shots.take(page, "campaign")
    await page.get_by_role("link", name="Post an idea to this campaign").click()
    await expect(page.locator("#campaign")).to_contain_text("onboarding-week")
    await page.get_by_label("Title").fill("A buddy for every new hire's first week")
    await page.get_by_role("button", name="Post the idea").click()
    await expect(page.get_by_role("link", name="Campaign: onboarding-week")).to_be_visible()
    await page.get_by_role("link", name="Campaign: onboarding-week").click()
    await page.get_by_role("link", name="Its ideas").click()
    await expect(page.get_by_role("link", name="A buddy for every new hire's first week")).to_be_visible()
    await shots.take(page, "campaign-ideas")
    assert page.problems == []


async def test_an_admin_adds_a_service_and_the_service_map_shows_the_new_edge(site, browser, shots):
    admin = await new_page(browser)
    await dev_sign_in(admin, site, "admin@example.com")
    await admin.get_by_role("link", name="Admin", exact=True).click()
    await admin.get_by_role("link", name="Service map").click()
    edges = admin.locator("#edges")
    await expect(edges.locator("tr", has_text="VPN access")).to_have_count(0)
    await admin.get_by_label("Short name", exact=True).fill("vpn-access")
    await admin.get_by_label("Name", exact=True).fill("VPN access")
    await admin.get_by_label("Provider team", exact=True).select_option("it")
    await admin.locator("#new-customers").get_by_label("Sales").check()
    await admin.get_by_role("button", name="Add the service").click()
    row = edges.locator("tr", has_text="VPN access")
    await expect(row).to_contain_text("IT service desk")
    await expect(row).to_contain_text("Sales")
    await shots.take(admin, "service-map")


async def test_without_javascript_an_employee_signs_in_posts_votes_and_comments(site, browser, shots):
    page = await new_page(browser, javascript=False)
    await dev_sign_in(page, site, "tom@example.com")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Post an idea").click()
    await page.get_by_label("Title").fill("Coffee machine on the third floor")
    await page.get_by_role("checkbox", name=re.compile("^Meeting rooms")).check()
    await page.get_by_role("button", name="Show which teams it will reach").click()
    await expect(page.locator("#routing-preview")).to_contain_text("Facilities")
    await expect(page.get_by_label("Title")).to_have_value("Coffee machine on the third floor")
    await page.get_by_role("button", name="Post the idea").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Coffee machine on the third floor")
    await page.get_by_role("button", name=re.compile("Vote for this idea")).click()
    await expect(page.get_by_role("button", name=re.compile("Withdraw your vote"))).to_be_visible()
    await page.get_by_label("Add a comment").fill("Even **decaf** would do.")
    await page.get_by_role("button", name="Post comment").click()
    await expect(page.locator("#comment-list strong", has_text="decaf")).to_be_visible()
    await shots.take(page, "no-script-idea")
    await page.get_by_label("Title").count()  # the page is plain HTML: no script ran
    assert page.problems == []


async def test_forged_requests_and_strangers_get_nothing(site, browser, shots, db, redis_url):
    victim = await new_page(browser)
    await dev_sign_in(victim, site, "aiko@example.com")
    idea_id = await _open_idea(victim, site, PRINTING_IDEA)
    votes_before = await db.fetchval("SELECT count(*) FROM votes WHERE idea_id = $1", idea_id)

    # Another site's page with a form aimed at the portal, submitted in the signed-in browser.
    async def evil(request: web.Request) -> web.Response:
        return web.Response(
            content_type="text/html",
            text=(
                f'<!doctype html><form method="post" action="{site.at(f"/ideas/{idea_id}/vote")}">'
                '<input type="hidden" name="action" value="cast"><button>Win a prize</button></form>'
            ),
        )

    app = web.Application()
    app.router.add_get("/", evil)
    runner = web.AppRunner(app)
    await runner.setup()
    attacker = web.TCPSite(runner, "localhost", 0)
    await attacker.start()
    try:
        await victim.goto(f"http://localhost:{attacker._server.sockets[0].getsockname()[1]}/")
        await victim.get_by_role("button", name="Win a prize").click()
        await victim.wait_for_load_state()
        await shots.take(victim, "forged-post")
    finally:
        await runner.cleanup()
    # The same request from the portal's own origin but without the CSRF token.
    response = await victim.request.post(site.at(f"/ideas/{idea_id}/vote"), form={"action": "cast"})
    assert response.status == 403
    assert await db.fetchval("SELECT count(*) FROM votes WHERE idea_id = $1", idea_id) == votes_before

    stranger = await new_page(browser)
    await stranger.goto(site.at(f"/ideas/{idea_id}"))
    await expect(stranger).to_have_url(re.compile(rf"/sign-in\?next=/ideas/{idea_id}$"))

    employee = await new_page(browser)
    await dev_sign_in(employee, site, "sam@example.com")
    response = await employee.goto(site.at("/admin/tokens"))
    assert response.status == 403
    await expect(employee.get_by_role("heading", name="You cannot do this")).to_be_visible()
    await shots.take(employee, "admin-forbidden")
