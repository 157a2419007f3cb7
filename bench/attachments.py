"""Uploading a 5 MB photo: the portal's API (multipart upload, content check, Pillow decoding it,
applying its orientation, writing it again without metadata, a thumbnail, and keeping it in
PostgreSQL) beside raw baselines in the same run: Pillow's decode + encode of the same photo in
this process, and the same upload to a bare aiohttp handler that only reads it.

Starts PostgreSQL and Redis (or uses PORTAL_TEST_DATABASE_URL / PORTAL_TEST_REDIS_URL), a fresh
database and one `portal serve`; UPLOADS uploads with CONCURRENCY at a time.
Target: a 5 MB photo uploaded and processed p99 <= 1.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from aiohttp import web
from PIL import Image

from bench.harness import free_port, fresh_database, start_process, stop_process, temp_dir
from portal.attachments import images
from portal.auth.tokens import mint_dev_token
from portal.config import Settings
from tests.servers import TestServers

SECRET = "bench-secret-0123456789abcdef0123456789"


def photo(target_bytes: int) -> bytes:
    """A camera-sized JPEG of about `target_bytes` (noise compresses badly, like a real photo)."""
    width, height = 4000, 3000
    rng = random.Random(7)
    base = Image.new("RGB", (width // 5, height // 5))
    base.putdata(
        [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(base.width * base.height)]
    )
    image = base.resize((width, height), Image.Resampling.BICUBIC)
    for quality in (97, 95, 92, 90, 85, 80, 75, 70):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, exif=Image.Exif())
        if out.tell() <= target_bytes:
            break
    return out.getvalue()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def uploads(url: str, headers: dict[str, str], content: bytes, count: int, concurrency: int) -> list[float]:
    latencies: list[float] = []
    remaining = iter(range(count))
    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            for _ in remaining:
                form = aiohttp.FormData()
                form.add_field("file", content, filename="photo.jpg", content_type="image/jpeg")
                started = time.perf_counter()
                async with session.post(url, headers=headers, data=form) as response:
                    await response.read()
                    assert response.status in (200, 201), response.status
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def bare_server() -> tuple[web.AppRunner, str]:
    async def receive(request: web.Request) -> web.Response:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            while await part.read_chunk(64 * 1024):  # type: ignore[union-attr]
                pass
        return web.Response(status=201)

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/upload", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/upload"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--megabytes", type=float, default=5.0)
    args = parser.parse_args()

    content = photo(int(args.megabytes * 1024 * 1024))
    started = time.perf_counter()
    for _ in range(3):
        images.clean(content, "image/jpeg", max_pixels=50_000_000)
    pillow = (time.perf_counter() - started) / 3

    servers = TestServers.start()
    logs = temp_dir()
    port = free_port()
    url = await fresh_database(servers)
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": servers.redis_url,
        "PORTAL_JWT_SECRET": SECRET,
        "PORTAL_ENVIRONMENT": "test",
        "PORTAL_WRITE_RATE_LIMIT": str(10**9),
        "PORTAL_ATTACHMENT_DAILY_BYTES": str(10**12),
        "PORTAL_LOG_LEVEL": "WARNING",
    }
    process = start_process([sys.executable, "-m", "portal", "serve", "--port", str(port)], env, port, logs / "api.log")
    runner, bare = await bare_server()
    try:
        settings = Settings(database_url=url, redis_url=servers.redis_url, jwt_secret=SECRET, _env_file=None)
        headers = {"Authorization": "Bearer " + mint_dev_token(settings, email="e1@example.com", name="E1")}
        api = f"http://127.0.0.1:{port}/api/v1/attachments"
        await uploads(api, headers, content, 3, 1)  # warm-up
        portal = await uploads(api, headers, content, args.uploads, args.concurrency)
        raw = await uploads(bare, {}, content, args.uploads, args.concurrency)
    finally:
        stop_process(process)
        await runner.cleanup()
        servers.stop()
    size = len(content) / (1024 * 1024)
    print(f"a {size:.1f} MB 4000x3000 JPEG; {args.uploads} uploads, {args.concurrency} at a time")
    print(
        f"  portal: upload, check, clean, thumbnail, keep   p50 {pct(portal, 0.5):7.1f} ms  p99 {pct(portal, 0.99):7.1f} ms   (target p99 <= 1500 ms)"
    )
    print(
        f"  raw: the same upload to a bare aiohttp handler   p50 {pct(raw, 0.5):7.1f} ms  p99 {pct(raw, 0.99):7.1f} ms"
    )
    print(f"  raw: Pillow's decode + encode + thumbnail alone      {pillow * 1000:7.1f} ms")
    print(
        f"  portal p50 / (bare upload p50 + Pillow)             {pct(portal, 0.5) / (pct(raw, 0.5) + pillow * 1000):7.2f}x"
    )
    print(f"logs: {logs}")


if __name__ == "__main__":
    asyncio.run(main())
