"""Who hears about an event: run by the outbox relay, in the same transaction that marks the
event dispatched, so each event notifies each person exactly once.

Votes notify nobody (they appear in counts and digests), so a vote storm adds no work here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from portal.db import Connection
from portal.notifications import queries as q

Event = asyncpg.Record
MAX_MENTIONS = 20
EXCERPT = 280
# `@aiko@example.com`, `@aiko` (an address's part before the @) or `@AikoTanaka` (a name
# written without its spaces); trailing
# punctuation is not part of it.
MENTION = re.compile(
    r"(?<![\w@])@([^\s@]+@[^\s@]+\.[^\s@]*[^\s@.,;:!?)\]]|[^\s@.,;:!?()\[\]]+(?:\.[^\s@.,;:!?()\[\]]+)*)"
)


def mentions(text: str) -> tuple[list[str], list[str]]:
    """The addresses and the spaceless names a comment mentions, lower case."""
    emails: list[str] = []
    names: list[str] = []
    for match in MENTION.finditer(text):
        token = match.group(1).lower()
        (emails if "@" in token else names).append(token)
        if len(emails) + len(names) >= MAX_MENTIONS:
            break
    return emails, names


# An attachment's Markdown (an image's linked thumbnail, or a file's link), said as its name and address.
ATTACHED = re.compile(r"\[(?:!\[([^\]]*)\]\(/attachments/\d+/thumbnail\)|([^\]]*))\]\((/attachments/\d+)\)")


def excerpt(text: str) -> str:
    """The text in one line; an attachment as its name and address (an email links it, never carries it)."""
    text = ATTACHED.sub(lambda m: f"📎 {m.group(1) or m.group(2)} ({m.group(3)})", text)
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


async def _name(conn: Connection, employee_id: int | None) -> tuple[int | None, str | None]:
    row = await conn.fetchrow(q.EMPLOYEE_NAME, employee_id) if employee_id is not None else None
    return (row["id"], row["name"]) if row else (None, None)


async def _followers(
    conn: Connection,
    event: Event,
    kind: str,
    idea_id: int,
    actor: int | None,
    data: dict[str, Any],
    team_id: int | None = None,
    before_comment: int | None = None,
) -> int:
    excluded = [actor] if actor is not None else []
    return await conn.fetchval(q.NOTIFY_FOLLOWERS, event["id"], kind, idea_id, team_id, data, excluded, before_comment)


async def _listed(
    conn: Connection,
    event: Event,
    kind: str,
    *,
    recipients: list[int],
    reason: str,
    idea_id: int | None,
    team_id: int | None,
    data: dict[str, Any],
) -> int:
    if not recipients:
        return 0
    return await conn.fetchval(
        q.NOTIFY_LISTED, event["id"], kind, idea_id, team_id, data, recipients, [reason] * len(recipients)
    )


async def status_changed(conn: Connection, event: Event) -> int:
    data = event["data"]
    actor, by_name = await _name(conn, data.get("by"))
    told = {"from": data["from"], "to": data["to"], "reason": data.get("reason"), "by_name": by_name}
    return await _followers(conn, event, "status_changed", data["id"], actor, told)


async def responded(conn: Connection, event: Event) -> int:
    data = event["data"]
    row = await conn.fetchrow(q.EMPLOYEE_BY_EMAIL, data.get("by"))
    team = await conn.fetchrow(q.TEAM_BY_SLUG, data["team"])
    told = {
        "team": data["team"],
        "team_name": team["name"] if team else data["team"],
        "decision": data["decision"],
        "message": excerpt(data.get("message") or ""),
        "by_name": row["name"] if row else None,
    }
    actor = row["id"] if row else None
    return await _followers(conn, event, "responded", data["idea_id"], actor, told, team["id"] if team else None)


async def comment_created(conn: Connection, event: Event) -> int:
    data = event["data"]
    body = await conn.fetchval(q.COMMENT_BODY, data["comment_id"]) or ""
    actor, by_name = await _name(conn, data.get("author_id"))
    told = {"comment_id": data["comment_id"], "excerpt": excerpt(body), "by_name": by_name}
    emails, names = mentions(body)
    mentioned = (
        [row["id"] for row in await conn.fetch(q.MENTIONED, emails, names) if row["id"] != actor]
        if emails or names
        else []
    )
    # Mentions first: someone both mentioned and following is told once, as mentioned.
    due = await _listed(
        conn,
        event,
        "mention",
        recipients=mentioned,
        reason="mentioned",
        idea_id=data["idea_id"],
        team_id=None,
        data=told,
    )
    return due + await _followers(
        conn, event, "comment", data["idea_id"], actor, told, before_comment=data["comment_id"]
    )


# Events told to their team's leads: the notification kind, and whether it is about an idea.
TO_LEADS = {
    "idea.routed": ("routed", True),
    "routing.overdue": ("overdue", True),
    "digest.compiled": ("digest", False),
    "chat.disabled": ("chat", False),
}
TOLD_LEADS = ("team", "role", "due_at", "digest_id", "period_end", "kind", "reason")


async def to_leads(conn: Connection, events: list[Event]) -> int:
    """The leads of each event's team, for all such events of a batch in one statement (a new
    idea reaches several teams: this is most of a busy batch's notifications)."""
    rows = []
    for event in events:
        data = event["data"]
        if data.get("role_changed"):
            continue
        kind, about_idea = TO_LEADS[event["type"]]
        told = {key: value for key, value in data.items() if key in TOLD_LEADS}
        rows.append((event["id"], kind, data.get("idea_id") if about_idea else None, data["team"], json.dumps(told)))
    if not rows:
        return 0
    ids, kinds, ideas, teams, told_json = (list(column) for column in zip(*rows))
    return await conn.fetchval(q.NOTIFY_LEADS, ids, kinds, ideas, teams, told_json)


