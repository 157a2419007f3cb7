"""Wraps each non-public handler: authenticate, check token scope, apply the write rate limit."""
from __future__ import annotations

import functools

from aiohttp import web

from portal.auth.caller import Caller
from portal.auth.service import (
    caller_from_api_token,
    employee_from_claims,
    is_api_token,
)
from portal.auth.tokens import hash_api_token
from portal.errors import Forbidden, RateLimited, Unauthenticated
from portal.web.keys import (
    CALLER_LABEL,
    EMPLOYEES,
    POOL,
    RATE_LIMITER,
    SETTINGS,
    VERIFIER,
)
from portal.web.spec import Handler, Route

CALLER = web.RequestKey("caller", Caller)


def bearer_token(request: web.Request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    return token.strip()


def enforce_write_rate(request: web.Request, credential: str) -> None:
    limiter = request.app[RATE_LIMITER]
    if not limiter.try_acquire(credential):
        raise RateLimited(retry_after=limiter.retry_after())


async def _employee(request: web.Request, claims: dict) -> Caller:
    cache, settings = request.app[EMPLOYEES], request.app[SETTINGS]
    key = tuple(sorted((k, repr(v)) for k, v in claims.items() if k not in ("exp", "iat", "nbf", "jti")))
    employee = cache.get(key)
    if employee is None:
        async with request.app[POOL].acquire() as conn:
            employee = await employee_from_claims(conn, settings, claims)
        cache.put(key, employee)
    return Caller(employee=employee)


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
            return await caller_from_api_token(conn, token)
    return await _employee(request, claims)


def guarded(route: Route) -> Handler:
    handler = route.handler

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        caller = await authenticate(request, rate_limited=route.write)
        request[CALLER] = caller
        request[CALLER_LABEL] = caller.label
        if caller.employee is None and (route.scope is None or route.scope not in caller.scopes):
            needed = f"the {route.scope!r} scope" if route.scope else "an employee's credentials"
            raise Forbidden(f"this API token may not do this; it needs {needed}")
        return await handler(request)

    return wrapper


def caller_of(request: web.Request) -> Caller:
    return request[CALLER]
