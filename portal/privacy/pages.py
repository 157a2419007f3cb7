"""The settings page's "download my data": the same JSON as GET /api/v1/me/data, as a file."""

from __future__ import annotations

import json

from aiohttp import web

from portal.http.view import View
from portal.privacy import export
from portal.privacy.schemas import PersonalData


async def my_data_download(view: View) -> web.Response:
    data = PersonalData.model_validate(await export.personal_data(view.conn, view.caller))
    return web.Response(
        text=json.dumps(data.model_dump(mode="json"), ensure_ascii=False, indent=2),
        content_type="application/json",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="my-idea-portal-data.json"', "Cache-Control": "no-store"},
    )
