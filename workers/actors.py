"""Thin actors: open a unit of work, call the domain, log the outcome."""
from __future__ import annotations

import logging

import dramatiq

from portal import idempotency
from portal.db import unit_of_work
from workers.broker import pool

log = logging.getLogger("portal.workers")


@dramatiq.actor(actor_name="maintenance.purge_idempotency_keys", queue_name="maintenance", max_retries=3)
async def purge_idempotency_keys() -> None:
    """Idempotency keys are kept 24 hours; older ones are deleted."""
    async with unit_of_work(pool()) as conn:
        removed = await idempotency.purge_expired(conn)
    log.info("purged idempotency keys", extra={"fields": {"removed": removed}})
