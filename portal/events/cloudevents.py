"""Stored events as CloudEvents 1.0 (structured JSON mode).

`source` + `id` (the stored event's id) name one event on every channel: the feed, the SSE
stream and every webhook, so a consumer of several can drop duplicates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asyncpg import Record

from portal.events.types import TYPE_PREFIX

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
# Who voted for what is private: these fields are served only to API tokens holding the
# VOTER_SCOPE scope, and never in webhooks.
VOTER_SCOPE = "events:voters"
VOTER_FIELDS: dict[str, tuple[str, ...]] = {
    "vote.cast": ("employee_id",),
    "vote.withdrawn": ("employee_id",),
}


def to_cloudevent(event: Record | Mapping[str, Any], source: str, *, with_voters: bool = False) -> dict[str, Any]:
    """`event` is a stored event: id, type, subject, data, occurred_at."""
    data = event["data"]
    hidden = () if with_voters else VOTER_FIELDS.get(event["type"], ())
    if hidden:
        data = {key: value for key, value in data.items() if key not in hidden}
    return {
        "specversion": "1.0",
        "id": str(event["id"]),
        "source": source,
        "type": TYPE_PREFIX + event["type"],
        "time": event["occurred_at"].isoformat(),
        "subject": event["subject"],
        "datacontenttype": "application/json",
        "data": data,
    }
