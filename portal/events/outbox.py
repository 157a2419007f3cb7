"""The outbox: domain events recorded in the same transaction as the change they describe."""

from __future__ import annotations

from typing import Any

from portal.db import Connection
from portal.events import queries as q


async def record(conn: Connection, type_: str, subject: str, data: dict[str, Any]) -> None:
    """Appends an event; it becomes visible to consumers when the surrounding transaction commits."""
    await conn.execute(q.RECORD_EVENT, type_, subject, data)
