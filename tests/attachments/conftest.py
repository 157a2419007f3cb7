from __future__ import annotations

import aiohttp
import pytest


async def upload(
    client,
    headers,
    content: bytes,
    name: str = "file.bin",
    alt: str | None = None,
    content_type: str = "application/octet-stream",
):
    form = aiohttp.FormData()
    form.add_field("file", content, filename=name, content_type=content_type)
    if alt is not None:
        form.add_field("alt", alt)
    return await client.post("/api/v1/attachments", headers=headers, data=form)


@pytest.fixture
def uploaded(client):
    async def make(headers, content: bytes, name: str = "file.bin", **options):
        response = await upload(client, headers, content, name, **options)
        assert response.status == 201, await response.text()
        return await response.json()

    return make
