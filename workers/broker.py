"""The dramatiq broker for worker processes, and the asyncpg pool on dramatiq's event loop.

dramatiq runs async actors on one event-loop thread per worker process (AsyncIO middleware);
an asyncpg pool is bound to the loop that created it, so it is opened on that thread after
the worker boots and closed before it shuts down.
"""
from __future__ import annotations


import asyncpg
import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO, Middleware

from portal import logs
from portal.config import Settings, load_settings
from portal.db import create_pool


class DatabasePool(Middleware):
    """Opens the worker process's asyncpg pool on the AsyncIO middleware's loop thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool: asyncpg.Pool | None = None

    def after_worker_boot(self, broker, worker) -> None:
        get_event_loop_thread().run_coroutine(self._open())

    def before_worker_shutdown(self, broker, worker) -> None:
        if self.pool is not None:
            get_event_loop_thread().run_coroutine(self.pool.close())

    async def _open(self) -> None:
        self.pool = await create_pool(self.settings.database_url, min_size=1,
                                      max_size=max(2, self.settings.worker_threads))


def build_broker(settings: Settings) -> tuple[RedisBroker, DatabasePool]:
    broker = RedisBroker(url=settings.redis_url,
                         heartbeat_timeout=settings.broker_heartbeat_timeout_ms)
    database = DatabasePool(settings)
    broker.add_middleware(AsyncIO())
    broker.add_middleware(database)
    return broker, database


settings = load_settings()
logs.configure(settings.log_level)
broker, database = build_broker(settings)
dramatiq.set_broker(broker)


def pool() -> asyncpg.Pool:
    if database.pool is None:
        raise RuntimeError("the worker's database pool is not open yet")
    return database.pool


__all__ = ["broker", "pool", "settings"]
