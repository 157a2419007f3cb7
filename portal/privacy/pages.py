"""The settings page's "download my data" (the same JSON as GET /api/v1/me/data, as a file), and
the directory page's erasure form."""

from __future__ import annotations

import json

from aiohttp import web

from portal.directory.pages import admin_directory
from portal.http.view import View
from portal.privacy import erasure, export
from portal.privacy.erasure import ErasureRequest
from portal.privacy.schemas import PersonalData


async def my_data_download(view: View) -> web.Response:
    data = PersonalData.model_validate(await export.personal_data(view.conn, view.caller))
    return web.Response(
        text=json.dumps(data.model_dump(mode="json"), ensure_ascii=False, indent=2),
        content_type="application/json",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="my-idea-portal-data.json"', "Cache-Control": "no-store"},
    )


async def admin_erase(view: View) -> web.Response:
    view.caller.require_admin()
    request, errors = view.validate(ErasureRequest, {"contributions": view.field("contributions")})
    employee_id = await erasure.not_yet_erased(view.conn, email=view.field("email"))
    if employee_id is None:
        errors["email"] = view.gettext("Nobody with this email address is in the portal.")
    if view.field("confirm") != "yes":
        errors["confirm"] = view.gettext("Confirm that this cannot be undone.")
    if errors or request is None or employee_id is None:
        return await admin_directory(view, errors=errors, status=422)
    await erasure.erase(view.conn, view.caller, employee_id=employee_id, data=request)
    return view.redirect(view.url("admin_directory"), done="erased")
