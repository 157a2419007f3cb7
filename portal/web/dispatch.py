"""Turns a route table entry into an aiohttp handler: authenticate, check the token's scope,
parse and validate the path, query and body, open the route's unit of work, call the handler,
and render what it returns (run again when the transaction meets a deadlock or serialization
failure, portal.db.transaction). Handlers themselves only call the domain."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from portal import idempotency
from portal.auth.caller import Caller
from portal.db import Connection, transaction
from portal.errors import Forbidden
from portal.http.call import Call, Created, Result
from portal.http.keys import CALLER_LABEL, POOL, SETTINGS
from portal.http.validation import validate_body
from portal.web.auth import authenticate
from portal.web.http import dump, json_response, parse_path, parse_query, read_json
from portal.web.spec import Route

ANONYMOUS = Caller()


def render(route: Route, result: Result) -> web.StreamResponse:
    if isinstance(result, web.StreamResponse):
        return result
    if isinstance(result, Created):
        return json_response(result.resource, status=201, headers={"Location": result.location})
    if result is None:
        return web.Response(status=route.status)
    return json_response(result, status=route.status)


async def _once(route: Route, call: Call, raw_body: object, inputs: dict[str, Any]) -> web.StreamResponse:
    """Runs a creating handler under its Idempotency-Key, in the route's transaction: a retry
    replays the first response; a concurrent retry waits for the first attempt to commit."""
    key = call.request.headers.get("Idempotency-Key")
    if key is None:
        return render(route, await route.handler(call, **inputs))
    caller = call.caller.label
    key = idempotency.validate_key(key)
    fingerprint = idempotency.request_hash(call.request.method, call.request.path, raw_body)
    stored = await idempotency.claim(
        call.conn, caller=caller, key=key, fingerprint=fingerprint, keep_hours=call.settings.idempotency_hours
    )
    if stored is not None:
        return json_response(
            stored.body, status=stored.status, headers={**stored.headers, "Idempotent-Replayed": "true"}
        )
    result = await route.handler(call, **inputs)
    if not isinstance(result, Created):
        raise TypeError(f"{route.name} must answer Created to be idempotent")
    body, headers = dump(result.resource), {"Location": result.location}
    await idempotency.save(call.conn, caller=caller, key=key, status=201, body=body, headers=headers)
    return json_response(body, status=201, headers=headers)


def endpoint(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        caller = ANONYMOUS if route.public else await authenticate(request, rate_limited=route.write)
        request[CALLER_LABEL] = caller.label
        if not route.public and caller.employee is None and (route.scope is None or route.scope not in caller.scopes):
            needed = f"the {route.scope!r} scope" if route.scope else "an employee's credentials"
            raise Forbidden(f"this API token may not do this; it needs {needed}")
        call = Call(request, caller, request.app[SETTINGS], path=parse_path(request, route.path_params))
        inputs: dict[str, Any] = {}
        if route.query is not None:
            inputs["query"] = parse_query(request, route.query)
        raw_body = None
        if route.body is not None:
            raw_body = await read_json(request)
            inputs["body"] = validate_body(raw_body, route.body)
        if route.tx is None:
            return render(route, await route.handler(call, **inputs))

        async def work(conn: Connection) -> web.StreamResponse:
            call.conn = conn
            if route.idempotent:
                return await _once(route, call, raw_body, inputs)
            return render(route, await route.handler(call, **inputs))

        return await transaction(request.app[POOL], work, readonly=route.tx == "read")

    handle.__name__ = route.name
    return handle
