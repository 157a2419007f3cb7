"""Attachments as the API reads them."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from portal.schemas import Output


class AttachmentRead(Output):
    id: int
    name: str
    content_type: str = Field(description="Decided from the file's content, not its name.")
    size: int = Field(description="Bytes, as kept (an image after its metadata was stripped).")
    width: int | None = Field(description="Images: pixels, after the camera's orientation was applied.")
    height: int | None
    alt: str = Field(description="An image's description for those who cannot see it.")
    idea_id: int | None = Field(description="The idea it is on; null with comment_id null: not referred to yet.")
    comment_id: int | None
    url: str = Field(description="The web client's address (a session's cookie); what the Markdown refers to.")
    content_url: str = Field(description="The bytes, for API clients (a bearer token).")
    thumbnail_url: str | None = Field(description="Images: a small WebP of at most 480 px.")
    markdown: str = Field(description="What to put in an idea's or a comment's text to show it there.")
    created_at: datetime
