"""Thin actors: open a unit of work, call the domain, send follow-up messages after commit.

Actors receive ids, never objects, and are idempotent: a message delivered twice, or run again
after its worker was killed, leaves the same state as one clean run.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

import dramatiq

from portal import retention
from portal.actions import surveys as surveying
from portal.attachments import service as attachments
from portal.attachments.storage import opened_stores
from portal.campaigns import service as campaigns
from portal.chat import delivery as chat
from portal.chat import direct
from portal.chat import service as chat_service
from portal.db import Connection, transaction, unit_of_work
from portal.ideas import rankings
from portal.notifications import emails
from portal.results import service as results
from portal.routing import service as routing
from portal.scorecards import service as scorecards
from portal.surveys import service as surveys
from portal.webhooks import delivery
from portal.webhooks.signing import SecretBox
from workers import metrics, relay
from workers.broker import chat_channels, http, pool, resources, settings

log = logging.getLogger("portal.workers")


def send_quietly(actor, *args) -> bool:
    """Sends a follow-up message; if Redis is unreachable the scheduler's sweeps catch up later."""
    try:
        actor.send(*args)
        return True
    except Exception as exc:  # noqa: BLE001 - any broker failure is recoverable by a sweep
        log.warning("could not enqueue", extra={"fields": {"actor": actor.actor_name, "error": str(exc)}})
        return False


def send_deliveries(delivery_ids: list[int]) -> None:
    for start in range(0, len(delivery_ids), delivery.CHUNK):
        send_quietly(deliver_webhooks, delivery_ids[start : start + delivery.CHUNK])


def follow_up(relayed: relay.Relayed) -> None:
    """The messages a relayed batch calls for: its webhook deliveries, and composing emails."""
    send_deliveries(relayed.deliveries)
    if relayed.chat_messages:
        send_quietly(post_chat)
    if relayed.emails_due:
        send_quietly(compose_emails)


@dramatiq.actor(actor_name="webhooks.deliver", queue_name="webhooks", max_retries=3)
async def deliver_webhooks(delivery_ids: list[int] | None = None) -> None:
    """Sends due deliveries (the given ones, or any that are due), each recorded on its own."""
    outcomes, waiting = await delivery.deliver(
        pool(),
        http(),
        resources.policy,
        SecretBox(settings.encryption_key or ""),
        delivery_ids,
        source=settings.event_source,
        schedule=settings.webhook_retry_schedule,
        timeout_seconds=settings.webhook_timeout_seconds,
    )
    for outcome in outcomes:
        metrics.WEBHOOK_ATTEMPTS.labels(outcome.kind).inc()
    send_deliveries(waiting)


@dramatiq.actor(actor_name="webhooks.retry_due", queue_name="webhooks", max_retries=0)
async def retry_due_webhooks() -> None:
    async with unit_of_work(pool()) as conn:
        due = await delivery.due(conn)
        disabled = await delivery.disable_failing(conn, after_hours=settings.webhook_disable_after_hours)
    send_deliveries(due)
    if disabled:
        log.warning("disabled failing webhooks", extra={"fields": {"count": disabled}})


@dramatiq.actor(actor_name="chat.post", queue_name="chat", max_retries=3)
async def post_chat() -> None:
    """Posts the team-channel messages that are due, each recorded on its own."""
    channels = chat_channels()
    more = await chat.deliver(pool(), channels)
    for kind, outcome in channels.sent:
        metrics.CHAT_MESSAGES.labels(kind, outcome).inc()
    if more:
        send_quietly(post_chat)


@dramatiq.actor(actor_name="chat.retry_due", queue_name="chat", max_retries=0)
async def retry_due_chat() -> None:
    async with unit_of_work(pool()) as conn:
        due = await chat.any_due(conn)
        disabled = await chat_service.disable_failing(conn, after_hours=settings.webhook_disable_after_hours)
    if due:
        send_quietly(post_chat)
    if disabled:
        log.warning("disabled failing chat channels", extra={"fields": {"count": disabled}})


