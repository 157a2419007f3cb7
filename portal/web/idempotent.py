"""Runs a creating handler's work under an optional Idempotency-Key, in the caller's transaction."""
from __future__ import annotations

from typing import Awaitable, Callable

import asyncpg
from aiohttp import web

from portal import idempotency
from portal.web.guard import caller_of
from portal.web.http import dump, json_response
from portal.web.keys import RAW_JSON

Create = Callable[[asyncpg.Connection], Awaitable[tuple[object, str]]]


async def create_once(request: web.Request, conn: asyncpg.Connection, create: Create) -> web.Response:
    """``create`` returns (resource, location); a retry with the same key replays the first 201."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        resource, location = await create(conn)
        return json_response(resource, status=201, headers={"Location": location})
    caller = caller_of(request).label
    key = idempotency.validate_key(key)
    fingerprint = idempotency.request_hash(request.method, request.path, request.get(RAW_JSON))
    stored = await idempotency.claim(conn, caller=caller, key=key, fingerprint=fingerprint)
    if stored is not None:
        return json_response(stored.body, status=stored.status,
                             headers={**stored.headers, "Idempotent-Replayed": "true"})
    resource, location = await create(conn)
    headers = {"Location": location}
    await idempotency.save(conn, caller=caller, key=key, status=201, body=dump(resource), headers=headers)
    return json_response(resource, status=201, headers=headers)
