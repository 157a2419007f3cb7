"""How far behind the asynchronous work is: what operators alert on, measured in PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass

from portal.db import Connection, fetch_row

# Each count reads a partial index or a small table; the oldest event is the first of the
# undispatched index, not a scan.
MEASURE = """
SELECT
    (SELECT count(*) FROM events WHERE dispatched_at IS NULL) AS outbox_undispatched,
    coalesce(extract(epoch FROM now() - (
        SELECT occurred_at FROM events WHERE dispatched_at IS NULL ORDER BY id LIMIT 1)), 0) AS outbox_oldest_seconds,
    (SELECT count(*) FROM events WHERE feed_position IS NULL) AS feed_unsequenced,
    (SELECT count(*) FROM webhook_deliveries WHERE state = 'pending' AND attempts = 0) AS deliveries_new,
    (SELECT count(*) FROM webhook_deliveries WHERE state = 'pending' AND attempts > 0) AS deliveries_retrying,
    (SELECT count(*) FROM results_pending) AS results_pending,
    (SELECT count(*) FROM routings WHERE state = 'pending' AND due_at < now()) AS routings_overdue
"""


@dataclass(frozen=True)
class Backlog:
    outbox_undispatched: int
    outbox_oldest_seconds: float
    feed_unsequenced: int
    deliveries_new: int
    deliveries_retrying: int
    results_pending: int
    routings_overdue: int


async def measure(conn: Connection) -> Backlog:
    row = await fetch_row(conn, MEASURE)
    return Backlog(**{**dict(row), "outbox_oldest_seconds": float(row["outbox_oldest_seconds"])})