@dramatiq.actor(actor_name="results.compile_pending", queue_name="results", max_retries=3)
async def compile_results() -> None:
    compiled = await transaction(pool(), results.compile_pending)
    if compiled:
        log.info("compiled results", extra={"fields": {"ideas": len(compiled)}})


@dramatiq.actor(actor_name="digests.compile_all", queue_name="results", max_retries=3)
async def compile_digests() -> None:
    teams = await transaction(
        pool(), lambda conn: results.compile_all_digests(conn, period_hours=settings.digest_period_hours)
    )
    log.info("compiled digests", extra={"fields": {"teams": teams}})


@dramatiq.actor(actor_name="routing.mark_overdue", queue_name="maintenance", max_retries=3)
async def mark_overdue() -> None:
    await transaction(pool(), lambda conn: routing.mark_overdue(conn, due_soon_seconds=settings.due_soon_hours * 3600))


@dramatiq.actor(actor_name="rankings.age_trending", queue_name="maintenance", max_retries=3)
async def age_trending() -> None:
    await transaction(pool(), rankings.age_trending)


@dramatiq.actor(actor_name="maintenance.purge_expired", queue_name="maintenance", max_retries=3)
async def purge_expired() -> None:
    """Deletes what its retention setting no longer keeps (portal.retention), a batch at a time."""
    for purge in retention.PURGES:
        removed = 0
        while True:
            batch = await transaction(pool(), partial(retention.purge_batch, purge=purge, settings=settings))
            removed += batch
            if batch < retention.BATCH:
                break
        if removed:
            log.info("purged", extra={"fields": {"kind": purge.name, "removed": removed}})


@dramatiq.actor(actor_name="attachments.purge", queue_name="maintenance", max_retries=3)
async def purge_attachments() -> None:
    """Removed attachments, and uploads nothing referred to for a day: their bytes, then their rows."""
    async with opened_stores(settings.storage_url) as stores:
        while purged := await transaction(pool(), lambda conn: attachments.purge(conn, stores)):
            log.info("purged attachments", extra={"fields": {"count": purged}})


@dramatiq.actor(actor_name="campaigns.advance", queue_name="maintenance", max_retries=3)
async def advance_campaigns() -> None:
    """Moves campaigns whose deadline passed to their next phase, once each."""
    moved = await transaction(pool(), campaigns.advance)
    if moved:
        log.info("campaigns moved on", extra={"fields": {"phases": moved}})


@dramatiq.actor(actor_name="scorecards.compile", queue_name="results", max_retries=3)
async def compile_scorecards() -> None:
    """This month's scorecards, and last month's (its last days may have changed since)."""

    async def compile_both(conn: Connection) -> None:
        now = await conn.fetchval("SELECT now()")
        for period in dict.fromkeys([scorecards.period_of(now - timedelta(days=now.day)), scorecards.period_of(now)]):
            await scorecards.compile_period(conn, period)

    await transaction(pool(), compile_both)


@dramatiq.actor(actor_name="surveys.tick", queue_name="results", max_retries=3)
async def survey_tick() -> None:
    """Opens the pulse rounds due on their schedule and closes the rounds whose time is up."""

    async def tick(conn: Connection) -> tuple[int, int]:
        opened = await surveys.open_due_pulses(conn)
        return opened, await surveying.close_due_rounds(conn, minimum=settings.survey_minimum_group)

    opened, closed = await transaction(pool(), tick)
    if opened or closed:
        log.info("survey rounds", extra={"fields": {"opened": opened, "closed": closed}})


@dramatiq.actor(actor_name="notifications.compose", queue_name="notifications", max_retries=3)
async def compose_emails() -> None:
    """Gathers each employee's due notifications into one email (when their window is open)."""
    await _compose()


async def _compose() -> None:
    await _compose_emails()
    await _compose_slack()


async def _compose_emails() -> None:
    if not settings.smtp_host:
        return  # no SMTP server: due notifications wait until one is configured
    while True:
        async with unit_of_work(pool()) as conn:
            composed = await emails.compose(
                conn, window_seconds=settings.notification_window_seconds, domain=emails.message_domain(settings)
            )
        for start in range(0, len(composed), emails.SEND_BATCH):
            send_quietly(send_emails, composed[start : start + emails.SEND_BATCH])
        if len(composed) < emails.COMPOSE_BATCH:
            return


