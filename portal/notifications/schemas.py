from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from portal.ideas.schemas import Tag
from portal.notifications.kinds import Kind, Mode, Reason
from portal.schemas import Input, Output, Page, Query

# `<0 unread | 1 read>_<id>`: the place after which the next page starts.
CURSOR_PATTERN = r"^[01]_[0-9]{1,19}$"


class NotificationQuery(Query):
    cursor: str | None = Field(None, pattern=CURSOR_PATTERN, description="From the previous page's next_cursor.")
    limit: int = Field(20, ge=1, le=100)
    unread: bool = Field(False, description="Only unread notifications.")


class NotifiedIdea(Output):
    id: int
    title: str


class NotificationRead(Output):
    id: int
    kind: Kind
    reason: Reason = Field(
        description="Why you were told: your idea, your vote or comment, a follow, a mention, "
        "a team you lead, or your admin role."
    )
    idea: NotifiedIdea | None
    team: str | None = Field(description="The team concerned (a slug), if any.")
    data: dict[str, Any] = Field(
        description="What happened: e.g. from/to for a status change, decision and "
        "message for an answer, excerpt for a comment, by_name for who did it."
    )
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Page):
    items: list[NotificationRead]
    unread_count: int


class UnreadCount(Output):
    unread_count: int


class ReadAll(Input):
    up_to: int | None = Field(
        None,
        ge=1,
        le=2**63 - 1,
        description="Mark read only notifications up to this id (the newest you have shown); omitted: all.",
    )


class Marked(Output):
    marked: int


class KindPreference(Output):
    kind: Kind
    description: str
    portal: Mode | None = Field(description="Your choice in the portal; null: the default (instant).")
    email: Mode | None = Field(
        description="Your choice by email; null: the default (instant when it is "
        "about your idea, a mention, your team or your admin role; else a daily digest)."
    )
    slack: Mode | None = Field(
        description="Your choice by Slack direct message (when the portal's Slack app is installed); null: the "
        "default (off)."
    )


class PreferenceChange(Input):
    kind: Kind
    portal: Mode
    email: Mode
    slack: Mode | None = Field(None, description="By Slack direct message; left out: unchanged (off at first).")


class PreferencesWrite(Input):
    preferences: list[PreferenceChange] = Field(min_length=1, max_length=20)


class FollowState(Output):
    following: bool
    reason: Reason | None = Field(
        description="Why you hear about it: author, commenter, voter or follower; null: you do not."
    )


class FollowRead(Output):
    kind: str = Field(description="idea, team, service or tag")
    target: str = Field(description="The idea's id, the team's or service's slug, or the tag.")
    label: str
    following: bool = Field(description="false: an idea you unfollowed (you hear nothing about it).")
    created_at: datetime


class TagPath(Input):
    tag: Tag
