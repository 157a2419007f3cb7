"""Liveness, readiness and metrics: the only endpoints besides docs that need no credentials."""
from __future__ import annotations

import asyncio

from aiohttp import web

from portal.web.http import json_response
from portal.web.keys import METRICS, POOL, REDIS
from portal.web.metrics import CONTENT_TYPE

READY_CHECK_TIMEOUT = 2.0


async def healthz(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


async def _check(name: str, probe) -> tuple[str, str | None]:
    try:
        await asyncio.wait_for(probe(), READY_CHECK_TIMEOUT)
        return name, None
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        return name, f"{type(exc).__name__}: {exc}"[:200] or type(exc).__name__


async def readyz(request: web.Request) -> web.Response:
    pool, redis = request.app[POOL], request.app[REDIS]
    results = await asyncio.gather(
        _check("postgresql", lambda: pool.fetchval("SELECT 1")),
        _check("redis", redis.ping),
    )
    failing = {name: reason for name, reason in results if reason}
    checks = {name: ("ok" if reason is None else reason) for name, reason in results}
    if failing:
        return web.Response(
            status=503, content_type="application/problem+json",
            text=web.json_response({
                "type": "https://idea-portal.dev/problems/not-ready", "title": "Not ready",
                "status": 503, "detail": "unreachable: " + ", ".join(sorted(failing)),
                "checks": checks,
            }).text,
        )
    return json_response({"status": "ready", "checks": checks})


async def metrics(request: web.Request) -> web.Response:
    return web.Response(body=request.app[METRICS].render(), headers={"Content-Type": CONTENT_TYPE})
