"""axe-core finds no serious or critical accessibility problem on any page, in either language."""

from __future__ import annotations

import pytest
from axe_playwright_python.async_playwright import Axe

from tests.browser.conftest import dev_sign_in, new_page
from tests.factories import relay_all

pytestmark = pytest.mark.browser
PAGES = [
    "/",
    "/?sort=top&q=印刷",
    "/ideas/new",
    "/ideas/{idea}",
    "/ideas/{idea}/edit",
    "/teams/it/inbox",
    "/teams/it/digests",
    "/settings",
    "/notifications",
    "/settings/notifications",
    "/thanks",
    "/surveys",
    "/services/laptop-setup/cases",
    "/campaigns",
    "/campaigns/onboarding-week",
    "/teams/it/scorecard",
    "/admin/scorecards",
    "/admin/teams",
    "/admin/services",
    "/admin/routing-rules",
    "/admin/webhooks",
    "/admin/tokens",
    "/admin/audit",
    "/admin/directory",
    "/moderation",
    "/ideas/{idea}/history",
    "/ideas/999999",
    "/no/such/page",
]


async def _serious(page) -> list[str]:
    results = await Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
async def test_no_page_has_a_serious_accessibility_problem(site, browser, db, locale, shots):
    await relay_all(db)
    idea = await db.fetchval(
        "SELECT id FROM ideas WHERE author_id = (SELECT id FROM employees WHERE email = $1) ORDER BY id LIMIT 1",
        "admin@example.com",
    ) or await db.fetchval("SELECT min(id) FROM ideas")
    signed_out = await new_page(browser, locale=locale)
    await signed_out.goto(site.at("/sign-in"))
    problems = {"/sign-in": await _serious(signed_out)}
    page = await new_page(browser, locale=locale)
    await dev_sign_in(page, site, "admin@example.com")
    for path in PAGES:
        await page.goto(site.at(path.format(idea=idea)))
        problems[path] = await _serious(page)
    await shots.take(page, "not-found")
    assert {path: found for path, found in problems.items() if found} == {}
