"""Typed keys for what every handler may reach through its request: the settings, the database
pool, the translations, the route table's paths, and per-request labels (no module-level singletons).
The web shell's own resources (metrics, the token verifier, the live hub...) have their keys there."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from aiohttp import web

from portal.config import Settings
from portal.http.traffic import PeopleFirst
from portal.lookups import KnownNames
from portal.ratelimit import WriteRateLimiter

SETTINGS = web.AppKey("settings", Settings)
POOL = web.AppKey("pool", asyncpg.Pool)
TRANSLATIONS = web.AppKey("translations", dict)
# Each named route's path with {placeholders}, for building links without yarl on every one.
PATHS = web.AppKey("paths", dict)
# What every page's template gets besides its own context (the header's unread count...): hooks
# the app factory registers, each answering names and values for the signed-in reader's page.
PageContextHook = Callable[[Any], Awaitable[dict[str, Any]]]
PAGE_CONTEXT: web.AppKey[list[PageContextHook]] = web.AppKey("page_context", list)
# Teams' and services' names, kept between pages while they do not change (portal.lookups).
KNOWN_NAMES = web.AppKey("known_names", KnownNames)
# Provisioning (SCIM) is counted apart from people's writes, and served a few requests at a time
# per process (PORTAL_SCIM_CONCURRENCY) so that a bulk sync leaves room for people.
SCIM_RATE_LIMITER = web.AppKey("scim_rate_limiter", WriteRateLimiter)
SCIM_SLOTS = web.AppKey("scim_slots", asyncio.Semaphore)
PEOPLE_FIRST = web.AppKey("people_first", PeopleFirst)

# Per-request storage.
REQUEST_ID = web.RequestKey("request_id", str)
CALLER_LABEL = web.RequestKey("caller_label", str)
