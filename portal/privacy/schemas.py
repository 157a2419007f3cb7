from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from portal.schemas import Output

Rows = list[dict[str, Any]]


class PersonalData(Output):
    """Everything the portal holds about the signed-in employee."""

    exported_at: datetime
    profile: dict[str, Any]
    directory: dict[str, Any] | None = Field(description="What the identity provider sent, if it provisions them.")
    ideas: Rows
    comments: Rows
    idea_versions: Rows = Field(description="What an edit replaced in your ideas, version by version.")
    comment_versions: Rows = Field(description="What an edit replaced in your comments.")
    votes: Rows
    follows: Rows
    thanks_sent: Rows
    thanks_received: Rows
    notification_preferences: Rows
    notifications: Rows
    survey_answers_in_open_rounds: Rows = Field(
        description="A closed round's answers no longer name who gave them, so they are no one's to export."
    )
    answers_as_lead: Rows
    status_changes: Rows
    attachments: Rows
    reports_filed: Rows = Field(description="What you reported to the moderators.")
    sessions: Rows
