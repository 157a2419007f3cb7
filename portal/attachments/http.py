"""Serving an attachment's bytes, to the API and to the web client alike: streamed from its store
a chunk at a time, with an ETag (its SHA-256) so a browser revalidates instead of downloading
again, and caching fit for private content (`private, no-cache`: every use is checked again).
Images are shown inline; every other file is a download (`attachment`), never rendered, under a
`sandbox` policy and `nosniff`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import asyncpg
from aiohttp import web

from portal.attachments import service
from portal.attachments.kinds import IMAGES
from portal.attachments.storage import Store, Variant, opened_stores
from portal.auth.caller import Caller
from portal.db import Connection
from portal.errors import NotFound, Unavailable
from portal.http.keys import SETTINGS

SANDBOX = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


async def respond(
    request: web.Request, conn: Connection, store: Store, row: asyncpg.Record, variant: Variant
) -> web.StreamResponse:
    thumbnail = variant == "thumbnail"
    etag = f'"{row["sha256"][:32]}{"-t" if thumbnail else ""}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "private, no-cache",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": SANDBOX,
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    content_type = "image/webp" if thumbnail else row["content_type"]
    disposition = "inline" if content_type in IMAGES | {"image/webp"} else "attachment"
    response = web.StreamResponse(
        headers={
            **headers,
            "Content-Type": content_type,
            "Content-Length": str(row["thumbnail_size"] if thumbnail else row["size"]),
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(row['name'])}",
        }
    )
    await response.prepare(request)
    async for chunk in store.read(conn, row["id"], variant):
        await response.write(chunk)
    await response.write_eof()
    return response


async def serve(
    request: web.Request, conn: Connection, caller: Caller, attachment_id: int, variant: Variant
) -> web.StreamResponse:
    """The attachment's bytes (or its thumbnail) to a caller who may read it; 404 otherwise."""
    row = await service.readable(conn, caller, attachment_id)
    if variant == "thumbnail" and row["thumbnail_size"] is None:
        raise NotFound(f"attachment {attachment_id} is not an image")
    return await respond(request, conn, store_of(request.app[STORES], row), row, variant)


STORES: web.AppKey[dict[str, Store]] = web.AppKey("attachment_stores")


def current(stores: dict[str, Store]) -> Store:
    """Where new uploads go: the bucket when one is set."""
    return stores.get("s3") or stores["postgres"]


def store_of(stores: dict[str, Store], row: asyncpg.Record) -> Store:
    store = stores.get(row["store"])
    if store is None:
        raise Unavailable(f"attachment {row['id']} is in the {row['store']} store, which is not configured")
    return store


async def stores_context(app: web.Application) -> AsyncIterator[None]:
    async with opened_stores(app[SETTINGS].storage_url) as stores:
        app[STORES] = stores
        yield
