"""Typed keys for the web shell's own resources (no module-level singletons); what handlers
may reach is in portal.http.keys."""

from __future__ import annotations

import redis.asyncio as aioredis
from aiohttp import web

from portal.auth.jwt_verify import JwtVerifier
from portal.ratelimit import WriteRateLimiter
from portal.web.metrics import Metrics
from portal.web.static import StaticFiles

REDIS = web.AppKey("redis", aioredis.Redis)
METRICS = web.AppKey("metrics", Metrics)
VERIFIER = web.AppKey("verifier", JwtVerifier)
RATE_LIMITER = web.AppKey("rate_limiter", WriteRateLimiter)
STATIC = web.AppKey("static", StaticFiles)
# Background loops that died; `portal serve` exits non-zero when any did.
FAILURES = web.AppKey("failures", list)
