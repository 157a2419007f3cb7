"""Slack's requests to the portal: verified by signature (made here with slack_sdk's own signing
code), then acted on as the employee Slack says pressed or typed, under the portal's permissions."""

from __future__ import annotations

import json
import time

import pytest

from tests.factories import make_employee, make_idea, relay_all
from tests.fake_slack import form, signed

pytestmark = pytest.mark.usefixtures("service_map")


async def post(client, path: str, body: bytes, **signing):
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(body, **signing)}
    return await client.post(path, data=body, headers=headers)


async def routed_idea(client, auth, db, title: str = "Laptops ready on day one") -> dict:
    await make_employee(client, auth, "emma@example.com", team="marketing")
    idea = await make_idea(client, auth("emma@example.com", team="marketing"), title, services=["laptop-setup"])
    await relay_all(db)
    return idea


def button(action_id: str, idea_id: int, user: str, team: str = "it") -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "trigger_id": "T-1",
        "channel": {"id": "C0ITTEAM1"},
        "actions": [{"action_id": action_id, "value": json.dumps({"idea": idea_id, "team": team})}],
    }
    return form(payload=json.dumps(payload))


def submission(callback_id: str, user: str, values: dict, metadata: str = "") -> bytes:
    view = {"callback_id": callback_id, "private_metadata": metadata, "state": {"values": values}}
    return form(payload=json.dumps({"type": "view_submission", "user": {"id": user}, "view": view}))


def radio(value: str) -> dict:
    return {"value": {"type": "radio_buttons", "selected_option": {"value": value}}}


def text(value: str) -> dict:
    return {"value": {"type": "plain_text_input", "value": value}}


@pytest.mark.parametrize("path", ["/slack/commands", "/slack/interactions", "/slack/events"])
async def test_a_request_not_signed_by_slack_is_refused(client, path):
    body = form(command="/idea", text="", user_id="ULENA")
    unsigned = await client.post(path, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    wrong = await post(client, path, body, secret="not-the-signing-secret")
    stale = await post(client, path, body, at=time.time() - 6 * 60)
    for response in (unsigned, wrong, stale):
        assert response.status == 401
        assert response.content_type == "application/problem+json"


async def test_a_tampered_body_is_refused(client):
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(form(text="a"))}
    response = await client.post("/slack/commands", data=form(text="b"), headers=headers)
    assert response.status == 401


async def test_the_events_url_check_is_answered(client):
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aB"}).encode()
    response = await client.post(
        "/slack/events", data=body, headers={"Content-Type": "application/json", **signed(body)}
    )
    assert await response.json() == {"challenge": "3eZbrw1aB"}


async def test_acknowledge_answers_as_the_lead_who_pressed_it(client, auth, db, slack):
    idea = await routed_idea(client, auth, db)
    response = await post(client, "/slack/interactions", button("acknowledge", idea["id"], "ULENA"))
    assert response.status == 200
    row = await db.fetchrow(
        "SELECT r.state, e.email FROM routings r JOIN employees e ON e.id = r.responded_by "
        "JOIN teams t ON t.id = r.team_id WHERE t.slug = 'it'"
    )
    assert (row["state"], row["email"]) == ("acknowledged", "lena@example.com")


async def test_a_button_pressed_by_someone_who_may_not_answer_changes_nothing_and_says_why(client, auth, db, slack):
    idea = await routed_idea(client, auth, db)
    await post(client, "/slack/interactions", button("acknowledge", idea["id"], "UEMMA"))
    assert (
        await db.fetchval("SELECT state FROM routings r JOIN teams t ON t.id = r.team_id WHERE t.slug = 'it'")
        == "pending"
    )
    [told] = slack.called("chat.postEphemeral")
    assert told["user"] == "UEMMA" and "leads" in told["text"]


async def test_a_slack_user_who_is_not_an_employee_is_refused(client, auth, db, slack):
    idea = await routed_idea(client, auth, db)
    slack.users["USTRANGER"] = "someone@elsewhere.example"
    await post(client, "/slack/interactions", button("acknowledge", idea["id"], "USTRANGER"))
    assert await db.fetchval("SELECT count(*) FROM routings WHERE state = 'acknowledged'") == 0
    assert "not an active employee" in slack.called("chat.postEphemeral")[0]["text"]


async def test_answer_opens_a_modal_and_its_submission_is_the_leads_answer(client, auth, db, slack):
    idea = await routed_idea(client, auth, db)
    await post(client, "/slack/interactions", button("answer", idea["id"], "ULENA"))
    [opened] = slack.called("views.open")
    view = opened["view"]
    assert opened["trigger_id"] == "T-1" and view["callback_id"] == "answer"
    values = {"decision": radio("planned"), "message": text("Next quarter, with the new image.")}
    response = await post(
        client, "/slack/interactions", submission("answer", "ULENA", values, view["private_metadata"])
    )
    assert response.status == 200 and await response.text() == ""
    row = await db.fetchrow(
        "SELECT state, message FROM routings r JOIN teams t ON t.id = r.team_id WHERE t.slug = 'it'"
    )
    assert dict(row) == {"state": "planned", "message": "Next quarter, with the new image."}


