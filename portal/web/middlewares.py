"""Request id, structured access log, metrics, and problem-details rendering of errors."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextlib import nullcontext
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any

from aiohttp import web

from portal.errors import (
    HttpError,
    InternalError,
    MalformedRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    PortalError,
)
from portal.http.keys import CALLER_LABEL, PEOPLE_FIRST, REQUEST_ID, SETTINGS
from portal.network import is_ip_address
from portal.web.http import problem_response
from portal.web.keys import METRICS

log = logging.getLogger("portal.http")
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def client_address(peer: str | None, forwarded_for: str, proxies: list[IPv4Network | IPv6Network]) -> str | None:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the last address
    in X-Forwarded-For that is not one (each proxy appends the address it was reached from)."""
    address = peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    while address is not None and _trusted(address, proxies) and hops:
        hop = hops.pop()
        if not is_ip_address(hop):  # "unknown", a port, garbage: the proxy is the last address known
            break
        address = hop
    return address


def _trusted(address: str, proxies: list[IPv4Network | IPv6Network]) -> bool:
    return is_ip_address(address) and any(ip_address(address) in network for network in proxies)


@web.middleware
async def forwarded(request: web.Request, handler: Any) -> web.StreamResponse:
    """Behind trusted proxies (PORTAL_TRUSTED_PROXIES), the request's remote is the client's."""
    proxies = request.app[SETTINGS].trusted_proxies
    if proxies and request.remote is not None and _trusted(request.remote, proxies):
        remote = client_address(request.remote, request.headers.get("X-Forwarded-For", ""), proxies)
        if remote is not None and remote != request.remote:
            request = request.clone(remote=remote)
    return await handler(request)


def _route_name(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


def _as_problem(exc: web.HTTPException) -> PortalError:
    if isinstance(exc, web.HTTPNotFound):
        return NotFound("no such resource")
    if isinstance(exc, web.HTTPMethodNotAllowed):
        return MethodNotAllowed(exc.method, exc.allowed_methods)
    if isinstance(exc, web.HTTPRequestEntityTooLarge):
        return PayloadTooLarge("the request body is too large")
    if isinstance(exc, web.HTTPBadRequest):
        return MalformedRequest("the request could not be read")
    return HttpError(exc.status)


# Requests that are not a person's, or that stay open (event streams), do not hold provisioning back.
NOT_PEOPLES = ("/scim/", "/live", "/api/v1/events/stream")


def _a_persons_request(request: web.Request) -> bool:
    return not request.path.startswith(NOT_PEOPLES)


@web.middleware
async def observe(request: web.Request, handler):
    """Outermost: assigns the request id, times the request, logs one line, counts it."""
    incoming = request.headers.get("X-Request-ID", "")
    request_id = incoming if VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    request[REQUEST_ID] = request_id
    started = time.perf_counter()
    status = 500
    people = request.app[PEOPLE_FIRST].serving_someone() if _a_persons_request(request) else nullcontext()
    try:
        with people:
            response = await handler(request)
        status = response.status
        response.headers["X-Request-ID"] = request_id
        return response
    finally:
        elapsed = time.perf_counter() - started
        route = _route_name(request)
        request.app[METRICS].observe(request.method, route, status, elapsed)
        log.info(
            "request",
            extra={
                "fields": {
                    "method": request.method,
                    "route": route,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "request_id": request_id,
                    "caller": request.get(CALLER_LABEL),
                }
            },
        )


# No inline script or style anywhere, nothing from another host, never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@web.middleware
async def security_headers(request: web.Request, handler):
    response = await handler(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.content_type == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _wants_html(request: web.Request) -> bool:
    """A browser navigating to a page (not the API, not a script) gets errors as a page."""
    return not request.path.startswith("/api/") and "text/html" in request.headers.get("Accept", "")


async def _respond(request: web.Request, error: PortalError) -> web.StreamResponse:
    if _wants_html(request):
        from portal.web.pages import error_page

        return await error_page(request, error)
    return problem_response(error, request.path, request.app[SETTINGS].problem_base)


@web.middleware
async def problems(request: web.Request, handler):
    """Renders every error as application/problem+json; unexpected ones as a generic 500."""
    try:
        return await handler(request)
    except PortalError as error:
        return await _respond(request, error)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return await _respond(request, _as_problem(exc))
    except UnicodeDecodeError:
        return await _respond(request, MalformedRequest("the request is not valid UTF-8"))
    except Exception:
        log.exception(
            "unhandled error", extra={"fields": {"request_id": request.get(REQUEST_ID), "path": request.path}}
        )
        return await _respond(request, InternalError())
