from __future__ import annotations

from typing import Any

from pydantic import Field

from portal.events.feed import CURSOR_PATTERN
from portal.events.types import TYPES_FILTER_PATTERN, short_name
from portal.schemas import Output, Query


class _EventFilter(Query):
    types: str | None = Field(
        None,
        max_length=2000,
        pattern=TYPES_FILTER_PATTERN,
        description="Comma-separated event types, e.g. ideaportal.idea.created,ideaportal.vote.cast "
        "(the ideaportal. prefix may be left out).",
    )

    def type_list(self) -> list[str] | None:
        if not self.types:
            return None
        return sorted({short_name(t) for t in self.types.split(",")})


class EventQuery(_EventFilter):
    after: str | None = Field(
        None,
        max_length=200,
        json_schema_extra={"pattern": CURSOR_PATTERN},
        description="A cursor from a previous page (`next_cursor`, or an SSE message's id); omit to start "
        "at the beginning.",
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
    after: str | None = Field(
        None,
        max_length=200,
        json_schema_extra={"pattern": CURSOR_PATTERN},
        description="Resume point (or send Last-Event-ID).",
    )


class EventTypeRead(Output):
    type: str = Field(description="As CloudEvents name it, e.g. ideaportal.idea.created.")
    description: str
