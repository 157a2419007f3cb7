"""The admins' API token pages: the tokens, making one (shown once) and revoking one."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from portal.http.view import View
from portal.tokens import service as tokens
from portal.tokens.schemas import TokenCreate

SCOPES = ["ideas:read", "teams:read", "events:read", "events:voters", "webhooks:manage", "scim"]


async def admin_tokens(
    view: View, *, errors: dict[str, str] | None = None, created: Any = None, status: int = 200
) -> web.Response:
    return await view.render(
        "admin/tokens.html",
        status=status,
        tokens=await tokens.list_tokens(view.conn, view.caller),
        scopes=SCOPES,
        errors=errors or {},
        created=created,
        active="admin",
        section="tokens",
    )


async def admin_token_create(view: View) -> web.Response:
    data, errors = view.validate(TokenCreate, {"name": view.field("name"), "scopes": view.fields("scopes")})
    if data is None:
        return await admin_tokens(view, errors=errors, status=422)
    created = await tokens.create_token(view.conn, view.caller, data)
    return await admin_tokens(view, created=created, status=201)


async def admin_token_revoke(view: View) -> web.Response:
    await tokens.revoke_token(view.conn, view.caller, token_id=view.path["token_id"])
    return view.redirect(view.url("admin_tokens"))
