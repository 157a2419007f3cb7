"""What Slack's people do with the portal: press a message's buttons, answer in a modal, post or
find ideas with /idea, and see idea links unfurled. Each acts as the employee Slack's user is
(matched by the address Slack holds for them, users.info) under the portal's own permissions:
nothing in a request is trusted beyond its verified signature.

These functions take the unit of work's connection and answer what Slack is sent back (a view,
an ephemeral message, unfurls); portal.chat.http parses and verifies the requests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from portal.auth.caller import Caller, Employee
from portal.chat import queries as q
from portal.chat.cards import escape, plain
from portal.db import Connection
from portal.errors import Forbidden, PortalError, ValidationFailed
from portal.http.validation import validate_body
from portal.ideas import listing
from portal.ideas import service as ideas
from portal.ideas.schemas import IdeaCreate, IdeaQuery
from portal.lookups import require_lead_or_admin, team_id_by_slug
from portal.routing import service as routing
from portal.routing.schemas import RoutingPreview, RoutingResponse
from portal.vocabulary import LABELS

DECISIONS = ("accepted", "planned", "declined", "acknowledged")
SEARCH_RESULTS = 5
IDEA_PATH = re.compile(r"^/ideas/([0-9]{1,18})/?$")


class NotAnEmployee(Forbidden):
    """The Slack user is no active employee of the portal's (or Slack would not say who they are)."""


async def slack_email(slack: AsyncWebClient, user_id: str) -> str:
    """The address Slack holds for the user (users.info; the app's users:read.email scope)."""
    try:
        info = await slack.users_info(user=user_id)
    except SlackApiError as exc:
        raise NotAnEmployee(f"Slack did not say who you are ({exc.response.get('error')})") from None
    email = ((info.get("user") or {}).get("profile") or {}).get("email")
    if not email:
        raise NotAnEmployee("Slack holds no email address for you, so the portal cannot tell who you are")
    return str(email)


async def person(conn: Connection, email: str) -> Caller:
    """The active employee with this address, as of this transaction."""
    row = await conn.fetchrow(q.EMPLOYEE_BY_EMAIL, email)
    if row is None:
        raise NotAnEmployee("your Slack address is not an active employee's in the portal")
    return Caller(employee=Employee(**dict(row)))


def _routing_of(value: str) -> tuple[int, str]:
    """A button's value names a routing; it is checked against the database like any input."""
    try:
        data = json.loads(value)
        return int(data["idea"]), str(data["team"])
    except (ValueError, KeyError, TypeError):
        raise ValidationFailed([{"field": "value", "message": "not a routing", "type": "value"}]) from None


async def acknowledge(conn: Connection, caller: Caller, value: str) -> str:
    idea_id, team = _routing_of(value)
    await routing.respond(
        conn, caller, idea_id=idea_id, slug=team, answer=RoutingResponse(decision="acknowledged", message="")
    )
    return f"{team} acknowledged idea {idea_id}."


async def answer_view(conn: Connection, caller: Caller, value: str) -> dict[str, Any]:
    """The modal a lead answers in; refused now if they may not answer (checked again on submit)."""
    idea_id, team = _routing_of(value)
    await require_lead_or_admin(conn, caller, await team_id_by_slug(conn, team), team)  # as answering does
    title = await conn.fetchval("SELECT title FROM ideas WHERE id = $1", idea_id) or f"Idea {idea_id}"
    options = [{"text": plain(LABELS["state"][d]), "value": d} for d in DECISIONS]
    return {
        "type": "modal",
        "callback_id": "answer",
        "private_metadata": value,
        "title": plain("Answer the idea", 24),
        "submit": plain("Send answer", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{escape(title)}*\nfor {escape(team)}"}},
            {
                "type": "input",
                "block_id": "decision",
                "label": plain("Your team's answer"),
                "element": {"type": "radio_buttons", "action_id": "value", "options": options},
            },
            {
                "type": "input",
                "block_id": "message",
                "optional": True,
                "label": plain("Message to the author and voters (needed to decline)"),
                "element": {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 5000},
            },
        ],
    }


def _value(values: Mapping[str, Any], block: str) -> Any:
    element = (values.get(block) or {}).get("value") or {}
    if "selected_option" in element:
        return (element.get("selected_option") or {}).get("value")
    if "selected_options" in element:
        return [option["value"] for option in element.get("selected_options") or []]
    return element.get("value")


def refusal(exc: PortalError, fields: Mapping[str, str], fallback: str) -> dict[str, Any]:
    """A modal's answer for a refused submission: each message at its block (Slack's response_action)."""
    errors: dict[str, str] = {}
    if isinstance(exc, ValidationFailed):
        for error in exc.errors:
            block = fields.get(str(error["field"]).split(".")[0], fallback)
            errors.setdefault(block, str(error["message"])[:150])
    else:
        errors[fallback] = exc.detail[:150]
    return {"response_action": "errors", "errors": errors}


