"""The outbox: domain events recorded in the same transaction as the change they describe."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from portal.db import Connection
from portal.events import queries as q
from portal.events.types import EVENT_TYPES


async def record(conn: Connection, type_: str, subject: str, data: dict[str, Any]) -> None:
    """Appends an event; it becomes visible to consumers when the surrounding transaction commits."""
    await record_many(conn, [(type_, subject, data)])


async def record_many(conn: Connection, events: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
    """Appends events in the order given, in one statement (an org file's 100,000 are one too)."""
    for type_ in {type_ for type_, _, _ in events}:
        if type_ not in EVENT_TYPES:  # a type integrations cannot subscribe to is a bug here, not there
            raise ValueError(f"{type_!r} is not in portal.events.types.EVENT_TYPES")
    if len(events) == 1:
        await conn.execute(q.RECORD_EVENT, *events[0])
    elif events:
        types, subjects, data = zip(*events)
        await conn.execute(q.RECORD_EVENTS, list(types), list(subjects), [json.dumps(d) for d in data])