async def _compose_slack() -> None:
    if not settings.slack_bot_token:
        return  # no Slack app: Slack notifications wait until it is installed
    while True:
        async with unit_of_work(pool()) as conn:
            composed = await direct.compose(conn, window_seconds=settings.notification_window_seconds)
        for start in range(0, len(composed), direct.SEND_BATCH):
            send_quietly(send_slack_messages, composed[start : start + direct.SEND_BATCH])
        if len(composed) < direct.COMPOSE_BATCH:
            return


@dramatiq.actor(actor_name="notifications.send_slack", queue_name="notifications", max_retries=5, min_backoff=1000)
async def send_slack_messages(message_ids: list[int] | None = None) -> None:
    """Posts a batch of Slack direct messages, each marked 'sending' just before it is posted."""
    channels = chat_channels()
    if channels.slack is None:
        return
    outgoing = await transaction(pool(), lambda conn: direct.lease(conn, message_ids, settings))
    outcomes = await direct.send(pool(), channels.slack, outgoing, settings)
    for outcome in outcomes:
        kind = (
            "sent"
            if outcome.error is None
            else "unknown"
            if outcome.unknown
            else "retry"
            if outcome.retry_in
            else "failed"
        )
        metrics.SLACK_DMS.labels(kind).inc()


@dramatiq.actor(actor_name="notifications.send", queue_name="notifications", max_retries=5, min_backoff=1000)
async def send_emails(email_ids: list[int] | None = None) -> None:
    """Sends a batch of emails over one SMTP connection; each is marked 'sending' just before its
    own SMTP transaction, so a worker killed mid-send never sends it again and leaves the rest of
    the batch to be sent. One batch at a time per worker process: a killed worker leaves at most
    one email uncertain. Retries come from the sweep, on the schedule."""
    async with resources.sending:
        outgoing = await transaction(pool(), lambda conn: emails.lease(conn, email_ids, settings))
        if not outgoing:
            return
        outcomes = await emails.send(pool(), outgoing, settings)
    for outcome in outcomes:
        metrics.EMAILS.labels("sent" if outcome.error is None else "retry" if outcome.retry else "failed").inc()


@dramatiq.actor(actor_name="notifications.sweep", queue_name="notifications", max_retries=0)
async def sweep_emails() -> None:
    """Emails and Slack messages whose window has ended or whose retry is due, and interrupted
    sends given up."""
    if settings.slack_bot_token:
        async with unit_of_work(pool()) as conn:
            due, abandoned = await direct.sweep(
                conn, sending_timeout_seconds=settings.notification_sending_timeout_seconds
            )
        metrics.SLACK_DMS.labels("unknown").inc(abandoned)
        for start in range(0, len(due), direct.SEND_BATCH):
            send_quietly(send_slack_messages, due[start : start + direct.SEND_BATCH])
    if not settings.smtp_host:
        await _compose_slack()
        return
    async with unit_of_work(pool()) as conn:
        due, abandoned = await emails.sweep(conn, sending_timeout_seconds=settings.notification_sending_timeout_seconds)
    if abandoned:
        metrics.EMAILS.labels("unknown").inc(abandoned)
        log.warning("emails interrupted mid-send are not sent again", extra={"fields": {"count": abandoned}})
    for start in range(0, len(due), emails.SEND_BATCH):
        send_quietly(send_emails, due[start : start + emails.SEND_BATCH])
    await _compose()


@dramatiq.actor(actor_name="notifications.release_daily", queue_name="notifications", max_retries=3)
async def release_daily() -> None:
    """The daily digest: held notifications become visible and due by email (one email each)."""
    async with unit_of_work(pool()) as conn:
        shown, due = await emails.release_daily(conn)
    log.info("released daily notifications", extra={"fields": {"portal": shown, "email": due}})
    if due:
        send_quietly(compose_emails)
