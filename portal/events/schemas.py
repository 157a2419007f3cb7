from __future__ import annotations

from typing import Any

from pydantic import Field

from portal.events.cloudevents import TYPE_PREFIX
from portal.schemas import Output, Query

EVENT_TYPE = r"(ideaportal\.)?[a-z_]+\.[a-z_]+"
EVENT_TYPES_PATTERN = rf"^{EVENT_TYPE}(,{EVENT_TYPE})*$"


class _EventFilter(Query):
    types: str | None = Field(
        None,
        max_length=2000,
        pattern=EVENT_TYPES_PATTERN,
        description="Comma-separated event types, e.g. idea.created,vote.cast (the ideaportal. prefix is optional).",
    )

    def type_list(self) -> list[str] | None:
        if not self.types:
            return None
        return [t.removeprefix(TYPE_PREFIX) for t in self.types.split(",")]


class EventQuery(_EventFilter):
    after: str | None = Field(
        None, max_length=200, description="A cursor from a previous page; omit to start at the beginning."
    )
    limit: int = Field(100, ge=1, le=1000)


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


class StreamQuery(_EventFilter):
    after: str | None = Field(None, max_length=200, description="Resume point (or send Last-Event-ID).")