async def escalated(conn: Connection, event: Event) -> int:
    data = event["data"]
    team = await conn.fetchrow(q.TEAM_BY_SLUG, data["team"])
    admins = [row["id"] for row in await conn.fetch(q.ADMINS)]
    told = {
        "team": data["team"],
        "team_name": team["name"] if team else data["team"],
        "due_at": data["due_at"],
        "escalated": True,
        "no_lead": bool(data.get("no_lead")),
    }
    return await _listed(
        conn,
        event,
        "overdue",
        recipients=admins,
        reason="admin",
        idea_id=data["idea_id"],
        team_id=team["id"] if team else None,
        data=told,
    )


async def thanked(conn: Connection, event: Event) -> int:
    """A colleague hears their thanks; a team's leads hear the team's (private ones too)."""
    data = event["data"]
    row = await conn.fetchrow(q.THANKS, data["id"])
    if row is None:
        return 0
    told = {"message": row["message"], "by_name": row["by_name"], "thanks_id": data["id"]}
    if row["to_employee_id"] is not None:
        return await _listed(
            conn,
            event,
            "thanks",
            recipients=[row["to_employee_id"]],
            reason="thanked",
            idea_id=row["idea_id"],
            team_id=None,
            data=told,
        )
    leads = [lead["employee_id"] for lead in await conn.fetch(q.TEAM_LEADS, row["to_team_id"])]
    return await _listed(
        conn,
        event,
        "thanks",
        recipients=leads,
        reason="lead",
        idea_id=row["idea_id"],
        team_id=row["to_team_id"],
        data={**told, "team": row["team"], "team_name": row["team_name"]},
    )


async def idea_edited(conn: Connection, event: Event) -> int:
    """Voters hear of an edit that changed the idea's title or text substantially."""
    data = event["data"]
    if not data.get("substantial"):
        return 0
    actor, by_name = await _name(conn, data.get("by"))
    voters = [row["employee_id"] for row in await conn.fetch(q.VOTERS, data["id"], actor)]
    return await _listed(
        conn,
        event,
        "idea_edited",
        recipients=voters,
        reason="voter",
        idea_id=data["id"],
        team_id=None,
        data={"by_name": by_name},
    )


HANDLERS: dict[str, Callable[[Connection, Event], Awaitable[int]]] = {
    "idea.updated": idea_edited,
    "idea.status_changed": status_changed,
    "routing.responded": responded,
    "comment.created": comment_created,
    "routing.escalated": escalated,
    "thanks.sent": thanked,
}


async def fan_out(conn: Connection, events: list[Event]) -> int:
    """Creates the notifications a batch of events causes; answers how many are due by email now."""
    due = await to_leads(conn, [event for event in events if event["type"] in TO_LEADS])
    for event in events:
        handler = HANDLERS.get(event["type"])
        if handler is not None:
            due += await handler(conn, event)
    return due
