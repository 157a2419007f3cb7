from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from portal.moderation.schemas import HiddenNote
from portal.schemas import Input, Output, Page, Query

CommentText = Annotated[str, StringConstraints(min_length=1, max_length=10000)]


class CommentWrite(Input):
    body: CommentText = Field(description="Stored exactly as written; never rendered as HTML by the API.")


class CommentAuthor(Output):
    id: int
    name: str
    former: bool = Field(description="True once the employee has left the company; what they wrote stays.")


class CommentRead(Output):
    id: int
    idea_id: int
    author: CommentAuthor
    body: str | None = Field(description="null once the comment is deleted (a tombstone).")
    deleted: bool
    created_at: datetime
    updated_at: datetime
    edited_at: datetime | None = Field(None, description="When it was last edited (its history).")
    hidden: bool = Field(
        False, description="Hidden by a moderator: its body is null but for its author and the moderators."
    )
    moderation: HiddenNote | None = Field(None, description="Why it is hidden (for its author and the moderators).")


class CommentPage(Page):
    items: list[CommentRead]


class CommentQuery(Query):
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, pattern=r"^[0-9]{1,18}$", description="The last comment id of the previous page.")
