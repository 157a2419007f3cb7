from __future__ import annotations

from aiohttp import web

from portal.attachments import service
from portal.attachments.http import STORES, current, serve
from portal.attachments.schemas import AttachmentRead
from portal.attachments.service import Limits
from portal.errors import ValidationFailed
from portal.http.call import Call, Created
from portal.http.uploads import Upload, read_form_with_files

# The file and a little room for the form's other fields and the multipart framing.
FORM_MARGIN = 64 * 1024


async def upload_attachment(call: Call) -> Created[AttachmentRead]:
    """Upload an image or a file (multipart/form-data: `file`, optional `alt`); refer to it from an idea or comment"""
    form = await read_form_with_files(call.request, call.settings.attachment_max_bytes + FORM_MARGIN)
    file = form.get("file")
    if not isinstance(file, Upload):
        raise ValidationFailed(
            [{"field": "file", "message": "send the file as the form's `file` part", "type": "missing"}]
        )
    alt = form.get("alt")
    created = await service.upload(
        call.conn,
        current(call.request.app[STORES]),
        call.caller,
        name=file.filename,
        content=file.content,
        alt=alt if isinstance(alt, str) else "",
        limits=Limits.of(call.settings),
    )
    return Created(created, call.url_for("get_attachment", attachment_id=created.id))


async def get_attachment(call: Call) -> AttachmentRead:
    """An attachment's name, type, size and addresses (whoever may read its idea or comment)"""
    return service.to_read(await service.readable(call.conn, call.caller, call.path["attachment_id"]))


async def attachment_content(call: Call) -> web.StreamResponse:
    """An attachment's bytes: images inline, other files as a download"""
    return await serve(call.request, call.conn, call.caller, call.path["attachment_id"], "original")


async def attachment_thumbnail(call: Call) -> web.StreamResponse:
    """An image attachment's thumbnail (WebP, at most 480 px)"""
    return await serve(call.request, call.conn, call.caller, call.path["attachment_id"], "thumbnail")
