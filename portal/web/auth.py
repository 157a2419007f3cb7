"""Who is calling: a bearer JWT (an employee) or an API token (an integration), and the write
rate limit per caller."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp import web

from portal.auth.caller import Caller
from portal.auth.service import caller_from_api_token, employee_from_claims, is_api_token
from portal.auth.tokens import hash_api_token
from portal.errors import RateLimited, Unauthenticated
from portal.http.keys import POOL, SETTINGS
from portal.web.keys import RATE_LIMITER, VERIFIER


def bearer_token(request: web.Request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    return token.strip()


def enforce_write_rate(request: web.Request, credential: str) -> None:
    limiter = request.app[RATE_LIMITER]
    if not limiter.try_acquire(credential):
        raise RateLimited(retry_after=limiter.retry_after())


async def _employee(request: web.Request, claims: dict[str, Any]) -> Caller:
    """Read afresh on every request (one indexed query): an employee who was deactivated or
    moved to another team is refused or counted for their new team from the next request on."""
    async with request.app[POOL].acquire() as conn:
        return Caller(employee=await employee_from_claims(conn, request.app[SETTINGS], claims))


async def authenticate(request: web.Request, *, rate_limited: bool) -> Caller:
    token = bearer_token(request)
    if is_api_token(token):
        credential = "token:" + hash_api_token(token).hex()[:24]
    else:
        claims = await request.app[VERIFIER].verify(token)
        credential = f"subject:{claims.get(request.app[SETTINGS].claim_subject)}"
    if rate_limited:
        enforce_write_rate(request, credential)
    if is_api_token(token):
        async with request.app[POOL].acquire() as conn:
            caller = await caller_from_api_token(conn, token)
    else:
        caller = await _employee(request, claims)
    return replace(caller, address=request.remote)
