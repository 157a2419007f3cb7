"""The S3-compatible store, against moto's standalone S3 server on this machine: uploads go to the
bucket, are read back from it and purged from it, and `portal move-attachments` moves files kept
in PostgreSQL there (and back) while each stays readable."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Iterator

import pytest
from moto.server import ThreadedMotoServer

from portal.attachments import service as attachments
from portal.attachments.storage import PostgresStore, S3Store
from portal.auth.caller import Caller, Employee
from portal.config import PROJECT_ROOT, Settings
from tests.attachments import files
from tests.pipeline import free_port

BUCKET = "portal-attachments"
EMMA, HUGO = "emma@example.com", "hugo@example.com"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def storage_url(s3_endpoint: str, monkeypatch) -> str:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return f"s3://{BUCKET}?endpoint_url={s3_endpoint}&region=us-east-1"


@pytest.fixture
async def bucket(storage_url: str) -> AsyncIterator[S3Store]:
    store = S3Store(storage_url)
    await store.open()
    with contextlib.suppress(store._client.exceptions.BucketAlreadyOwnedByYou):
        await store._client.create_bucket(Bucket=BUCKET)
    yield store
    await store.close()


@pytest.fixture
def settings(settings: Settings, storage_url: str) -> Settings:
    return settings.model_copy(update={"storage_url": storage_url})


async def keys(store: S3Store) -> set[str]:
    listed = await store._client.list_objects_v2(Bucket=BUCKET)
    return {item["Key"] for item in listed.get("Contents", [])}


async def test_an_upload_is_kept_in_the_bucket_and_read_back_from_it(client, auth, uploaded, bucket, db):
    image = await uploaded(auth(EMMA), files.jpeg_with_gps(), "photo.jpg")
    assert await db.fetchval("SELECT store FROM attachments") == "s3"
    assert await db.fetchval("SELECT count(*) FROM attachment_chunks") == 0
    assert {f"attachments/{image['id']}/original", f"attachments/{image['id']}/thumbnail"} <= await keys(bucket)
    response = await client.get(image["content_url"], headers=auth(EMMA))
    assert response.status == 200 and response.content_type == "image/jpeg"
    assert len(await response.read()) == image["size"]


async def test_a_removed_attachment_is_purged_from_the_bucket(client, auth, uploaded, bucket, db):
    stale = await uploaded(auth(EMMA), files.PDF, "stale.pdf")
    await db.execute("UPDATE attachments SET created_at = now() - interval '2 days'")
    async with db.transaction():
        await attachments.purge(db, {"postgres": PostgresStore(), "s3": bucket})
    assert not {k for k in await keys(bucket) if k.startswith(f"attachments/{stale['id']}/")}


async def kept_in_the_database(db, settings: Settings) -> list[int]:
    """Two attachments kept in PostgreSQL, as before a bucket was configured."""
    employee_id = await db.fetchval(
        "INSERT INTO employees (subject, email, name) VALUES ($1, $1, 'Emma') RETURNING id", EMMA
    )
    caller = Caller(employee=Employee(employee_id, EMMA, "Emma", None, None, False))
    ids = []
    for content, name in ((files.PDF, "form.pdf"), (files.png(), "shot.png")):
        async with db.transaction():
            made = await attachments.upload(
                db, PostgresStore(), caller, name=name, content=content, alt="", limits=attachments.Limits.of(settings)
            )
        ids.append(made.id)
    return ids


async def test_the_move_command_takes_files_to_the_bucket_and_back(client, auth, bucket, db, settings, storage_url):
    ids = await kept_in_the_database(db, settings)
    env = {**os.environ, "DATABASE_URL": settings.database_url or "", "PORTAL_STORAGE_URL": storage_url}
    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "portal",
        "move-attachments",
        "--to",
        "s3",
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await command.communicate()
    assert command.returncode == 0 and b"2 attachments now in s3" in output
    assert await db.fetchval("SELECT count(*) FROM attachment_chunks") == 0
    assert {f"attachments/{ids[1]}/thumbnail"} <= await keys(bucket)
    response = await client.get(f"/api/v1/attachments/{ids[0]}/content", headers=auth(EMMA))
    assert await response.read() == files.PDF
    async with db.transaction():
        assert await attachments.move(db, bucket, PostgresStore()) == 2
    assert await db.fetchval("SELECT count(*) FROM attachments WHERE store = 'postgres'") == 2
    assert not await keys(bucket) & {f"attachments/{i}/original" for i in ids}
    response = await client.get(f"/api/v1/attachments/{ids[1]}/content", headers=auth(EMMA))
    assert response.status == 200 and response.content_type == "image/png"
