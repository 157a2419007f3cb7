"""A form with a file (multipart/form-data), read with a limit of its own: an org file may be far
larger than PORTAL_MAX_BODY_BYTES allows any other request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import BadHttpMessage
from multidict import MultiDict, MultiDictProxy

from portal.errors import MalformedRequest, PayloadTooLarge, UnsupportedMediaType

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes | bytearray


async def read_form_with_files(request: web.Request, limit: int) -> MultiDictProxy[Any]:
    """The form's fields (text) and files (Upload), at most `limit` bytes of files in all."""
    if request.content_type != "multipart/form-data":
        raise UnsupportedMediaType("send the form as multipart/form-data, with the file in it")
    try:
        return await _read(request, limit)
    except (ValueError, BadHttpMessage, AssertionError) as exc:  # aiohttp's refusals of a malformed body
        raise MalformedRequest(f"the multipart body cannot be read: {exc}"[:300]) from None


async def _read(request: web.Request, limit: int) -> MultiDictProxy[Any]:
    fields: MultiDict[Any] = MultiDict()
    total = 0
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        content = bytearray()  # grown in place: the file is never held twice
        while chunk := await part.read_chunk(CHUNK):
            total += len(chunk)
            if total > limit:
                raise PayloadTooLarge(f"the file is larger than {limit // (1024 * 1024)} MB")
            content += chunk
        if part.filename is not None:
            fields.add(part.name, Upload(part.filename, content))
        else:
            fields.add(part.name, content.decode(part.get_charset("utf-8"), errors="replace"))
    return MultiDictProxy(fields)