async def submit_answer(conn: Connection, caller: Caller, metadata: str, values: Mapping[str, Any]) -> None:
    idea_id, team = _routing_of(metadata)
    answer = validate_body(
        {"decision": _value(values, "decision") or "", "message": _value(values, "message") or ""}, RoutingResponse
    )
    await routing.respond(conn, caller, idea_id=idea_id, slug=team, answer=answer)


async def idea_view(conn: Connection) -> dict[str, Any]:
    """The modal /idea opens: a title, what would be better, and the services it concerns."""
    services = await conn.fetch(q.SERVICE_OPTIONS)
    blocks: list[dict[str, Any]] = [
        {
            "type": "input",
            "block_id": "title",
            "label": plain("Title"),
            "element": {"type": "plain_text_input", "action_id": "value", "min_length": 5, "max_length": 200},
        },
        {
            "type": "input",
            "block_id": "body",
            "optional": True,
            "label": plain("What would be better"),
            "element": {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 3000},
        },
    ]
    if services:
        blocks.append(
            {
                "type": "input",
                "block_id": "services",
                "optional": True,
                "label": plain("Services it concerns"),
                "element": {
                    "type": "multi_static_select",
                    "action_id": "value",
                    "options": [{"text": plain(s["name"], 75), "value": s["slug"]} for s in services],
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": "new_idea",
        "title": plain("Post an idea", 24),
        "submit": plain("Post", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


async def submit_idea(conn: Connection, caller: Caller, values: Mapping[str, Any], public_url: str) -> dict[str, Any]:
    """Posts the idea as the person; answers the view saying where it goes (the routing preview)."""
    data = validate_body(
        {
            "title": _value(values, "title") or "",
            "body": _value(values, "body") or "",
            "services": _value(values, "services") or [],
        },
        IdeaCreate,
    )
    idea = await ideas.create_idea(conn, caller, data)
    reached = await routing.preview(conn, RoutingPreview(title=data.title, body=data.body, services=data.services))
    goes_to = ", ".join(f"{t.name} ({LABELS['role'][t.role].lower()})" for t in reached) or "no team yet"
    url = f"{public_url}/ideas/{idea.id}"
    return {
        "response_action": "update",
        "view": {
            "type": "modal",
            "title": plain("Idea posted", 24),
            "close": plain("Done", 24),
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*<{url}|{escape(data.title)}>*"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": f"It goes to: {escape(goes_to)}"}},
            ],
        },
    }


async def search(conn: Connection, caller: Caller, text: str, public_url: str) -> dict[str, Any]:
    """`/idea <words>`: the best matches, with their votes, shown only to the person who asked."""
    query = validate_body({"q": text[:200], "sort": "relevance", "limit": SEARCH_RESULTS}, IdeaQuery)
    page = await listing.list_ideas(conn, viewer=caller.require_employee().id, query=query)
    if not page.items:
        words = f"No idea matches “{escape(text)}” yet. Type `/idea` alone to post one."
        return {"response_type": "ephemeral", "text": words}
    lines = [
        f"• *<{public_url}/ideas/{i.id}|{escape(i.title)}>* · {i.vote_count} votes · "
        f"{LABELS['status'].get(i.status, i.status)}"
        for i in page.items
    ]
    return {
        "response_type": "ephemeral",
        "text": f"Ideas matching “{text}”",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}],
    }


async def unfurls(conn: Connection, urls: list[str], public_url: str) -> dict[str, Any]:
    """Previews of the portal's idea links among `urls`, for ideas every employee may read (the
    portal has no private ideas: every idea is, and a link to anything else is left alone)."""
    found: dict[str, Any] = {}
    for url in urls:
        if not url.startswith(public_url + "/"):
            continue
        match = IDEA_PATH.match(url[len(public_url) :].split("?")[0].split("#")[0])
        if not match:
            continue
        idea = await conn.fetchrow(q.IDEA_LINK, int(match.group(1)))
        if idea is None:
            continue
        teams = [
            f"{row['name']} ({LABELS['role'][row['role']].lower()})"
            for row in await conn.fetch(q.IDEA_TEAMS, idea["id"])
        ]
        summary = (
            f"*<{url}|{escape(idea['title'])}>*\n{LABELS['status'].get(idea['status'], idea['status'])} · "
            f"{idea['vote_count']} votes" + (f" · {escape(', '.join(teams))}" if teams else "")
        )
        found[url] = {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": summary}}]}
    return found
