"""The scheduler: keeps the outbox relay going, and runs the periodic jobs.

- Every PORTAL_RELAY_POLL_MS it probes for undispatched events (an index-only look at a partial
  index) and, when there are some, sends an outbox.relay message, at most one per
  PORTAL_RELAY_COALESCE_MS. Events committed while Redis was down are relayed once it is back.
  (Polling, not LISTEN/NOTIFY: NOTIFY takes a database-wide lock at every commit, which would
  serialise all voters' transactions.)
- Periodic jobs are timed by APScheduler; each firing first claims its time slot in Redis
  (SET NX), so with several schedulers running each job still runs once per period.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import time

import asyncpg
import redis.asyncio as aioredis
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from portal import logs, outbox
from portal.db import create_pool
from workers import actors
from workers.broker import settings

log = logging.getLogger("portal.scheduler")


class Scheduler:
    def __init__(self, redis_url: str) -> None:
        self.redis = aioredis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
        self.pool: asyncpg.Pool | None = None

    async def claim_slot(self, job: str, period_seconds: float) -> bool:
        """True for exactly one scheduler per job per period."""
        slot = int(time.time() // period_seconds)
        try:
            return bool(await self.redis.set(f"portal:schedule:{job}:{slot}", "1", nx=True,
                                             px=int(period_seconds * 2000)))
        except Exception as exc:  # noqa: BLE001 - Redis down: nothing could be sent anyway
            log.warning("scheduler cannot reach Redis", extra={"fields": {"job": job, "error": str(exc)}})
            return False

    async def send(self, actor) -> None:
        await asyncio.to_thread(actors.send_quietly, actor)

    def periodic(self, job: str, actor, period_seconds: float):
        async def run() -> None:
            if await self.claim_slot(job, period_seconds):
                await self.send(actor)
        return run

    async def watch_outbox(self) -> None:
        poll, coalesce = settings.relay_poll_ms / 1000, settings.relay_coalesce_ms / 1000
        last_sent = 0.0
        while True:
            await asyncio.sleep(poll)
            try:
                async with self.pool.acquire() as conn:
                    pending = await outbox.has_pending(conn)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("outbox probe failed", extra={"fields": {"error": str(exc)}})
                await asyncio.sleep(1)
                continue
            if not pending or time.monotonic() - last_sent < coalesce:
                continue
            if await asyncio.to_thread(actors.send_quietly, actors.relay_events):
                last_sent = time.monotonic()
            else:
                await asyncio.sleep(1)  # Redis unreachable: try again shortly, without a log storm

    async def run(self, stop: asyncio.Event) -> None:
        self.pool = await create_pool(settings.database_url, min_size=1, max_size=2)
        jobs = AsyncIOScheduler()
        for job, actor, seconds in [
            ("results", actors.compile_results, settings.results_interval_seconds),
            ("webhook_retries", actors.retry_due_webhooks, settings.webhook_retry_interval_seconds),
            ("overdue", actors.mark_overdue, settings.overdue_interval_seconds),
            ("purge_idempotency", actors.purge_idempotency_keys, 3600.0),
        ]:
            jobs.add_job(self.periodic(job, actor, seconds), "interval", seconds=seconds, max_instances=1)
        jobs.add_job(self.periodic("digests", actors.compile_digests, 60.0),
                     CronTrigger.from_crontab(settings.digest_cron), max_instances=1)
        jobs.start()
        tasks = [asyncio.create_task(self.watch_outbox())]
        log.info("scheduler running")
        await stop.wait()
        jobs.shutdown(wait=False)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.pool.close()
        await self.redis.aclose()


async def main() -> None:
    logs.configure(settings.log_level)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await Scheduler(settings.redis_url).run(stop)


if __name__ == "__main__":
    asyncio.run(main())
