"""Attachments: uploaded by an employee, kept private to them until an idea or comment of theirs
refers to one (`/attachments/{id}` in its text), then read by whoever may read that idea or
comment; removed when the reference is edited away or the comment deleted; purged with the bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import asyncpg

from portal.attachments import images, kinds
from portal.attachments import queries as q
from portal.attachments.schemas import AttachmentRead
from portal.attachments.storage import Store, Variant
from portal.auth.caller import Caller
from portal.config import Settings
from portal.db import Connection, fetch_row
from portal.errors import NotFound, PayloadTooLarge, ValidationFailed

# A reference in an idea's or comment's Markdown: the web client's address of an attachment.
REFERENCE = re.compile(r"/attachments/([0-9]{1,18})(?![0-9])")
UNREFERENCED_SECONDS = 24 * 3600
PER_ITEM = 10  # PORTAL_ATTACHMENTS_PER_ITEM's default


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    per_item: int
    daily_bytes: int
    max_pixels: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            settings.attachment_max_bytes,
            settings.attachments_per_item,
            settings.attachment_daily_bytes,
            settings.attachment_max_pixels,
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def clean_name(name: str) -> str:
    """The file's own name without a path, control characters or surrounding space."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return printable[:255] or "file"


def to_read(row: asyncpg.Record) -> AttachmentRead:
    image = row["width"] is not None
    url = f"/attachments/{row['id']}"
    label = (row["alt"] or row["name"]).replace("]", ")").replace("[", "(")
    markdown = f"[![{label}]({url}/thumbnail)]({url})" if image else f"[{label}]({url})"
    return AttachmentRead(
        id=row["id"],
        name=row["name"],
        content_type=row["content_type"],
        size=row["size"],
        width=row["width"],
        height=row["height"],
        alt=row["alt"],
        idea_id=row["idea_id"],
        comment_id=row["comment_id"],
        url=url,
        content_url=f"/api/v1/attachments/{row['id']}/content",
        thumbnail_url=f"{url}/thumbnail" if image and row["thumbnail_size"] else None,
        markdown=markdown,
        created_at=row["created_at"],
    )


async def upload(
    conn: Connection, store: Store, caller: Caller, *, name: str, content: bytes | bytearray, alt: str, limits: Limits
) -> AttachmentRead:
    """Checks, cleans and keeps one file; it is the uploader's alone until something refers to it."""
    uploader = caller.require_employee()
    if not content:
        raise ValidationFailed([{"field": "file", "message": "the file is empty", "type": "empty_file"}])
    if len(content) > limits.max_bytes:
        raise PayloadTooLarge(f"the file is larger than {_megabytes(limits.max_bytes)} (PORTAL_ATTACHMENT_MAX_BYTES)")
    if await conn.fetchval(q.UPLOADED_TODAY, uploader.id) + len(content) > limits.daily_bytes:
        raise PayloadTooLarge(
            f"this would pass your {_megabytes(limits.daily_bytes)} of uploads a day (PORTAL_ATTACHMENT_DAILY_BYTES)"
        )
    if len(alt) > 500:
        raise ValidationFailed([{"field": "alt", "message": "at most 500 characters", "type": "string_too_long"}])
    content_type = kinds.detect(content)
    width = height = thumbnail = None
    if content_type in kinds.IMAGES:
        # Decoding and encoding a photo takes a good part of a second: off the event loop.
        cleaned = await asyncio.to_thread(images.clean, content, content_type, max_pixels=limits.max_pixels)
        content, width, height, thumbnail = cleaned.content, cleaned.width, cleaned.height, cleaned.thumbnail
    async with conn.transaction():  # a savepoint: a store that fails leaves no row behind
        return await _keep(conn, store, uploader.id, name, content, content_type, alt, width, height, thumbnail)


