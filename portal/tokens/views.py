from __future__ import annotations

from portal.http.call import Call, Created
from portal.tokens import service
from portal.tokens.schemas import TokenCreate, TokenCreated, TokenRead


async def create_token(call: Call, body: TokenCreate) -> Created[TokenCreated]:
    """Create an API token for an integration (admin); the token is shown once"""
    created = await service.create_token(call.conn, call.caller, body)
    return Created(created, call.url_for("get_token", token_id=created.id))


async def list_tokens(call: Call) -> list[TokenRead]:
    """List API tokens (admin)"""
    return await service.list_tokens(call.conn, call.caller)


async def get_token(call: Call) -> TokenRead:
    """Get an API token (admin)"""
    return await service.get_token(call.conn, call.caller, token_id=call.path["token_id"])


async def revoke_token(call: Call) -> None:
    """Revoke an API token (admin)"""
    await service.revoke_token(call.conn, call.caller, token_id=call.path["token_id"])
