"""Where attachments' bytes are kept: this PostgreSQL database by default (table
attachment_chunks, written and read a chunk at a time, in the request's own transaction), or an
S3-compatible bucket (AWS S3, MinIO, Cloudflare R2) through aiobotocore.

PORTAL_STORAGE_URL: `postgres`, or `s3://bucket?endpoint_url=https://...&region=auto`;
credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the other places botocore reads).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import parse_qs, urlsplit

from aiobotocore.session import get_session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from portal.db import Connection
from portal.errors import Unavailable

CHUNK = 256 * 1024
Variant = Literal["original", "thumbnail"]


class Store(Protocol):
    name: Literal["postgres", "s3"]

    async def put(
        self, conn: Connection, attachment_id: int, variant: Variant, data: bytes | bytearray, content_type: str
    ) -> None: ...

    def read(self, conn: Connection, attachment_id: int, variant: Variant) -> AsyncIterator[bytes]: ...

    async def delete(self, conn: Connection, attachment_id: int) -> None: ...


@dataclass
class PostgresStore:
    name: Literal["postgres", "s3"] = "postgres"

    async def put(
        self, conn: Connection, attachment_id: int, variant: Variant, data: bytes | bytearray, content_type: str
    ) -> None:
        view = memoryview(data)  # chunks are slices of the one copy, not copies
        await conn.executemany(
            "INSERT INTO attachment_chunks (attachment_id, variant, seq, data) VALUES ($1, $2, $3, $4)",
            [
                (attachment_id, variant, seq, view[start : start + CHUNK])
                for seq, start in enumerate(range(0, len(data), CHUNK))
            ],
        )

    async def read(self, conn: Connection, attachment_id: int, variant: Variant) -> AsyncIterator[bytes]:
        seq = 0
        while True:
            data = await conn.fetchval(
                "SELECT data FROM attachment_chunks WHERE attachment_id = $1 AND variant = $2 AND seq = $3",
                attachment_id,
                variant,
                seq,
            )
            if data is None:
                return
            yield bytes(data)
            seq += 1

    async def delete(self, conn: Connection, attachment_id: int) -> None:
        await conn.execute("DELETE FROM attachment_chunks WHERE attachment_id = $1", attachment_id)


class S3Store:
    """One client for the process, opened by `open()` and closed by `close()`."""

    name: Literal["postgres", "s3"] = "s3"

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        options = {key: values[0] for key, values in parse_qs(parts.query).items()}
        self.bucket = parts.netloc
        self.endpoint_url = options.get("endpoint_url")
        self.region = options.get("region", "us-east-1")
        self.prefix = options.get("prefix", "attachments/")
        self._stack = AsyncExitStack()
        self._client: Any = None

    async def open(self) -> None:
        session = get_session()
        config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30)
        self._client = await self._stack.enter_async_context(
            session.create_client("s3", endpoint_url=self.endpoint_url, region_name=self.region, config=config)
        )

    async def close(self) -> None:
        await self._stack.aclose()

    def _key(self, attachment_id: int, variant: Variant) -> str:
        return f"{self.prefix}{attachment_id}/{variant}"

    async def put(
        self, conn: Connection, attachment_id: int, variant: Variant, data: bytes | bytearray, content_type: str
    ) -> None:
        try:
            await self._client.put_object(
                Bucket=self.bucket, Key=self._key(attachment_id, variant), Body=data, ContentType=content_type
            )
        except (BotoCoreError, ClientError) as exc:
            raise Unavailable(f"the attachment store cannot be written: {exc}"[:300]) from None

    async def read(self, conn: Connection, attachment_id: int, variant: Variant) -> AsyncIterator[bytes]:
        try:
            response = await self._client.get_object(Bucket=self.bucket, Key=self._key(attachment_id, variant))
        except (BotoCoreError, ClientError) as exc:
            raise Unavailable(f"the attachment store cannot be read: {exc}"[:300]) from None
        async with response["Body"] as body:
            while chunk := await body.read(CHUNK):
                yield chunk

    async def delete(self, conn: Connection, attachment_id: int) -> None:
        variants: tuple[Variant, ...] = ("original", "thumbnail")
        for variant in variants:
            try:
                await self._client.delete_object(Bucket=self.bucket, Key=self._key(attachment_id, variant))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404"):
                    raise


@asynccontextmanager
async def opened_stores(storage_url: str) -> AsyncIterator[dict[str, Store]]:
    """The stores attachments may be in, open: this database always, and the bucket when one is set."""
    stores: dict[str, Store] = {"postgres": PostgresStore()}
    if storage_url == "postgres":
        yield stores
        return
    bucket = S3Store(storage_url)
    await bucket.open()
    try:
        yield {**stores, "s3": bucket}
    finally:
        await bucket.close()
