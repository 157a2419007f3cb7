"""Daily use of the web client, as an employee, a lead and an admin would meet it: no risky
defaults, forms that keep what was typed, people picked by name, names rather than codes, and
messages written for people in their language."""

from __future__ import annotations

import html
import re

import pytest

from portal.routing.service import route_idea
from portal.seed import seed
from tests.factories import sign_in

LAPTOPS = 1  # the demo's first idea: laptop set-up, routed to IT (provider) and its customers


@pytest.fixture
async def demo(db):
    await seed(db)
    for idea_id in await db.fetchval("SELECT array_agg(id ORDER BY id) FROM ideas"):
        await route_idea(db, idea_id=idea_id)


def _selected(page: str, select_id: str) -> str | None:
    """The value a select shows as chosen (None: the first option, as a browser would)."""
    select = re.search(rf'<select id="{select_id}".*?</select>', page, re.S)
    assert select, f"no select {select_id}"
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(0))
    return chosen.group(1) if chosen else None


def _first_option(page: str, select_id: str) -> str:
    select = re.search(rf'<select id="{select_id}".*?</select>', page, re.S)
    return re.search(r'<option value="([^"]*)"', select.group(0)).group(1)


async def test_a_leads_answer_and_a_status_change_start_from_no_choice(client, demo):
    await sign_in(client, "ken.lead@example.com")
    page = await (await client.get(f"/ideas/{LAPTOPS}")).text()
    assert _selected(page, "decision-it") is None and _first_option(page, "decision-it") == ""
    assert _selected(page, "new-status") is None and _first_option(page, "new-status") == ""


async def test_a_decline_without_a_reason_comes_back_with_the_choice_kept(client, demo, db):
    csrf = await sign_in(client, "ken.lead@example.com")
    response = await client.post(
        f"/ideas/{LAPTOPS}/routings/it/response", data={"csrf_token": csrf, "decision": "declined", "message": ""}
    )
    page = await response.text()
    assert response.status == 422
    assert "Say why you decline: the author and the voters read it" in page
    assert _selected(page, "decision-it") == "declined"
    state = await db.fetchval(
        "SELECT state FROM routings r JOIN teams t ON t.id = r.team_id WHERE r.idea_id = $1 AND t.slug = 'it'", LAPTOPS
    )
    assert state == "pending"


async def test_an_answer_sent_says_what_was_done(client, demo):
    csrf = await sign_in(client, "ken.lead@example.com")
    response = await client.post(
        f"/ideas/{LAPTOPS}/routings/it/response",
        data={"csrf_token": csrf, "decision": "declined", "message": "Images per role are planned for next year"},
        allow_redirects=False,
    )
    assert response.status == 303 and "done=answered" in response.headers["Location"]
    page = await (await client.get(response.headers["Location"])).text()
    assert 'role="status">Your team&#39;s answer was sent.' in page


async def test_an_unknown_done_key_says_nothing(client, demo):
    await sign_in(client, "aiko@example.com")
    page = await (await client.get(f"/ideas/{LAPTOPS}?done=<script>")).text()
    assert 'class="notice done"' not in page and "<script>" not in page.split("<main")[1].split("</main>")[0]


async def test_the_api_refuses_a_decline_without_a_message(client, auth, demo):
    response = await client.post(
        f"/api/v1/ideas/{LAPTOPS}/routings/it/response",
        headers=auth("ken.lead@example.com"),
        json={"decision": "declined"},
    )
    assert response.status == 422
    error = (await response.json())["errors"][0]
    assert error["field"] == "body.message" and error["type"] == "decline_reason"


async def test_thanking_an_unknown_address_keeps_the_message_and_says_so_at_the_field(client, demo):
    csrf = await sign_in(client, "aiko@example.com")
    response = await client.post(
        "/thanks",
        data={"csrf_token": csrf, "to_employee": "nobody@example.com", "message": "You saved my week", "public": "1"},
    )
    page = await response.text()
    assert response.status == 422
    assert "No colleague has this email address: check it, or look them up by name" in page
    assert "You saved my week</textarea>" in page


