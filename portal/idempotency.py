"""Idempotency-Key: a retried POST returns the first response instead of creating twice.

The key is claimed inside the request's own transaction, so a concurrent retry waits for the
first attempt to commit (then replays it) or roll back (then goes ahead itself).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from portal.db import Connection, fetch_row
from portal.errors import ValidationFailed

# A key older than $4 hours (PORTAL_IDEMPOTENCY_HOURS) is free again; portal.retention deletes it.
CLAIM_KEY = """
INSERT INTO idempotency_keys (caller, key, request_hash) VALUES ($1, $2, $3)
ON CONFLICT (caller, key) DO UPDATE
   SET request_hash = EXCLUDED.request_hash, status_code = NULL, response = NULL, headers = '{}',
       created_at = now()
   WHERE idempotency_keys.created_at < now() - make_interval(hours => $4)
RETURNING true
"""
STORED = "SELECT request_hash, status_code, response, headers FROM idempotency_keys WHERE caller = $1 AND key = $2"
SAVE = "UPDATE idempotency_keys SET status_code = $3, response = $4, headers = $5 WHERE caller = $1 AND key = $2"


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: Any
    headers: dict[str, str]


def request_hash(method: str, path: str, payload: Any) -> str:
    canonical = json.dumps([method, path, payload], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_key(key: str) -> str:
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise ValidationFailed(
            [
                {
                    "field": "Idempotency-Key",
                    "type": "value_error",
                    "message": "must be 1 to 255 printable characters",
                }
            ],
            location="header",
        )
    return key


async def claim(conn: Connection, *, caller: str, key: str, fingerprint: str, keep_hours: int) -> StoredResponse | None:
    """None when this request may go ahead; the first response when it is a retry (within
    `keep_hours` of the first)."""
    if await conn.fetchval(CLAIM_KEY, caller, key, fingerprint, keep_hours):
        return None
    row = await fetch_row(conn, STORED, caller, key)
    if row["request_hash"] != fingerprint:
        raise ValidationFailed(
            [
                {
                    "field": "Idempotency-Key",
                    "type": "idempotency_mismatch",
                    "message": "this key was already used with a different request body",
                }
            ],
            location="header",
        )
    return StoredResponse(row["status_code"], row["response"], row["headers"])


async def save(conn: Connection, *, caller: str, key: str, status: int, body: Any, headers: dict[str, str]) -> None:
    await conn.execute(SAVE, caller, key, status, body, headers)
