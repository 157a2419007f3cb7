"""Prometheus metrics of `portal worker` and `portal scheduler`, each on a port of its own.

The processes of one `portal worker --processes N` share one endpoint through prometheus_client's
multiprocess mode: the supervisor gives its children a directory (PROMETHEUS_MULTIPROC_DIR) where
each writes its samples, and serves their sum. prometheus_client reads that variable when it is
first imported, which in a child is after the supervisor set it.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    multiprocess,
    start_http_server,
)

from portal.backlog import Backlog

log = logging.getLogger("portal.metrics")
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

# The worker's, counted in whichever process does the work.
MESSAGES = Counter("portal_worker_messages", "Messages worker actors finished", ["actor", "outcome"])
MESSAGE_SECONDS = Histogram(
    "portal_worker_message_duration_seconds",
    "Time an actor took per message",
    ["actor"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
EMAILS = Counter(
    "portal_notification_emails", "Notification emails by outcome (sent, retry, failed, unknown)", ["outcome"]
)
WEBHOOK_ATTEMPTS = Counter(
    "portal_webhook_attempts", "Webhook delivery attempts, by delivered, rejected (non-2xx) or unreachable", ["outcome"]
)
CHAT_MESSAGES = Counter(
    "portal_chat_messages",
    "Team-channel messages, by channel kind (slack, teams) and outcome (sent, skipped, pending: to be retried, "
    "rate_limited, failed)",
    ["kind", "outcome"],
)
SLACK_DMS = Counter(
    "portal_notification_slack_messages",
    "Notifications by Slack direct message, by outcome (sent, retry, failed, unknown)",
    ["outcome"],
)

# The scheduler's: one process, its own registry, so none of the worker's counters show there as zeros.
SCHEDULER = CollectorRegistry()
JOB_RUNS = Counter(
    "portal_scheduler_job_runs",
    "Periodic jobs the scheduler fired (sent), left to another scheduler (skipped), or could not send (failed)",
    ["job", "outcome"],
    registry=SCHEDULER,
)
OUTBOX_UNDISPATCHED = Gauge(
    "portal_outbox_undispatched_events", "Events not yet relayed to routing, results and webhooks", registry=SCHEDULER
)
OUTBOX_OLDEST = Gauge(
    "portal_outbox_oldest_undispatched_age_seconds", "Age of the oldest event not yet relayed", registry=SCHEDULER
)
FEED_UNSEQUENCED = Gauge(
    "portal_feed_unsequenced_events", "Committed events not yet given a feed position", registry=SCHEDULER
)
DELIVERIES_WAITING = Gauge(
    "portal_webhook_deliveries_waiting",
    "Webhook deliveries not yet delivered: new, or retrying after a failed attempt",
    ["state"],
    registry=SCHEDULER,
)
RESULTS_PENDING = Gauge("portal_results_pending_ideas", "Ideas whose tallies wait to be compiled", registry=SCHEDULER)
ROUTINGS_OVERDUE = Gauge(
    "portal_routings_overdue", "Routed ideas past their team's response time, unanswered", registry=SCHEDULER
)
BACKLOG_MEASURED = Gauge(
    "portal_backlog_measured_timestamp_seconds", "When the backlog gauges were last measured", registry=SCHEDULER
)
RELAY_BATCH = Histogram(
    "portal_relay_batch_events",
    "Events handed on per outbox relay batch",
    buckets=(1, 5, 10, 25, 50, 100, 250, 500),
    registry=SCHEDULER,
)
ROUTINGS_CREATED = Counter("portal_routings_created", "Teams newly reached by a routed idea", registry=SCHEDULER)
ProcessCollector(registry=SCHEDULER)


def record_backlog(backlog: Backlog) -> None:
    OUTBOX_UNDISPATCHED.set(backlog.outbox_undispatched)
    OUTBOX_OLDEST.set(backlog.outbox_oldest_seconds)
    FEED_UNSEQUENCED.set(backlog.feed_unsequenced)
    DELIVERIES_WAITING.labels("new").set(backlog.deliveries_new)
    DELIVERIES_WAITING.labels("retrying").set(backlog.deliveries_retrying)
    RESULTS_PENDING.set(backlog.results_pending)
    ROUTINGS_OVERDUE.set(backlog.routings_overdue)
    BACKLOG_MEASURED.set_to_current_time()


def serve(registry: CollectorRegistry, host: str, port: int) -> bool:
    """Serves /metrics from a thread; a busy port is logged, not fatal (the work matters more)."""
    if port == 0:
        return False
    try:
        start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        log.error("cannot serve metrics", extra={"fields": {"address": f"{host}:{port}", "error": str(exc)}})
        return False
    log.info("serving metrics", extra={"fields": {"address": f"http://{host}:{port}/metrics"}})
    return True


def worker_registry() -> CollectorRegistry:
    """What one worker process serves: its own samples and its process figures."""
    return REGISTRY


class SharedSamples:
    """The supervisor's directory of its children's samples, and the registry that sums them."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="portal-worker-metrics-"))
        self.registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(self.registry, path=str(self.directory))
        ProcessCollector(registry=self.registry)

    def child_environment(self) -> dict[str, str]:
        return {**os.environ, MULTIPROCESS_ENV: str(self.directory)}

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
