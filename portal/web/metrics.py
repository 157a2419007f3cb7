"""Prometheus metrics, held in a registry owned by one app."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, generate_latest
from prometheus_client.core import GaugeMetricFamily

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class PoolCollector:
    def __init__(self, get_pool: Callable) -> None:
        self._get_pool = get_pool

    def collect(self):
        pool = self._get_pool()
        size = GaugeMetricFamily("portal_db_pool_connections", "asyncpg pool connections", labels=["state"])
        if pool is not None:
            total, idle = pool.get_size(), pool.get_idle_size()
            size.add_metric(["idle"], idle)
            size.add_metric(["in_use"], total - idle)
            size.add_metric(["max"], pool.get_max_size())
        yield size


class Metrics:
    def __init__(self, get_pool: Callable) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "portal_http_requests",
            "HTTP requests handled",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "portal_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.registry.register(PoolCollector(get_pool))
        ProcessCollector(registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
