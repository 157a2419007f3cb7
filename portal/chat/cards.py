"""What a team channel is shown: Block Kit for Slack, an Adaptive Card for Microsoft Teams, and
the plain text both fall back to. Built from what is current when the message is sent.

Channel messages are in English: a channel is shared by people who each chose their own language
in the portal, and Slack shows every date in each reader's own time zone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from portal.vocabulary import LABELS

ANSWERABLE = ("pending", "acknowledged")


@dataclass(frozen=True)
class IdeaCard:
    """An idea as one team's channel sees it: its routing to that team, and why it is posted now."""

    idea_id: int
    title: str
    status: str
    votes: int
    author: str
    services: list[str]
    team: str
    team_name: str
    role: str | None
    state: str | None
    due_at: datetime | None
    overdue: bool
    headline: str
    url: str

    @classmethod
    def of(cls, row: Mapping[str, Any], *, headline: str, url: str) -> IdeaCard:
        return cls(
            idea_id=row["id"],
            title=row["title"],
            status=row["status"],
            votes=row["vote_count"],
            author=row["author"],
            services=list(row["services"]),
            team=row["team"],
            team_name=row["team_name"],
            role=row["role"],
            state=row["state"],
            due_at=row["due_at"],
            overdue=row["overdue"],
            headline=headline,
            url=url,
        )

    @property
    def answer_value(self) -> str:
        """What a button carries back: which routing it answers (checked again when pressed)."""
        return json.dumps({"idea": self.idea_id, "team": self.team})

    @property
    def state_label(self) -> str:
        if self.state is None:
            return "No longer routed"
        label = LABELS["state"].get(self.state, self.state)
        return f"{label} (overdue)" if self.overdue and self.state == "pending" else label


def headline(event_type: str, data: Mapping[str, Any], team_name: str, role: str | None) -> str:
    """Why the idea is posted; for an update of the idea's message, what it says first since."""
    part = f" ({LABELS['role'][role].lower()})" if role in LABELS["role"] else ""
    if event_type == "idea.routed":
        return f"New in the inbox of {team_name}{part}"
    if event_type == "routing.due_soon":
        return f"Answer due soon: {team_name}"
    if event_type == "routing.overdue":
        return f"Overdue: waiting for an answer from {team_name}"
    if event_type == "routing.escalated":
        if data.get("no_lead"):
            return f"{team_name} has no lead: an admin answers this idea"
        return f"Escalated to the admins: still unanswered by {team_name}"
    if event_type == "routing.reopened":
        return f"Disputed by {data.get('disputed_by')}: {data.get('reason') or ''}".strip()
    return f"In the inbox of {team_name}{part}"


def refreshed(card: IdeaCard) -> IdeaCard:
    """The idea's own message as it stands now (after a reply in its thread, or an answer)."""
    return replace(card, headline=headline("", {}, card.team_name, card.role))


def text(card: IdeaCard) -> str:
    """The notification text (and what clients without blocks show)."""
    return f"{card.headline}: {card.title} ({card.votes} votes) {card.url}"


