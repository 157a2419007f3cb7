"""Attachments in the web client: their bytes for the signed-in reader, uploads by the forms'
file fields (each file's reference added to the text), and the upload a pasted or dropped file
makes with JavaScript (answered as JSON: its Markdown, inserted where the cursor is)."""

from __future__ import annotations

from aiohttp import web

from portal.attachments import service
from portal.attachments.http import STORES, current, serve
from portal.attachments.schemas import AttachmentRead
from portal.attachments.service import Limits
from portal.errors import PortalError, ValidationFailed
from portal.http.forms import errors_of
from portal.http.uploads import Upload
from portal.http.view import View


async def attachment_file(view: View) -> web.StreamResponse:
    return await serve(view.request, view.conn, view.caller, view.path["attachment_id"], "original")


async def attachment_thumbnail_file(view: View) -> web.StreamResponse:
    return await serve(view.request, view.conn, view.caller, view.path["attachment_id"], "thumbnail")


async def attachment_upload(view: View) -> web.Response:
    """A pasted or dropped file, sent by the page's script: its Markdown, or the refusal."""
    file = view.form.get("file") if view.form is not None else None
    if not isinstance(file, Upload):
        return web.json_response({"error": view.gettext("Choose a file to attach")}, status=422)
    try:
        created = await _upload(view, file, alt=view.field("alt"))
    except PortalError as refused:
        return web.json_response({"error": refused.detail}, status=refused.status)
    return web.json_response({"id": created.id, "markdown": created.markdown}, status=201)


async def _upload(view: View, file: Upload, *, alt: str = "") -> AttachmentRead:
    return await service.upload(
        view.conn,
        current(view.request.app[STORES]),
        view.caller,
        name=file.filename,
        content=file.content,
        alt=alt or file.filename.rsplit(".", 1)[0],
        limits=Limits.of(view.settings),
    )


async def attach_chosen_files(view: View, text: str) -> tuple[str, dict[str, str]]:
    """The form's chosen files uploaded, each one's reference added to the end of `text`; or the
    refusal of the first that could not be, at the `files` field (the text is then unchanged)."""
    files = [
        f
        for f in (view.form.getall("files", []) if view.form is not None else [])
        if isinstance(f, Upload) and f.content
    ]
    references = []
    for file in files:
        try:
            references.append((await _upload(view, file)).markdown)
        except ValidationFailed as refused:
            return text, {"files": f"{file.filename}: {next(iter(errors_of(refused, view.gettext).values()))}"}
        except PortalError as refused:
            return text, {"files": f"{file.filename}: {refused.detail}"}
    if not references:
        return text, {}
    return (text.rstrip() + "\n\n" if text.strip() else "") + "\n".join(references), {}
