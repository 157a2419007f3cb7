"""The SCIM endpoint around each handler: an API token with the `scim` scope, the provisioning rate
limit and concurrency (apart from people's requests), one transaction, SCIM error bodies
(RFC 7644 §3.12) for every failure, and `application/scim+json` both ways."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pydantic
from aiohttp import web
from scim2_models import (
    Context,
    Error,
    InvalidSyntaxException,
    NotFoundException,
    ResponseParameters,
    SCIMException,
    SearchRequest,
)

from portal.audit.trail import Actor
from portal.auth.caller import Caller
from portal.auth.service import caller_from_api_token, is_api_token
from portal.db import Connection, transaction
from portal.errors import Forbidden, PortalError, RateLimited, Unauthenticated
from portal.http.keys import CALLER_LABEL, PEOPLE_FIRST, POOL, SCIM_RATE_LIMITER, SCIM_SLOTS, SETTINGS
from portal.http.view import base_url
from portal.scim.models import MAX_RESULTS, MEDIA_TYPE, POLICY

log = logging.getLogger("portal.scim")
PREFIX = "/scim/v2"
SCOPE = "scim"
# The SCIM keyword of the portal's own errors that have one (RFC 7644 Table 9).
SCIM_TYPES = {
    "uniqueness": "uniqueness",
    "email-taken": "uniqueness",
    "unknown-manager": "invalidValue",
    "unknown-members": "invalidValue",
}


@dataclass
class ScimCall:
    """What a SCIM handler gets: the request, the token, the settings, the transaction's connection."""

    request: web.Request
    caller: Caller
    conn: Connection = field(init=False)

    @property
    def settings(self) -> Any:
        return self.request.app[SETTINGS]

    @property
    def base(self) -> str:
        """The SCIM base URL resources are located under (RFC 7644 §3.1 `meta.location`)."""
        return base_url(self.request) + PREFIX

    @property
    def actor(self) -> Actor:
        return Actor.of("scim", self.caller)

    @property
    def id(self) -> int:
        text = self.request.match_info["id"]
        if not text.isdigit() or len(text) > 18:
            raise NotFoundException(detail=f"no resource {text[:40]!r}")
        return int(text)

    async def body(self) -> dict[str, Any]:
        try:
            document = json.loads(await self.request.read())
        except (ValueError, UnicodeDecodeError):
            raise InvalidSyntaxException(detail="the body is not JSON") from None
        if not isinstance(document, dict):
            raise InvalidSyntaxException(detail="the body is not a JSON object")
        return document

    @property
    def asks_for_attributes(self) -> bool:
        return "attributes" in self.request.query or "excludedAttributes" in self.request.query

    def response_parameters(self) -> ResponseParameters:
        query = self.request.query
        return ResponseParameters.model_validate(
            {key: query[key] for key in ("attributes", "excludedAttributes") if key in query}
        )

    def search_request(self, body: dict[str, Any] | None = None) -> SearchRequest:
        """The list's filter, page and attributes, from the query string or a /.search body."""
        query = self.request.query
        source: dict[str, Any] = (
            body
            if body is not None
            else {
                key: query[key]
                for key in ("filter", "startIndex", "count", "attributes", "excludedAttributes")
                if key in query
            }
        )
        for key in ("startIndex", "count"):
            if isinstance(source.get(key), str):
                if not source[key].lstrip("-").isdigit():
                    raise InvalidSyntaxException(detail=f"{key} must be an integer")
                source = {**source, key: int(source[key])}
        search: SearchRequest = SearchRequest.model_validate(source)
        if search.count is None or search.count > MAX_RESULTS:
            search.count = MAX_RESULTS
        return search


Handler = Callable[[ScimCall], Awaitable[web.Response]]


def parameters_of(search: SearchRequest) -> ResponseParameters:
    """A list's `attributes` and `excludedAttributes`, to dump each of its resources with."""
    return ResponseParameters(attributes=search.attributes, excluded_attributes=search.excluded_attributes)


