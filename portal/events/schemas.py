from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from portal.events.cloudevents import TYPE_PREFIX
from portal.schemas import Output, Query


class EventQuery(Query):
    after: str | None = Field(None, max_length=200, description="A cursor from a previous page; omit to start at the beginning.")
    types: str | None = Field(None, max_length=2000, description="Comma-separated event types, e.g. idea.created,vote.cast.")
    limit: int = Field(100, ge=1, le=1000)

    @field_validator("types")
    @classmethod
    def _types(cls, value: str | None) -> str | None:
        if value is not None and not all(part.strip() for part in value.split(",")):
            raise ValueError("list event types separated by commas")
        return value

    def type_list(self) -> list[str] | None:
        if not self.types:
            return None
        return [t.strip().removeprefix(TYPE_PREFIX) for t in self.types.split(",")]


class CloudEvent(Output):
    specversion: str
    id: str
    source: str
    type: str
    time: str
    subject: str
    datacontenttype: str
    data: dict[str, Any]


class EventPage(Output):
    items: list[CloudEvent]
    next_cursor: str = Field(description="Pass as `after` to continue; unchanged when nothing new was visible.")


class StreamQuery(Query):
    after: str | None = Field(None, max_length=200, description="Resume point (or send Last-Event-ID).")
    types: str | None = Field(None, max_length=2000)

    type_list = EventQuery.type_list
