"""Stored events as CloudEvents 1.0 (structured JSON mode)."""
from __future__ import annotations

from typing import Any

import asyncpg

TYPE_PREFIX = "ideaportal."
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"


def to_cloudevent(row: asyncpg.Record | dict, source: str) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": str(row["id"]),
        "source": source,
        "type": TYPE_PREFIX + row["type"],
        "time": row["occurred_at"].isoformat(),
        "subject": row["subject"],
        "datacontenttype": "application/json",
        "data": row["data"],
    }
