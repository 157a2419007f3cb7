"""API tokens for integrations: created and revoked by admins, stored only as a hash."""

from __future__ import annotations

from portal.audit import trail as audit
from portal.auth.caller import Caller
from portal.auth.tokens import new_api_token
from portal.db import Connection, fetch_row
from portal.errors import NotFound
from portal.tokens import queries as q
from portal.tokens.schemas import TokenCreate, TokenCreated, TokenRead


async def create_token(conn: Connection, caller: Caller, data: TokenCreate) -> TokenCreated:
    created = await issue(conn, data, created_by=caller.require_admin().id)
    # What the token is, never the token itself.
    read = TokenRead.model_validate(created.model_dump(exclude={"token"}))
    await audit.act(conn, caller, "token.created", f"tokens/{created.id}", after=read)
    return created


async def issue(conn: Connection, data: TokenCreate, *, created_by: int | None) -> TokenCreated:
    """A new token; `created_by` None: an operator made it (`portal api-token`), e.g. the first
    SCIM token of a portal whose admins will come from the directory."""
    token, digest = new_api_token()
    row = await fetch_row(conn, q.INSERT_TOKEN, data.name, digest, token[:10], data.scopes, created_by)
    return TokenCreated.model_validate({**dict(row), "token": token})


async def issue_as_operator(conn: Connection, data: TokenCreate, *, actor: audit.Actor) -> TokenCreated:
    """A token made on the command line (`portal api-token`), in the audit trail as the operator's
    act, in the same transaction."""
    async with conn.transaction():
        created = await issue(conn, data, created_by=None)
        read = TokenRead.model_validate(created.model_dump(exclude={"token"}))
        await audit.record(conn, actor, [("token.created", f"tokens/{created.id}", None, read.model_dump(mode="json"))])
    return created


async def list_tokens(conn: Connection, caller: Caller) -> list[TokenRead]:
    caller.require_admin()
    return [TokenRead.model_validate(dict(row)) for row in await conn.fetch(q.LIST_TOKENS)]


async def get_token(conn: Connection, caller: Caller, *, token_id: int) -> TokenRead:
    caller.require_admin()
    row = await conn.fetchrow(q.GET_TOKEN, token_id)
    if row is None:
        raise NotFound(f"no token {token_id}")
    return TokenRead.model_validate(dict(row))


async def revoke_token(conn: Connection, caller: Caller, *, token_id: int) -> None:
    before = await get_token(conn, caller, token_id=token_id)
    await conn.execute(q.REVOKE_TOKEN, token_id)
    await audit.act(conn, caller, "token.revoked", f"tokens/{token_id}", before=before)
