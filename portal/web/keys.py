"""Typed keys for the resources the app factory opens (no module-level singletons)."""

from __future__ import annotations

import asyncpg
import redis.asyncio as aioredis
from aiohttp import web

from portal.auth.cache import EmployeeCache
from portal.auth.jwt_verify import JwtVerifier
from portal.auth.oidc import OidcClient
from portal.config import Settings
from portal.ratelimit import WriteRateLimiter
from portal.web.metrics import Metrics
from portal.web.static import StaticFiles

SETTINGS = web.AppKey("settings", Settings)
POOL = web.AppKey("pool", asyncpg.Pool)
REDIS = web.AppKey("redis", aioredis.Redis)
METRICS = web.AppKey("metrics", Metrics)
VERIFIER = web.AppKey("verifier", JwtVerifier)
EMPLOYEES = web.AppKey("employees", EmployeeCache)
RATE_LIMITER = web.AppKey("rate_limiter", WriteRateLimiter)
STATIC = web.AppKey("static", StaticFiles)
OIDC = web.AppKey("oidc", OidcClient)
TRANSLATIONS = web.AppKey("translations", dict)
# Each named route's path with {placeholders}, for building links without yarl on every one.
PATHS = web.AppKey("paths", dict)
# Background loops that died; `portal serve` exits non-zero when any did.
FAILURES = web.AppKey("failures", list)

# Per-request storage.
REQUEST_ID = web.RequestKey("request_id", str)
CALLER_LABEL = web.RequestKey("caller_label", str)
