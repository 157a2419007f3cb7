"""The raw baseline of bench/pipeline.py: dramatiq no-op messages drained by one worker process.

Each message only increments a Redis counter, so the rate is dramatiq's own ceiling here."""

from __future__ import annotations

import os

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker

REDIS_URL = os.environ["REDIS_URL"]
COUNTER = "bench:noop:done"
broker = RedisBroker(url=REDIS_URL, namespace="bench-noop")
dramatiq.set_broker(broker)
_client = redis.Redis.from_url(REDIS_URL)


@dramatiq.actor(actor_name="bench.noop", queue_name="bench-noop", max_retries=0)
def noop(n: int) -> None:
    _client.incr(COUNTER)
