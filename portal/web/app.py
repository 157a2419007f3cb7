"""The app factory: one place that builds the aiohttp application and its resources."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import signal
from collections.abc import AsyncIterator
from importlib.metadata import PackageNotFoundError, version

import redis.asyncio as aioredis
from aiohttp import web

from portal.attachments import http as attachment_http
from portal.auth.jwt_verify import JwtVerifier
from portal.chat import http as chat_http
from portal.config import Settings
from portal.db import create_pool
from portal.http.keys import (
    KNOWN_NAMES,
    PAGE_CONTEXT,
    PATHS,
    PEOPLE_FIRST,
    POOL,
    SCIM_RATE_LIMITER,
    SCIM_SLOTS,
    SETTINGS,
    PageContextHook,
)
from portal.http.traffic import PeopleFirst
from portal.http.view import page_names
from portal.lookups import KnownNames
from portal.notifications import pages as notifications_pages
from portal.ratelimit import WriteRateLimiter
from portal.scim.http import PREFIX, unknown_address
from portal.scim.http import endpoint as scim_endpoint
from portal.signin.oidc import OIDC, OidcClient
from portal.web import middlewares
from portal.web.dispatch import endpoint
from portal.web.docs import OPENAPI
from portal.web.keys import FAILURES, METRICS, RATE_LIMITER, REDIS, STATIC, VERIFIER
from portal.web.live import HUB, FeedHub
from portal.web.metrics import Metrics
from portal.web.pages import page_endpoint
from portal.web.routes import all_routes, page_routes, scim_routes
from portal.web.spec import openapi_document
from portal.web.static import StaticFiles
from portal.web.templates import setup_templates

log = logging.getLogger("portal.app")


@functools.cache
def api_document(problem_base: str) -> dict:
    """The OpenAPI document: a function of the code and one setting, so built once per process."""
    return openapi_document(all_routes(), version=app_version(), problem_base=problem_base)


def app_version() -> str:
    try:
        return version("idea-portal")
    except PackageNotFoundError:
        return "0.0.0"


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    database_url, _ = settings.require_urls()
    app[POOL] = await create_pool(
        database_url,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        timeout=settings.db_connect_timeout,
    )
    yield
    try:
        # Bounded: a connection never given back must not keep the process from exiting.
        await asyncio.wait_for(app[POOL].close(), timeout=10)
    except TimeoutError:
        log.warning("database pool did not close in 10 s; terminating its connections")
        app[POOL].terminate()


async def _redis(app: web.Application) -> AsyncIterator[None]:
    _, redis_url = app[SETTINGS].require_urls()
    client = aioredis.Redis.from_url(
        redis_url,
        socket_connect_timeout=2,
        socket_timeout=2,
        health_check_interval=30,
    )
    app[REDIS] = client
    settings = app[SETTINGS]
    limiter = WriteRateLimiter(
        client, limit=settings.write_rate_limit, window_seconds=settings.write_rate_window_seconds
    )
    app[RATE_LIMITER] = limiter
    provisioning = WriteRateLimiter(
        client,
        limit=settings.scim_rate_limit,
        window_seconds=settings.scim_rate_window_seconds,
        prefix="portal:scimrate:",
    )
    app[SCIM_RATE_LIMITER] = provisioning
    flushers = [asyncio.create_task(limiter.run()), asyncio.create_task(provisioning.run())]
    yield
    limiter.stop()  # their last flush is bounded by the client's socket timeouts
    provisioning.stop()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*flushers), timeout=5)
    await client.aclose()


async def _event_hub(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    hub = FeedHub(
        app[POOL],
        poll_seconds=settings.stream_poll_ms / 1000,
        max_streams_per_caller=settings.stream_max_per_caller,
        unread_poll_seconds=settings.notification_poll_seconds,
    )
    app[HUB] = hub
    poller = asyncio.create_task(hub.run())
    poller.add_done_callback(lambda task: _stop_if_crashed(app, task))
    yield
    hub.close()
    poller.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await poller


def _stop_if_crashed(app: web.Application, task: asyncio.Task) -> None:
    """A background loop that ended by itself takes the process down (non-zero exit), so a
    supervisor restarts it, rather than leaving it up and silently broken."""
    if task.cancelled():
        return
    log.critical("a background loop ended unexpectedly; stopping", exc_info=task.exception())
    app[FAILURES].append("event stream poll")
    os.kill(os.getpid(), signal.SIGTERM)


async def _end_streams(app: web.Application) -> None:
    """Open event streams end first on shutdown, so in-flight requests are all that is waited for."""
    app[HUB].close()


def create_app(settings: Settings) -> web.Application:
    settings.require_urls()
    app = web.Application(
        middlewares=[middlewares.forwarded, middlewares.observe, middlewares.security_headers, middlewares.problems],
        client_max_size=settings.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[FAILURES] = []
    app[METRICS] = Metrics(lambda: app.get(POOL))
    app[VERIFIER] = JwtVerifier(settings)
    routes = all_routes()
    app[OPENAPI] = api_document(settings.problem_base)
    app[SCIM_SLOTS] = asyncio.Semaphore(settings.scim_concurrency)
    app[PEOPLE_FIRST] = PeopleFirst(settings.scim_rest_per_work)
    for route in routes:
        app.router.add_route(route.method, route.path, endpoint(route), name=route.name)
    if settings.oidc_issuer and settings.oidc_client_id:
        app[OIDC] = OidcClient(settings)
    scim = scim_routes()
    for entry in scim:
        app.router.add_route(entry.method, PREFIX + entry.path, scim_endpoint(entry.handler, entry.tx))
    app.router.add_route("*", PREFIX + "{tail:.*}", scim_endpoint(unknown_address(scim), None))
    for path, handler in chat_http.ROUTES:  # Slack's own requests, verified by their signature
        app.router.add_post(path, handler)
    app[STATIC] = StaticFiles.load()
    app.router.add_get("/static/{digest}/{name:.+}", app[STATIC].handle, name="static")
    for page in page_routes(settings):
        app.router.add_route(page.method, page.path, page_endpoint(page), name=page.name)
    app[PATHS] = {resource.name: resource.canonical for resource in app.router.resources() if resource.name}
    setup_templates(app, app[STATIC])
    hooks: list[PageContextHook] = [notifications_pages.unread_badge, page_names]
    app[PAGE_CONTEXT] = hooks
    app[KNOWN_NAMES] = KnownNames()
    app.cleanup_ctx.extend([_database, _redis, _event_hub, chat_http.slack_context, attachment_http.stores_context])
    app.on_shutdown.append(_end_streams)
    return app
