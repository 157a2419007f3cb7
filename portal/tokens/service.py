"""API tokens for integrations: created and revoked by admins, stored only as a hash."""
from __future__ import annotations

import asyncpg

from portal.auth.caller import Caller
from portal.auth.tokens import new_api_token
from portal.errors import NotFound
from portal.tokens.schemas import TokenCreate, TokenCreated, TokenRead

TOKEN_COLUMNS = "id, name, prefix, scopes, created_at, last_used_at, revoked_at"
INSERT_TOKEN = f"""
INSERT INTO api_tokens (name, token_hash, prefix, scopes, created_by) VALUES ($1, $2, $3, $4, $5)
RETURNING {TOKEN_COLUMNS}
"""
LIST_TOKENS = f"SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY id"
GET_TOKEN = f"SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"
REVOKE_TOKEN = "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id"


async def create_token(conn: asyncpg.Connection, caller: Caller, data: TokenCreate) -> TokenCreated:
    admin = caller.require_admin()
    token, digest = new_api_token()
    row = await conn.fetchrow(INSERT_TOKEN, data.name, digest, token[:10], data.scopes, admin.id)
    return TokenCreated.model_validate({**dict(row), "token": token})


async def list_tokens(conn: asyncpg.Connection, caller: Caller) -> list[TokenRead]:
    caller.require_admin()
    return [TokenRead.model_validate(dict(row)) for row in await conn.fetch(LIST_TOKENS)]


async def get_token(conn: asyncpg.Connection, caller: Caller, *, token_id: int) -> TokenRead:
    caller.require_admin()
    row = await conn.fetchrow(GET_TOKEN, token_id)
    if row is None:
        raise NotFound(f"no token {token_id}")
    return TokenRead.model_validate(dict(row))


async def revoke_token(conn: asyncpg.Connection, caller: Caller, *, token_id: int) -> None:
    caller.require_admin()
    if await conn.fetchval(REVOKE_TOKEN, token_id) is None:
        raise NotFound(f"no token {token_id}")
