"""The kinds of notification, why someone receives one, and the defaults for each."""

from __future__ import annotations

from typing import Literal

Kind = Literal[
    "status_changed", "responded", "comment", "mention", "routed", "overdue", "digest", "thanks", "chat", "idea_edited"
]
Reason = Literal["author", "voter", "commenter", "follower", "mentioned", "lead", "admin", "thanked"]
Mode = Literal["instant", "daily", "off"]

KINDS: dict[str, str] = {
    "status_changed": "An idea you follow changed status.",
    "responded": "A team answered an idea you follow.",
    "comment": "Someone commented on an idea you follow.",
    "mention": "Someone mentioned you in a comment.",
    "routed": "An idea reached the inbox of a team you lead.",
    "overdue": "A routed idea is overdue (leads; admins after a second response period).",
    "digest": "A digest of a team you lead was compiled.",
    "thanks": "A colleague thanked you, or a team you lead.",
    "chat": "The Slack or Teams channel of a team you lead stopped receiving its messages.",
    "idea_edited": "An idea you voted for was edited substantially (its title or text).",
}
# Those told because the notification is about them or their work hear at once by email; those
# following along get a daily email unless they choose otherwise.
DIRECT_REASONS = frozenset({"author", "mentioned", "lead", "admin", "thanked"})


def default_email(reason: str) -> Mode:
    return "instant" if reason in DIRECT_REASONS else "daily"


DEFAULT_PORTAL: Mode = "instant"