async def _keep(
    conn: Connection,
    store: Store,
    uploader_id: int,
    name: str,
    content: bytes | bytearray,
    content_type: str,
    alt: str,
    width: int | None,
    height: int | None,
    thumbnail: bytes | None,
) -> AttachmentRead:
    row = await fetch_row(
        conn,
        q.INSERT,
        uploader_id,
        clean_name(name),
        content_type,
        len(content),
        hashlib.sha256(content).hexdigest(),
        width,
        height,
        len(thumbnail) if thumbnail else None,
        alt.strip(),
        store.name,
    )
    await store.put(conn, row["id"], "original", content, content_type)
    if thumbnail:
        await store.put(conn, row["id"], "thumbnail", thumbnail, "image/webp")
    return to_read(row)


async def link(
    conn: Connection,
    *,
    text: str,
    editor_id: int,
    idea_id: int | None = None,
    comment_id: int | None = None,
    per_item: int,
) -> list[dict[str, Any]]:
    """Brings an idea's or comment's attachments in line with what its text refers to: the editor's
    own new uploads join it, those no longer referred to are removed. Answers those added, as events
    name them (id, name, content type, size, URL; never the bytes)."""
    refs = sorted({int(match) for match in REFERENCE.findall(text)})
    row = await fetch_row(conn, q.LINK, idea_id, comment_id, refs, editor_id)
    if row["kept"] > per_item:
        message = f"at most {per_item} attachments on one idea or comment (PORTAL_ATTACHMENTS_PER_ITEM)"
        raise ValidationFailed([{"field": "body", "message": message, "type": "too_many_attachments"}])
    if idea_id is not None:
        await conn.execute(q.COUNT_ON_IDEA, idea_id)
    return list(row["added"])


async def remove_of_comment(conn: Connection, comment_id: int) -> None:
    await conn.execute(q.REMOVE_OF_COMMENT, comment_id)


async def readable(conn: Connection, caller: Caller, attachment_id: int) -> asyncpg.Record:
    """The attachment if the caller may read it (404 otherwise: no one learns it exists)."""
    reader = caller.employee.id if caller.employee else None
    if caller.employee is None and "ideas:read" not in caller.scopes:
        raise NotFound(f"no attachment {attachment_id}")
    row = await conn.fetchrow(q.READABLE, attachment_id, reader)
    if row is None:
        raise NotFound(f"no attachment {attachment_id}")
    return row


async def of_idea(conn: Connection, idea_id: int) -> list[AttachmentRead]:
    return [to_read(row) for row in await conn.fetch(q.OF_IDEA, idea_id)]


async def of_comments(conn: Connection, comment_ids: list[int]) -> dict[int, list[AttachmentRead]]:
    found: dict[int, list[AttachmentRead]] = {}
    for row in await conn.fetch(q.OF_COMMENTS, comment_ids):
        found.setdefault(row["comment_id"], []).append(to_read(row))
    return found


async def purge(conn: Connection, stores: dict[str, Store], *, limit: int = 200) -> int:
    """Deletes removed attachments and uploads nothing referred to for a day: bytes, then rows."""
    rows = await conn.fetch(q.PURGEABLE, UNREFERENCED_SECONDS, limit)
    for row in rows:
        await stores[row["store"]].delete(conn, row["id"])
    await conn.execute(q.DELETE, [row["id"] for row in rows])
    return len(rows)


async def move(conn: Connection, source: Store, target: Store, *, limit: int = 50) -> int:
    """Moves a batch of attachments' bytes from one store to the other; answers how many."""
    rows = await conn.fetch(q.IN_STORE, source.name, limit)
    for row in rows:
        variants: tuple[Variant, ...] = ("original", "thumbnail") if row["has_thumbnail"] else ("original",)
        for variant in variants:
            data = b"".join([chunk async for chunk in source.read(conn, row["id"], variant)])
            await target.put(
                conn, row["id"], variant, data, row["content_type"] if variant == "original" else "image/webp"
            )
        await conn.execute(q.MOVED, row["id"], target.name)
        await source.delete(conn, row["id"])
    return len(rows)