def escape(value: str) -> str:
    """Slack mrkdwn's three control characters (its docs: escape &, < and >)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_date(value: datetime) -> str:
    """A date every reader sees in their own time zone, with the UTC one as fallback."""
    return f"<!date^{int(value.timestamp())}^{{date_short_pretty}} {{time}}|{value:%Y-%m-%d %H:%M} UTC>"


def plain(value: str, limit: int = 150) -> dict[str, Any]:
    return {"type": "plain_text", "text": value[:limit], "emoji": False}


def slack_blocks(card: IdeaCard) -> list[dict[str, Any]]:
    fields = [
        {"type": "mrkdwn", "text": f"*Services*\n{escape(', '.join(card.services) or 'None named')}"},
        {"type": "mrkdwn", "text": f"*Votes*\n{card.votes}"},
        {"type": "mrkdwn", "text": f"*{escape(card.team_name)}*\n{card.state_label}"},
        {"type": "mrkdwn", "text": f"*Idea status*\n{LABELS['status'].get(card.status, card.status)}"},
    ]
    if card.due_at is not None and card.state in ANSWERABLE:
        fields.append({"type": "mrkdwn", "text": f"*Answer due*\n{_slack_date(card.due_at)}"})
    buttons: list[dict[str, Any]] = [
        {"type": "button", "action_id": "open", "text": plain("Open in the portal"), "url": card.url}
    ]
    if card.state == "pending":
        buttons.append(
            {"type": "button", "action_id": "acknowledge", "text": plain("Acknowledge"), "value": card.answer_value}
        )
    if card.state in ANSWERABLE:
        buttons.append(
            {
                "type": "button",
                "action_id": "answer",
                "style": "primary",
                "text": plain("Answer…"),
                "value": card.answer_value,
            }
        )
    return [
        {"type": "header", "text": plain(card.headline)},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*<{card.url}|{escape(card.title)}>*\nfrom {escape(card.author)}"},
            "fields": fields,
        },
        {"type": "actions", "block_id": f"idea-{card.idea_id}", "elements": buttons},
    ]


def teams_card(card: IdeaCard) -> dict[str, Any]:
    """An Adaptive Card (1.4, what Teams renders) in the message envelope Workflows webhooks take."""
    facts = [
        {"title": "From", "value": card.author},
        {"title": "Services", "value": ", ".join(card.services) or "None named"},
        {"title": "Votes", "value": str(card.votes)},
        {"title": card.team_name, "value": card.state_label},
    ]
    if card.due_at is not None and card.state in ANSWERABLE:
        # Adaptive Cards format {{DATE()}} and {{TIME()}} in each reader's own time zone.
        stamp = card.due_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        facts.append({"title": "Answer due", "value": f"{{{{DATE({stamp}, SHORT)}}}} {{{{TIME({stamp})}}}}"})
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": card.headline, "weight": "Bolder", "size": "Medium", "wrap": True},
        {"type": "TextBlock", "text": card.title, "wrap": True},
        {"type": "FactSet", "facts": facts},
    ]
    return _envelope(body, [{"type": "Action.OpenUrl", "title": "Open in the portal", "url": card.url}])


def _envelope(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": body,
                    "actions": actions,
                },
            }
        ],
    }


@dataclass(frozen=True)
class DigestCard:
    team_name: str
    period_end: datetime
    content: Mapping[str, Any]
    url: str

    @property
    def lines(self) -> list[tuple[str, str]]:
        c = self.content
        rate = c.get("response_rate")
        return [
            ("Newly routed", str(len(c.get("newly_routed") or []))),
            ("Waiting too long", str(len(c.get("overdue") or []))),
            ("Decided", str(len(c.get("decisions") or []))),
            ("Answered", "—" if rate is None else f"{float(rate):.0%}"),
        ]

    @property
    def headline(self) -> str:
        return f"The digest of {self.team_name} is ready"


def digest_text(card: DigestCard) -> str:
    return f"{card.headline}: " + ", ".join(f"{name} {value}" for name, value in card.lines) + f" {card.url}"


def digest_blocks(card: DigestCard) -> list[dict[str, Any]]:
    return [
        {"type": "header", "text": plain(card.headline)},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{name}*\n{value}"} for name, value in card.lines]},
        {
            "type": "actions",
            "elements": [{"type": "button", "action_id": "open", "text": plain("Open the digest"), "url": card.url}],
        },
    ]


def digest_teams_card(card: DigestCard) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": card.headline, "weight": "Bolder", "size": "Medium", "wrap": True},
        {"type": "FactSet", "facts": [{"title": name, "value": value} for name, value in card.lines]},
    ]
    return _envelope(body, [{"type": "Action.OpenUrl", "title": "Open the digest", "url": card.url}])
