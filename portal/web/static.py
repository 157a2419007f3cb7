"""The web client's static files, read into memory at start-up and served under a URL that
contains their content hash, so browsers may cache them for a year and a new release is
fetched at once. Text files are also kept gzipped, for browsers that accept it."""

from __future__ import annotations

import functools
import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    gzipped: bytes | None
    content_type: str
    digest: str


class StaticFiles:
    def __init__(self, root: Path = STATIC_ROOT) -> None:
        self.files: dict[str, StaticFile] = {}
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.suffix in (".md",):
                continue
            body = path.read_bytes()
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            text = content_type.startswith(TEXT_TYPES)
            self.files[path.relative_to(root).as_posix()] = StaticFile(
                body,
                gzip.compress(body, 9, mtime=0) if text else None,
                content_type + ("; charset=utf-8" if text else ""),
                hashlib.sha256(body).hexdigest()[:16],
            )

    @classmethod
    @functools.cache
    def load(cls) -> StaticFiles:
        """The package's static files, read once per process."""
        return cls()

    def url(self, name: str) -> str:
        return f"/static/{self.files[name].digest}/{name}"

    async def handle(self, request: web.Request) -> web.Response:
        found = self.files.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        headers = {"Content-Type": found.content_type, "ETag": f'"{found.digest}"', "Vary": "Accept-Encoding"}
        if request.match_info["digest"] == found.digest:
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:  # an old page asking for a file that changed since: the current one, briefly cached
            headers["Cache-Control"] = "public, max-age=60"
        if request.headers.get("If-None-Match") == headers["ETag"]:
            return web.Response(status=304, headers=headers)
        if found.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
            return web.Response(body=found.gzipped, headers={**headers, "Content-Encoding": "gzip"})
        return web.Response(body=found.body, headers=headers)
