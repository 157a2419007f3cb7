"""Per-caller write rate limit, shared through Redis, without a Redis round trip per request.

Each API process counts writes locally and, every FLUSH_SECONDS, adds its counts to Redis
(one hash per time window, one pipelined HINCRBY per active caller) and learns the totals of all
processes. A write is
refused when the last known total plus this process's unflushed count reaches the limit, so
processes overshoot the limit by at most what the others accepted within one flush interval.
If Redis is unreachable, writes keep flowing and each process still enforces its own count.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter

import redis.asyncio as aioredis

log = logging.getLogger("portal.ratelimit")
FLUSH_SECONDS = 0.1
KEY_PREFIX = "portal:ratelimit:"


class WriteRateLimiter:
    def __init__(self, client: aioredis.Redis, *, limit: int, window_seconds: int, prefix: str = KEY_PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self.limit = limit
        self.window = window_seconds
        self.pending: Counter[tuple[int, str]] = Counter()
        # Counts on their way to Redis: still counted until the totals that include them are known.
        self.in_flight: Counter[tuple[int, str]] = Counter()
        self._stopping = asyncio.Event()
        self.known: dict[tuple[int, str], int] = {}

    def _key(self, credential: str) -> tuple[int, str]:
        return int(time.time()) // self.window, credential

    def retry_after(self) -> int:
        return self.window - int(time.time()) % self.window

    def try_acquire(self, credential: str) -> bool:
        """Counts one write for the credential; False when the limit is reached."""
        key = self._key(credential)
        if self.known.get(key, 0) + self.in_flight[key] + self.pending[key] >= self.limit:
            return False
        self.pending[key] += 1
        return True

    async def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, Counter()
        self.in_flight = batch
        keys = list(batch)
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                for window, credential in keys:
                    pipe.hincrby(f"{self.prefix}{window}", credential, batch[(window, credential)])
                for window in {window for window, _ in keys}:
                    pipe.expire(f"{self.prefix}{window}", self.window * 2)
                replies = await pipe.execute()
            totals = dict(zip(keys, replies[: len(keys)]))
        except Exception as exc:  # noqa: BLE001 - Redis down: fall back to this process's counts
            log.warning("rate limit counts not shared", extra={"fields": {"error": str(exc)}})
            totals = {key: self.known.get(key, 0) + batch[key] for key in keys}
        current = int(time.time()) // self.window
        self.known = {key: total for key, total in {**self.known, **totals}.items() if key[0] == current}
        self.in_flight = Counter()

    async def run(self) -> None:
        """Flushes every FLUSH_SECONDS until stop(), then once more. Stopped, not cancelled: a
        cancellation that lands inside a Redis command is swallowed by redis-py, which would
        leave this loop running and the shutdown waiting for it."""
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), FLUSH_SECONDS)
            await self.flush()

    def stop(self) -> None:
        self._stopping.set()
