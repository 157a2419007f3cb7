"""Wraps each non-public handler: authenticate, check token scope, apply the write rate limit."""
from __future__ import annotations

import functools
import logging
import time

from aiohttp import web

from portal.auth.caller import Caller
from portal.auth.service import caller_from_api_token, employee_from_claims, is_api_token
from portal.errors import Forbidden, RateLimited, Unauthenticated
from portal.web.keys import CALLER_LABEL, POOL, REDIS, SETTINGS, VERIFIER
from portal.web.spec import Handler, Route

log = logging.getLogger("portal.auth")
CALLER = web.RequestKey("caller", Caller)


async def authenticate(request: web.Request) -> Caller:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    token = token.strip()
    async with request.app[POOL].acquire() as conn:
        if is_api_token(token):
            return await caller_from_api_token(conn, token)
        claims = await request.app[VERIFIER].verify(token)
        employee = await employee_from_claims(conn, request.app[SETTINGS], claims)
    return Caller(employee=employee)


async def enforce_write_rate(request: web.Request, caller: Caller) -> None:
    settings = request.app[SETTINGS]
    window = settings.write_rate_window_seconds
    bucket = int(time.time()) // window
    key = f"portal:ratelimit:{caller.label}:{bucket}"
    try:
        async with request.app[REDIS].pipeline(transaction=False) as pipe:
            count, _ = await pipe.incr(key).expire(key, window * 2).execute()
    except Exception as exc:  # Redis down: writes keep flowing rather than failing closed
        log.warning("rate limit skipped", extra={"fields": {"error": str(exc)}})
        return
    if count > settings.write_rate_limit:
        raise RateLimited(retry_after=window - int(time.time()) % window)


def guarded(route: Route) -> Handler:
    handler = route.handler

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        caller = await authenticate(request)
        request[CALLER] = caller
        request[CALLER_LABEL] = caller.label
        if caller.employee is None and (route.scope is None or route.scope not in caller.scopes):
            needed = f"the {route.scope!r} scope" if route.scope else "an employee's credentials"
            raise Forbidden(f"this API token may not do this; it needs {needed}")
        if route.write:
            await enforce_write_rate(request, caller)
        return await handler(request)

    return wrapper


def caller_of(request: web.Request) -> Caller:
    return request[CALLER]