def respond(document: Any, *, status: int = 200, location: str | None = None) -> web.Response:
    headers = {"Location": location} if location else None
    return web.Response(
        body=json.dumps(document, ensure_ascii=False, default=str).encode(),
        status=status,
        content_type=MEDIA_TYPE,
        charset="utf-8",
        headers=headers,
    )


def error_response(
    status: int, detail: str, scim_type: str | None = None, headers: dict[str, str] | None = None
) -> web.Response:
    error = Error(status=status, scim_type=scim_type, detail=detail)
    response = respond(error.model_dump(scim_ctx=Context.DEFAULT), status=status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _portal_error(error: PortalError) -> web.Response:
    headers = dict(error.headers)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="idea-portal-scim"'
    return error_response(error.status, error.detail, SCIM_TYPES.get(error.slug), headers)


async def _authenticate(request: web.Request) -> Caller:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("send 'Authorization: Bearer <an API token with the scim scope>'")
    if not is_api_token(token):
        raise Forbidden("provisioning takes an API token with the 'scim' scope, not an employee's token")
    async with request.app[POOL].acquire() as conn:
        caller = replace(await caller_from_api_token(conn, token), address=request.remote)
    if SCOPE not in caller.scopes:
        raise Forbidden("this API token may not provision; it needs the 'scim' scope")
    limiter = request.app[SCIM_RATE_LIMITER]
    if not limiter.try_acquire(f"token:{caller.token_id}"):
        raise RateLimited(limiter.retry_after(), "provisioning rate limit reached (PORTAL_SCIM_RATE_LIMIT)")
    return caller


def endpoint(
    handler: Handler, tx: Literal["read", "write"] | None
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            call = ScimCall(request, await _authenticate(request))
            request[CALLER_LABEL] = call.caller.label
            people_first = request.app[PEOPLE_FIRST]
            await people_first.defer()
            async with request.app[SCIM_SLOTS], people_first.taking_turns():
                if tx is None:
                    return await handler(call)

                async def work(conn: Connection) -> web.Response:
                    call.conn = conn
                    with POLICY:
                        return await handler(call)

                return await transaction(request.app[POOL], work, readonly=tx == "read")
        except SCIMException as exc:
            error = exc.to_error()
            return error_response(int(error.status or 400), error.detail or str(exc), error.scim_type)
        except pydantic.ValidationError as exc:
            errors = Error.from_validation_errors(exc.errors())
            first = errors[0] if errors else Error(status=400, detail="invalid")
            return error_response(400, first.detail or "invalid", first.scim_type or "invalidValue")
        except PortalError as exc:
            return _portal_error(exc)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return error_response(exc.status, exc.reason)
        except Exception:
            log.exception("unhandled SCIM error", extra={"fields": {"path": request.path}})
            return error_response(500, "an unexpected error occurred; it has been logged")

    handle.__name__ = getattr(handler, "__name__", "scim")
    return handle


@dataclass(frozen=True)
class ScimRoute:
    method: str
    path: str  # under PREFIX
    handler: Handler
    tx: Literal["read", "write"] | None


def read(method: str, path: str, handler: Handler) -> ScimRoute:
    return ScimRoute(method, path, handler, "read")


def write(method: str, path: str, handler: Handler) -> ScimRoute:
    return ScimRoute(method, path, handler, "write")


def unknown_address(routes: list[ScimRoute]) -> Handler:
    """Anything else under /scim/v2: 405 where the address exists, else 404 (as SCIM errors)."""
    patterns = [(re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", PREFIX + r.path) + "$"), r.method) for r in routes]

    async def unknown(call: ScimCall) -> web.Response:
        allowed = sorted({method for pattern, method in patterns if pattern.match(call.request.path)})
        if allowed:
            return error_response(
                405, f"{call.request.method[:10]} is not allowed here", headers={"Allow": ",".join(allowed)}
            )
        raise NotFoundException(detail="no such SCIM endpoint")

    return unknown
