"""Liveness, readiness and metrics: the only endpoints besides docs that need no credentials."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from portal.errors import Unavailable
from portal.http.call import Call
from portal.http.keys import POOL
from portal.schemas import Output
from portal.web.keys import METRICS, REDIS
from portal.web.metrics import CONTENT_TYPE

READY_CHECK_TIMEOUT = 2.0


class Health(Output):
    status: str


class Readiness(Output):
    status: str
    checks: dict[str, str]


class NotReady(Unavailable):
    title, slug = "Not ready", "not-ready"


async def healthz(call: Call) -> Health:
    """Process is alive"""
    return Health(status="ok")


async def _check(name: str, probe: Callable[[], Awaitable[Any]]) -> tuple[str, str | None]:
    try:
        await asyncio.wait_for(probe(), READY_CHECK_TIMEOUT)
        return name, None
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; its kind is reported, not its text
        return name, type(exc).__name__


async def readyz(call: Call) -> Readiness:
    """PostgreSQL and Redis are reachable"""
    pool, redis = call.request.app[POOL], call.request.app[REDIS]
    results = await asyncio.gather(
        _check("postgresql", lambda: pool.fetchval("SELECT 1")),
        _check("redis", redis.ping),
    )
    checks = {name: ("ok" if reason is None else reason) for name, reason in results}
    failing = sorted(name for name, reason in results if reason)
    if failing:
        raise NotReady("unreachable: " + ", ".join(failing), checks=checks)
    return Readiness(status="ready", checks=checks)


async def metrics(call: Call) -> web.Response:
    """Prometheus metrics (text exposition format)"""
    return web.Response(body=call.request.app[METRICS].render(), headers={"Content-Type": CONTENT_TYPE})