async def test_a_decline_without_a_reason_is_refused_at_its_field_in_the_modal(client, auth, db, slack):
    idea = await routed_idea(client, auth, db)
    metadata = json.dumps({"idea": idea["id"], "team": "it"})
    values = {"decision": radio("declined"), "message": text("")}
    response = await post(client, "/slack/interactions", submission("answer", "ULENA", values, metadata))
    answer = await response.json()
    assert answer["response_action"] == "errors" and "message" in answer["errors"]
    assert await db.fetchval("SELECT count(*) FROM routings WHERE state = 'declined'") == 0


async def test_answer_is_refused_before_the_modal_opens_for_someone_who_may_not(client, auth, db, slack):
    idea = await routed_idea(client, auth, db)
    await post(client, "/slack/interactions", button("answer", idea["id"], "UMARK"))
    assert slack.called("views.open") == []
    assert slack.called("chat.postEphemeral")


async def test_slash_idea_opens_the_modal_and_posts_the_idea_as_the_person(client, auth, db, slack):
    await make_employee(client, auth, "emma@example.com", team="marketing")
    response = await post(client, "/slack/commands", form(command="/idea", text="", user_id="UEMMA", trigger_id="T-9"))
    assert response.status == 200
    [opened] = slack.called("views.open")
    assert opened["view"]["callback_id"] == "new_idea"
    services = next(b for b in opened["view"]["blocks"] if b["block_id"] == "services")
    assert {"laptop-setup"} == {o["value"] for o in services["element"]["options"]}
    values = {
        "title": text("Print from phones"),
        "body": text("Printing needs a laptop today."),
        "services": {"value": {"type": "multi_static_select", "selected_options": [{"value": "laptop-setup"}]}},
    }
    answer = await (await post(client, "/slack/interactions", submission("new_idea", "UEMMA", values))).json()
    assert answer["response_action"] == "update"
    shown = json.dumps(answer["view"])
    assert "Print from phones" in shown and "It (provider)" in shown and "Marketing (customer)" in shown
    row = await db.fetchrow("SELECT i.title, e.email FROM ideas i JOIN employees e ON e.id = i.author_id")
    assert dict(row) == {"title": "Print from phones", "email": "emma@example.com"}


async def test_a_too_short_title_is_refused_at_its_field(client, auth, db, slack):
    await make_employee(client, auth, "emma@example.com", team="marketing")
    answer = await (
        await post(client, "/slack/interactions", submission("new_idea", "UEMMA", {"title": text("Hi")}))
    ).json()
    assert answer["response_action"] == "errors" and "title" in answer["errors"]
    assert await db.fetchval("SELECT count(*) FROM ideas") == 0


async def test_slash_idea_with_words_answers_only_the_person_with_the_best_matches(client, auth, db, slack):
    idea = await routed_idea(client, auth, db, "印刷をスマホから")
    await routed_idea(client, auth, db, "Parking spaces for visitors")
    response = await post(client, "/slack/commands", form(command="/idea", text="印刷", user_id="ULENA"))
    answer = await response.json()
    assert answer["response_type"] == "ephemeral"
    shown = json.dumps(answer, ensure_ascii=False)
    assert "印刷をスマホから" in shown and f"/ideas/{idea['id']}" in shown and "0 votes" in shown
    assert "Parking" not in shown


async def test_idea_links_are_unfurled_and_other_links_left_alone(client, auth, db, slack):
    idea = await routed_idea(client, auth, db)
    url = f"http://portal.example.com/ideas/{idea['id']}"
    event = {
        "type": "link_shared",
        "channel": "C0ITTEAM1",
        "message_ts": "1.000001",
        "links": [{"url": url}, {"url": "http://portal.example.com/ideas/999999"}, {"url": "https://example.org/x"}],
    }
    body = json.dumps({"type": "event_callback", "event": event}).encode()
    response = await client.post(
        "/slack/events", data=body, headers={"Content-Type": "application/json", **signed(body)}
    )
    assert response.status == 200
    [unfurl] = slack.called("chat.unfurl")
    assert list(unfurl["unfurls"]) == [url]
    assert "Laptops ready on day one" in json.dumps(unfurl["unfurls"]) and "It (provider)" in json.dumps(
        unfurl["unfurls"]
    )


async def test_a_search_the_portal_cannot_read_is_answered_not_failed(client, auth, db, slack):
    await routed_idea(client, auth, db)
    response = await post(client, "/slack/commands", form(command="/idea", text="a\x00b", user_id="ULENA"))
    assert response.status == 200
    assert (await response.json())["response_type"] == "ephemeral"
