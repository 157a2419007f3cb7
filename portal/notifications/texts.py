"""What a notification says, in the reader's language: one sentence and where it leads. Shared
by the portal's notification page and the emails."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from portal.vocabulary import LABELS

Translate = Callable[[str], str]


def _(message: str) -> str:
    """Marks a message for extraction; translated when shown."""
    return message


SENTENCES = {
    "status_changed": _("{by} moved “{title}” from {from_} to {to}."),
    "status_changed_anonymous": _("“{title}” moved from {from_} to {to}."),
    "responded": _("{team} answered “{title}”: {decision}."),
    "comment": _("{by} commented on “{title}”."),
    "mention": _("{by} mentioned you on “{title}”."),
    "routed": _("“{title}” reached the inbox of {team} ({role})."),
    "overdue": _("“{title}” is overdue in the inbox of {team}."),
    "escalated": _("“{title}” is still unanswered by {team}, a full response period past due."),
    "no_lead": _("“{title}” reached {team}, which has no lead: it waits for an admin."),
    "digest": _("The digest of {team} is ready."),
    "thanks": _("{by} thanked you: {message}"),
    "thanks_team": _("{by} thanked {team}: {message}"),
    "chat": _("The {channel} channel of {team} stopped receiving messages: {reason}. Connect it again."),
    "idea_edited": _("{by} edited “{title}”, which you voted for."),
}
SUBJECTS = {
    "status_changed": _("Status changed: {title}"),
    "responded": _("{team} answered: {title}"),
    "comment": _("New comment: {title}"),
    "mention": _("You were mentioned: {title}"),
    "routed": _("New in the inbox of {team}: {title}"),
    "overdue": _("Overdue: {title}"),
    "digest": _("Digest ready: {team}"),
    "thanks": _("Thanks from {by}"),
    "chat": _("Chat channel disconnected: {team}"),
    "idea_edited": _("Edited after your vote: {title}"),
}
SEVERAL = _("{count} updates from Idea Portal")
SOMEONE = _("Someone")


def _fields(n: Mapping[str, Any], gettext: Translate) -> dict[str, str]:
    data = n["data"]
    role = data.get("role")
    return {
        "title": n.get("idea_title") or data.get("title") or "",
        "team": n.get("team_name") or data.get("team_name") or data.get("team") or "",
        "by": data.get("by_name") or gettext(SOMEONE),
        "from_": gettext(LABELS["status"].get(data.get("from", ""), data.get("from", ""))),
        "to": gettext(LABELS["status"].get(data.get("to", ""), data.get("to", ""))),
        "decision": gettext(LABELS["state"].get(data.get("decision", ""), data.get("decision", ""))),
        "role": gettext(LABELS["role"].get(role, role)) if role else "",
        "message": data.get("message") or "",
        "channel": {"slack": "Slack", "teams": "Microsoft Teams"}.get(data.get("kind", ""), ""),
        "reason": data.get("reason") or "",
    }


def sentence(n: Mapping[str, Any], gettext: Translate) -> str:
    """One sentence for a notification (a mapping with kind, data, idea_title and team_name)."""
    kind = n["kind"]
    if kind == "overdue" and n["data"].get("no_lead"):
        kind = "no_lead"
    elif kind == "overdue" and n["data"].get("escalated"):
        kind = "escalated"
    elif kind == "thanks" and n["data"].get("team"):
        kind = "thanks_team"
    elif kind == "status_changed" and not n["data"].get("by_name"):
        kind = "status_changed_anonymous"
    return gettext(SENTENCES[kind]).format(**_fields(n, gettext))


def subject(notifications: Sequence[Mapping[str, Any]], gettext: Translate) -> str:
    if len(notifications) == 1:
        n = notifications[0]
        return gettext(SUBJECTS[n["kind"]]).format(**_fields(n, gettext))
    return gettext(SEVERAL).format(count=len(notifications))


def path(n: Mapping[str, Any]) -> str:
    """Where the notification leads in the web client."""
    if n["kind"] == "digest" and n.get("team"):
        return f"/teams/{n['team']}/digests"
    if n["kind"] == "thanks":
        return "/thanks"
    if n["kind"] == "chat" and n.get("team"):
        return f"/teams/{n['team']}/channels"
    idea_id = n.get("idea_id")
    if idea_id is None:
        return "/notifications"
    comment_id = n["data"].get("comment_id")
    return f"/ideas/{idea_id}#comment-{comment_id}" if comment_id else f"/ideas/{idea_id}"
