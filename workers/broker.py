"""The dramatiq broker for worker processes, and the resources its async actors share.

dramatiq runs async actors on one event-loop thread per worker process (AsyncIO middleware);
an asyncpg pool and an aiohttp session are bound to the loop that created them, so they are
opened on that thread after the worker boots and closed before it shuts down.
"""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
import asyncpg
import dramatiq
import redis
from dramatiq.asyncio import EventLoopThread, get_event_loop_thread
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO, Middleware

from portal import logs
from portal.chat.delivery import Channels, slack_client
from portal.config import Settings, load_settings, public_base
from portal.db import create_pool
from portal.webhooks.addresses import AddressPolicy
from portal.webhooks.delivery import http_session
from portal.webhooks.signing import SecretBox
from workers import metrics

log = logging.getLogger("portal.worker")
OPEN_TIMEOUT_SECONDS = 60


def _loop_thread() -> EventLoopThread:
    thread = get_event_loop_thread()
    if thread is None:
        raise RuntimeError("dramatiq's AsyncIO middleware has not started its event loop")
    return thread


class WorkerResources(Middleware):
    """The worker process's asyncpg pool and webhook HTTP session, on the AsyncIO loop thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool: asyncpg.Pool | None = None
        self.http: aiohttp.ClientSession | None = None
        # Slack's Web API: the operator's own setting, not a user's URL, so not behind the guard.
        self.slack_http: aiohttp.ClientSession | None = None
        # One SMTP send batch at a time in this process (the lock is created on the loop it guards).
        self._sending: asyncio.Lock | None = None
        self.policy = AddressPolicy.from_settings(settings)

    def after_process_boot(self, broker) -> None:
        logs.configure(self.settings.log_level)

    def before_worker_boot(self, broker, worker) -> None:
        """Before any consumer starts (AsyncIO's loop is up: it was added first): a message taken
        now finds its pool open, instead of failing and being dropped."""
        _loop_thread().run_coroutine(self._open())

    def before_worker_shutdown(self, broker, worker) -> None:
        _loop_thread().run_coroutine(self._close())

    async def _open(self) -> None:
        """The pool, waiting for PostgreSQL for up to OPEN_TIMEOUT_SECONDS (a worker started with
        it, or during its restart); after that the process exits and its supervisor restarts it."""
        database_url, _ = self.settings.require_urls()
        deadline = time.monotonic() + OPEN_TIMEOUT_SECONDS
        while True:
            try:
                self.pool = await create_pool(
                    database_url,
                    min_size=1,
                    max_size=max(4, self.settings.worker_threads * 2),
                    application_name="portal-worker",
                )
                break
            except (OSError, asyncpg.PostgresError) as exc:
                if time.monotonic() > deadline:
                    raise
                log.warning("waiting for PostgreSQL before taking messages", extra={"fields": {"error": str(exc)}})
                await asyncio.sleep(1)
        self.http = http_session(self.policy, self.settings.webhook_timeout_seconds)
        self.slack_http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.settings.webhook_timeout_seconds)
        )

    @property
    def sending(self) -> asyncio.Lock:
        if self._sending is None:
            self._sending = asyncio.Lock()
        return self._sending

    async def _close(self) -> None:
        for session in (self.http, self.slack_http):
            if session is not None:
                await session.close()
        if self.pool is not None:
            await self.pool.close()


class ActorMetrics(Middleware):
    """Counts each message an actor finished, by outcome, and times it."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}

    def before_process_message(self, broker, message) -> None:
        self.started[message.message_id] = time.perf_counter()

    def after_process_message(self, broker, message, *, result=None, exception=None) -> None:
        started = self.started.pop(message.message_id, None)
        metrics.MESSAGES.labels(message.actor_name, "failed" if exception else "ok").inc()
        if started is not None:
            metrics.MESSAGE_SECONDS.labels(message.actor_name).observe(time.perf_counter() - started)

    def after_skip_message(self, broker, message) -> None:
        self.started.pop(message.message_id, None)
        metrics.MESSAGES.labels(message.actor_name, "skipped").inc()


def build_broker(settings: Settings) -> tuple[RedisBroker, WorkerResources]:
    # Bounded socket waits: a hung Redis must not hold a send (or a shutdown) forever.
    # (Without REDIS_URL, e.g. when only importing the actors, redis-py's default applies.)
    client = redis.Redis.from_url(
        settings.redis_url or "redis://127.0.0.1:6379/0", socket_timeout=10, socket_connect_timeout=5
    )
    broker = RedisBroker(client=client, heartbeat_timeout=settings.broker_heartbeat_timeout_ms)
    resources = WorkerResources(settings)
    broker.add_middleware(AsyncIO())
    broker.add_middleware(resources)
    broker.add_middleware(ActorMetrics())
    return broker, resources


settings = load_settings()
broker, resources = build_broker(settings)
dramatiq.set_broker(broker)


def pool() -> asyncpg.Pool:
    if resources.pool is None:
        raise RuntimeError("the worker's database pool is not open yet")
    return resources.pool


def chat_channels() -> Channels:
    """What posting team-channel messages needs, for one actor run (it collects that run's outcomes)."""
    if resources.http is None or resources.slack_http is None:
        raise RuntimeError("the worker's HTTP sessions are not open yet")
    return Channels(
        slack=slack_client(
            settings.slack_bot_token, settings.slack_api_url, resources.slack_http, settings.webhook_timeout_seconds
        ),
        http=resources.http,
        policy=resources.policy,
        box=SecretBox(settings.encryption_key) if settings.encryption_key else None,
        public_url=public_base(settings),
        schedule=settings.webhook_retry_schedule,
        timeout_seconds=settings.webhook_timeout_seconds,
    )


def http() -> aiohttp.ClientSession:
    if resources.http is None:
        raise RuntimeError("the worker's HTTP session is not open yet")
    return resources.http