async def test_a_colleague_is_thanked_by_part_of_their_name(client, demo, db):
    csrf = await sign_in(client, "aiko@example.com")
    response = await client.post(
        "/thanks",
        data={"csrf_token": csrf, "to_employee": "Ken", "message": "Laptop ready on day one", "public": "1"},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    thanked = await db.fetchval(
        "SELECT e.email FROM thanks t JOIN employees e ON e.id = t.to_employee_id WHERE t.message = $1",
        "Laptop ready on day one",
    )
    assert thanked == "ken.lead@example.com"


async def test_a_name_several_people_share_comes_back_as_a_choice_between_them(client, demo, db):
    await db.execute(
        "INSERT INTO employees (subject, email, name) VALUES ('ken.mori@example.com', 'ken.mori@example.com', 'Ken Mori')"
    )
    csrf = await sign_in(client, "aiko@example.com")
    response = await client.post(
        "/thanks", data={"csrf_token": csrf, "to_employee": "ken", "message": "Thanks!", "public": "1"}
    )
    page = await response.text()
    assert response.status == 422 and "Several colleagues match: choose one of them" in page
    choices = re.findall(r'<input type="radio" name="to_employee" value="([^"]+)">', page)
    assert sorted(choices) == ["ken.lead@example.com", "ken.mori@example.com"]
    assert "Thanks!</textarea>" in page


async def test_the_person_picker_offers_matching_colleagues_as_one_types(client, demo):
    await sign_in(client, "aiko@example.com")
    response = await client.get(
        "/people/matches", params={"field": "to_employee", "list": "to_employee-matches", "to_employee": "sat"}
    )
    fragment = await response.text()
    assert response.status == 200
    assert fragment.startswith('<datalist id="to_employee-matches">')
    assert '<option value="ken.lead@example.com">Ken Sato · IT service desk</option>' in fragment


async def test_the_person_picker_refuses_a_list_id_that_is_not_one(client, demo):
    await sign_in(client, "aiko@example.com")
    response = await client.get("/people/matches", params={"field": "to_employee", "list": '"><script>'})
    assert response.status == 422


async def test_an_admin_adds_a_lead_by_name(client, demo, db):
    csrf = await sign_in(client, "admin@example.com")
    response = await client.post(
        "/admin/teams/finance/leads", data={"csrf_token": csrf, "email": "Yuki"}, allow_redirects=False
    )
    assert response.status == 303, await response.text()
    leads = await db.fetchval(
        "SELECT array_agg(e.email) FROM team_leads l JOIN employees e ON e.id = l.employee_id "
        "JOIN teams t ON t.id = l.team_id WHERE t.slug = 'finance'"
    )
    assert leads == ["yuki@example.com"]


async def test_pages_name_teams_and_services_not_their_slugs(client, demo):
    await sign_in(client, "ken.lead@example.com")
    inbox = await (await client.get("/teams/it/inbox")).text()
    assert "<h1>Inbox: IT service desk</h1>" in inbox and "Inbox: it<" not in inbox
    idea = await (await client.get(f"/ideas/{LAPTOPS}")).text()
    assert ">Laptop set-up</a>" in idea and ">laptop-setup</a>" not in idea
    assert "<strong>IT service desk</strong>" in idea
    listing = await (await client.get("/")).text()
    assert "Aiko Tanaka (Marketing)" in listing and "(marketing)" not in listing
    form = await (await client.get("/ideas/new")).text()
    assert "(facilities)" not in form


async def test_validation_messages_are_written_for_people_in_their_language(client, demo):
    csrf = await sign_in(client, "admin@example.com")
    await client.post("/settings/language", data={"csrf_token": csrf, "locale": "ja", "next": "/"})
    response = await client.post(
        "/campaigns",
        data={
            "csrf_token": csrf,
            "slug": "laptops-2027",
            "question": "How do we cut set-up to one day?",
            "collect_until": "soon",
            "vote_until": "2027-02-01T10:00",
            "decide_until": "2027-03-01T10:00",
        },
    )
    page = await response.text()
    assert response.status == 422
    assert "日時を入力してください" in page and "Input should be" not in page


async def test_one_date_style_per_language(client, demo):
    await sign_in(client, "aiko@example.com")
    page = await (await client.get(f"/ideas/{LAPTOPS}")).text()
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M<", page)
    assert not re.search(r">\d{1,2}/\d{1,2}/\d{2},", page)


async def test_admins_download_the_scorecards_csv_under_their_session(client, demo):
    await sign_in(client, "admin@example.com")
    page = await (await client.get("/admin/scorecards")).text()
    link = html.unescape(re.search(r'href="(/admin/scorecards\.csv[^"]*)"', page).group(1))
    response = await client.get(link)
    assert response.status == 200 and response.content_type == "text/csv"
    assert (await response.text()).startswith("team,")


async def test_employees_may_not_download_the_scorecards_csv(client, demo):
    await sign_in(client, "aiko@example.com")
    assert (await client.get("/admin/scorecards.csv")).status == 403


async def test_a_scorecard_not_compiled_yet_shows_no_zeros(client, demo):
    await sign_in(client, "ken.lead@example.com")
    page = await (await client.get("/teams/it/scorecard")).text()
    assert "not compiled yet" in page and "Ideas routed to the team</th><td>0<" not in page


async def test_the_webhook_form_refuses_a_private_address_at_the_field(client, demo, db):
    csrf = await sign_in(client, "admin@example.com")
    response = await client.post(
        "/admin/webhooks",
        data={"csrf_token": csrf, "url": "http://10.1.2.3:9/hook", "event_types": "idea.created"},
    )
    assert response.status == 422 and "not a public address" in await response.text()
    assert await db.fetchval("SELECT count(*) FROM webhooks") == 0


async def test_similar_ideas_are_offered_while_a_title_is_typed(client, auth, demo):
    response = await client.get(
        "/api/v1/similar-ideas", headers=auth("tom@example.com"), params={"title": "Faster laptop set-up"}
    )
    similar = await response.json()
    assert response.status == 200 and similar[0]["id"] == LAPTOPS
    await sign_in(client, "tom@example.com")
    fragment = await (await client.get("/ideas/similar", params={"title": "laptops for new hires"})).text()
    assert "Laptop set-up for new Marketing hires in one day, not five" in fragment


async def test_a_title_too_short_to_compare_offers_nothing(client, demo):
    await sign_in(client, "tom@example.com")
    fragment = await (await client.get("/ideas/similar", params={"title": "la"})).text()
    assert "<li>" not in fragment


async def test_a_comment_refused_under_htmx_comes_back_as_the_form_with_its_error(client, demo):
    csrf = await sign_in(client, "aiko@example.com")
    response = await client.post(
        f"/ideas/{LAPTOPS}/comments", data={"csrf_token": csrf, "body": "   "}, headers={"HX-Request": "true"}
    )
    fragment = await response.text()
    assert response.status == 422
    assert response.headers["HX-Retarget"] == "#comment-form" and response.headers["HX-Reswap"] == "outerHTML"
    assert fragment.lstrip().startswith('<form id="comment-form"') and 'aria-invalid="true"' in fragment


async def test_an_outcome_note_refused_keeps_what_was_typed(client, auth, demo):
    for status in ("planned", "in_progress", "done"):
        response = await client.post(
            f"/api/v1/ideas/{LAPTOPS}/status", headers=auth.admin, json={"status": status, "reason": "Decided"}
        )
        assert response.status == 200, await response.text()
    csrf = await sign_in(client, "admin@example.com")
    typed = "Set-up now takes one day. " * 200  # over the 5,000 characters a note may have
    response = await client.post(f"/ideas/{LAPTOPS}/outcome", data={"csrf_token": csrf, "note": typed})
    page = await response.text()
    assert response.status == 422 and "Enter at most 5000 characters" in page
    assert typed.strip() in html.unescape(page)


async def test_what_the_last_form_did_is_not_carried_into_the_next_ones_way_back(client, demo):
    await sign_in(client, "aiko@example.com")
    page = await (await client.get(f"/ideas/{LAPTOPS}?done=answered")).text()
    assert 'class="notice done"' in page
    assert f'name="next" value="/ideas/{LAPTOPS}"' in page and "done=answered" not in page.split("</main>")[1]
