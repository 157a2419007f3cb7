"""The outbox: domain events recorded in the same transaction as the change they describe."""

from __future__ import annotations

from typing import Any

from portal.db import Connection
from portal.events import queries as q
from portal.events.types import EVENT_TYPES


async def record(conn: Connection, type_: str, subject: str, data: dict[str, Any]) -> None:
    """Appends an event; it becomes visible to consumers when the surrounding transaction commits."""
    if type_ not in EVENT_TYPES:  # a type integrations cannot subscribe to is a bug here, not there
        raise ValueError(f"{type_!r} is not in portal.events.types.EVENT_TYPES")
    await conn.execute(q.RECORD_EVENT, type_, subject, data)
