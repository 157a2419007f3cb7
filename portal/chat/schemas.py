"""A team's chat channels as the API reads and writes them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field, WithJsonSchema, field_validator

from portal.schemas import Output, Patch, refusal
from portal.webhooks.schemas import Url, _check_url

SLACK_CHANNEL = re.compile(r"^[CG][A-Z0-9]{2,30}$")


def _slack_channel(value: str) -> str:
    if not SLACK_CHANNEL.match(value):
        raise refusal("slack_channel", "a Slack channel ID: C or G, then capitals and digits (C0123ABCD)")
    return value


# A Slack conversation id: a public (C) or private (G) channel.
SlackChannel = Annotated[
    str,
    AfterValidator(_slack_channel),
    WithJsonSchema({"type": "string", "pattern": SLACK_CHANNEL.pattern, "examples": ["C0123ABCD"]}),
]


class ChatWrite(Patch):
    """The channels to connect: each field given connects (or replaces) that kind, null disconnects
    it, and a field left out stays as it is."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"slack_channel", "teams_webhook_url"})
    slack_channel: SlackChannel | None = Field(
        None, description="The Slack channel's id (C0123ABCD); invite the portal's app to it first."
    )
    teams_webhook_url: Url | None = Field(
        None,
        description="A Microsoft Teams channel's Workflows webhook URL: https (http only to a host or network "
        "the operator allows). Kept encrypted; only its host is shown again.",
    )

    _url = field_validator("teams_webhook_url")(_check_url)


class ChannelState(Output):
    enabled: bool = Field(description="false: posting failed for good (see disabled_reason); connect it again.")
    disabled_reason: str | None
    failing_since: datetime | None
    connected_at: datetime


class SlackChannelRead(ChannelState):
    channel: str


class TeamsChannelRead(ChannelState):
    host: str = Field(description="The webhook URL's host; the URL itself is not shown again.")


class ChatRead(Output):
    team: str
    slack: SlackChannelRead | None
    teams: TeamsChannelRead | None
