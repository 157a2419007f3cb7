"""The scheduler: numbers new events for the feed, relays them, and runs the periodic jobs.

- Every PORTAL_RELAY_POLL_MS it gives committed events their feed positions (one serialised
  step; see portal.events.feed), straight against PostgreSQL, so the feed keeps moving while
  Redis or the workers are down.
- At the same pace it probes for undispatched events (an index-only look at a partial index)
  and relays them itself, batch by batch, until none are left (workers.relay): routing,
  tallies, rankings, notifications and webhook deliveries, then messages for the workers that
  send them. The relay is one serialised step (an advisory lock, so a second scheduler waits its
  turn), so it runs here, on an event loop of its own, rather than queued behind the workers'
  webhook and email sending: a new idea reaches its inboxes however busy they are. Ideas are
  routed while Redis is down too; what the workers send waits for the retry sweeps.
  (Polling, not LISTEN/NOTIFY: NOTIFY takes a database-wide lock at every commit, which would
  serialise all voters' transactions.)
- Periodic jobs are timed by APScheduler; each firing first claims its time slot in Redis
  (SET NX), so with several schedulers running each job still runs once per period.

Each loop survives a lost connection, a PostgreSQL restart or failover and a Redis outage: it
logs the failure once, retries, and logs the recovery. A loop that ends for any other reason
stops the process with a non-zero status, so its supervisor restarts it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable

import asyncpg
import redis.asyncio as aioredis
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from portal import backlog, logs
from portal.config import Settings
from portal.db import create_pool, transaction
from portal.events import feed
from portal.loops import forever
from workers import actors, heartbeat, metrics, relay
from workers.broker import settings

log = logging.getLogger("portal.scheduler")
RELAY_BATCH = 500


class Scheduler:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database_url, redis_url = settings.require_urls()
        self.redis = aioredis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the scheduler's database pool is opened by run()")
        return self._pool

    async def claim_slot(self, job: str, period_seconds: float) -> bool:
        """True for exactly one scheduler per job per period."""
        slot = int(time.time() // period_seconds)
        try:
            return bool(
                await self.redis.set(f"portal:schedule:{job}:{slot}", "1", nx=True, px=int(period_seconds * 2000))
            )
        except Exception as exc:  # noqa: BLE001 - Redis down: nothing could be sent anyway
            log.warning("scheduler cannot reach Redis", extra={"fields": {"job": job, "error": str(exc)}})
            return False

    def periodic(self, job: str, actor, period_seconds: float) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if not await self.claim_slot(job, period_seconds):
                metrics.JOB_RUNS.labels(job, "skipped").inc()
                return
            sent = await asyncio.to_thread(actors.send_quietly, actor)
            metrics.JOB_RUNS.labels(job, "sent" if sent else "failed").inc()

        return run

    async def measure_backlog(self) -> None:
        async with self.pool.acquire() as conn:
            metrics.record_backlog(await backlog.measure(conn))

    async def beat(self) -> None:
        """The heartbeat proves this event loop is turning; the loops' own failures are logged."""
        await asyncio.to_thread(heartbeat.beat, self.settings.heartbeat_dir, "scheduler")

    async def sequence_feed(self) -> None:
        async with self.pool.acquire() as conn:
            while await feed.sequence(conn) > 0:
                pass

    async def relay_outbox(self) -> None:
        """Relays batches until the outbox is empty, or another scheduler is relaying."""
        async with self.pool.acquire() as conn:
            if not await relay.has_pending(conn):
                return
        while True:
            relayed = await transaction(self.pool, lambda conn: relay.relay_batch(conn, limit=RELAY_BATCH))
            if relayed.busy or not relayed.events:
                return
            metrics.RELAY_BATCH.observe(relayed.events)  # counted once committed
            metrics.ROUTINGS_CREATED.inc(relayed.routings)
            if relayed.deliveries or relayed.emails_due or relayed.chat_messages:
                await asyncio.to_thread(actors.follow_up, relayed)
            if relayed.events < RELAY_BATCH:
                return
            async with self.pool.acquire() as conn:
                await feed.sequence(conn)

    def start_jobs(self) -> AsyncIOScheduler:
        jobs = AsyncIOScheduler()
        s = self.settings
        for job, actor, seconds in [
            ("results", actors.compile_results, s.results_interval_seconds),
            ("webhook_retries", actors.retry_due_webhooks, s.webhook_retry_interval_seconds),
            ("chat_retries", actors.retry_due_chat, s.webhook_retry_interval_seconds),
            ("overdue", actors.mark_overdue, s.overdue_interval_seconds),
            ("trending", actors.age_trending, s.trending_interval_seconds),
            ("retention", actors.purge_expired, s.retention_interval_seconds),
            ("purge_attachments", actors.purge_attachments, 3600.0),
            ("notification_sweep", actors.sweep_emails, s.notification_sweep_seconds),
            ("campaigns", actors.advance_campaigns, s.campaign_interval_seconds),
            ("scorecards", actors.compile_scorecards, s.scorecard_interval_seconds),
            ("surveys", actors.survey_tick, s.survey_interval_seconds),
        ]:
            jobs.add_job(self.periodic(job, actor, seconds), "interval", seconds=seconds, max_instances=1)
        jobs.add_job(
            self.periodic("digests", actors.compile_digests, 60.0),
            CronTrigger.from_crontab(s.digest_cron),
            max_instances=1,
        )
        jobs.add_job(
            self.periodic("notification_digest", actors.release_daily, 60.0),
            CronTrigger.from_crontab(s.notification_digest_cron, timezone=s.default_time_zone),
            max_instances=1,
        )
        jobs.start()
        return jobs

    async def run(self, stop: asyncio.Event) -> int:
        """Runs until `stop` is set (0) or a loop ends unexpectedly (1)."""
        self._pool = await create_pool(self.database_url, min_size=1, max_size=4, application_name="portal-scheduler")
        poll = self.settings.relay_poll_ms / 1000
        loops = [
            asyncio.create_task(forever("feed sequencing", self.sequence_feed, poll, log)),
            asyncio.create_task(forever("outbox relay", self.relay_outbox, poll, log)),
            asyncio.create_task(
                forever("backlog measurement", self.measure_backlog, self.settings.backlog_interval_seconds, log)
            ),
            asyncio.create_task(forever("heartbeat", self.beat, heartbeat.INTERVAL_SECONDS, log)),
        ]
        metrics.serve(metrics.SCHEDULER, self.settings.metrics_host, self.settings.scheduler_metrics_port)
        jobs = self.start_jobs()
        log.info("scheduler running")
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopping, *loops], return_when=asyncio.FIRST_COMPLETED)
        status = 0
        for task in done - {stopping}:
            log.error("a scheduler loop ended unexpectedly; stopping", exc_info=task.exception())
            status = 1
        jobs.shutdown(wait=False)
        for task in [stopping, *loops]:
            task.cancel()
        await asyncio.gather(stopping, *loops, return_exceptions=True)
        await asyncio.wait_for(self.pool.close(), 5)
        await self.redis.aclose()
        heartbeat.stop(self.settings.heartbeat_dir, "scheduler")
        log.info("scheduler stopped")
        return status


async def main() -> int:
    logs.configure(settings.log_level)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return await Scheduler(settings).run(stop)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
