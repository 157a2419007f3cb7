"""Sending webhook deliveries (Standard Webhooks headers, CloudEvent bodies) and recording them.

A delivery is leased before it is sent, so two workers never send it at once; a worker that
dies mid-send leaves a lease that expires, and the delivery is sent again with the same
webhook-id, which receivers use to drop duplicates.

Each delivery is on its own: whatever one webhook's URL, secret or receiver does (a host that
cannot be encoded, a secret that no longer decrypts, a hung or refusing receiver), it becomes
that delivery's failed attempt, and every attempt is recorded in a transaction of its own as soon
as its answer is in, before anything else is sent or can fail.

In line: a webhook receives the events about one subject (an idea, a team) in the order they
happened. A delivery is claimed only when no earlier one of the same webhook about the same subject
is pending, and once it is done (delivered, or given up) the next in its line is sent at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass

import aiohttp
import asyncpg
from yarl import URL

from portal.db import Connection, statement
from portal.events import outbox
from portal.events.cloudevents import CONTENT_TYPE, to_cloudevent
from portal.webhooks import queries as q
from portal.webhooks.addresses import AddressPolicy, BlockedAddress, GuardedResolver
from portal.webhooks.signing import SecretBox, sign

log = logging.getLogger("portal.webhooks")
EXCERPT_CHARS = 1000
# A send interrupted by a dying worker is retried once its lease runs out: the delivery
# timeout plus this margin.
LEASE_MARGIN_SECONDS = 5
# Deliveries one message claims, and how many of a line one claimed delivery then sends in turn
# before handing the rest to another message.
CHUNK = 100
LINE_PER_MESSAGE = 200


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int
    excerpt: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def kind(self) -> str:
        """For metrics: delivered, rejected (the receiver answered non-2xx) or unreachable."""
        if self.status_code is None:
            return "unreachable"
        return "delivered" if self.ok else "rejected"


async def create_for_events(conn: Connection, event_ids: list[int]) -> list[int]:
    return [row["id"] for row in await conn.fetch(q.CREATE_FOR_EVENTS, event_ids)]


async def claim(
    conn: Connection, *, delivery_ids: list[int] | None, limit: int, timeout_seconds: float
) -> list[asyncpg.Record]:
    """Leases due deliveries for one attempt each, long enough for a send to finish."""
    return await conn.fetch(q.CLAIM, delivery_ids, limit, timeout_seconds + LEASE_MARGIN_SECONDS)


async def due(conn: Connection, *, limit: int = 1000) -> list[int]:
    return [row["id"] for row in await conn.fetch(q.DUE, limit)]


def http_session(policy: AddressPolicy, timeout_seconds: float) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(
        resolver=GuardedResolver(policy), limit=100, ttl_dns_cache=None, use_dns_cache=False
    )
    return aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=timeout_seconds), auto_decompress=False
    )


def _headers(box: SecretBox, delivery: asyncpg.Record, body: bytes) -> dict[str, str]:
    message_id, timestamp = f"msg_{delivery['delivery_id']}", int(time.time())
    return {
        "content-type": CONTENT_TYPE,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(box.decrypt(delivery["secret_encrypted"]), message_id, timestamp, body),
        "user-agent": "IdeaPortal-Webhooks/1",
    }


async def send(
    session: aiohttp.ClientSession, policy: AddressPolicy, box: SecretBox, delivery: asyncpg.Record, *, source: str
) -> Outcome:
    """One attempt. Never raises: whatever goes wrong is this delivery's failed attempt."""
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    def failed(reason: str, message: str) -> Outcome:
        log.warning(message, extra={"fields": {**_named(delivery), "reason": reason, "ms": elapsed()}})
        return Outcome(None, reason[:500], elapsed(), None)

    try:
        body = json.dumps(to_cloudevent(delivery, source), ensure_ascii=False, separators=(",", ":")).encode()
        headers = _headers(box, delivery, body)
        policy.check_literal(URL(delivery["url"]).host or "")
        async with session.post(delivery["url"], data=body, headers=headers, allow_redirects=False) as response:
            excerpt = (await response.content.read(EXCERPT_CHARS * 4)).decode("utf-8", "replace")[:EXCERPT_CHARS]
            if not 200 <= response.status < 300:
                log.warning(
                    "webhook rejected",
                    extra={"fields": {**_named(delivery), "status": response.status, "ms": elapsed()}},
                )
            return Outcome(response.status, None, elapsed(), excerpt)
    except BlockedAddress as exc:
        return failed(str(exc), "webhook refused")
    except aiohttp.ClientConnectorError as exc:
        return failed(
            str(exc.os_error) if isinstance(exc.os_error, BlockedAddress) else str(exc), "webhook connection failed"
        )
    except (aiohttp.ClientError, TimeoutError, OSError, UnicodeError, ValueError) as exc:
        # ValueError: a secret that no longer decrypts, a URL yarl cannot read; UnicodeError: a
        # host IDNA cannot encode (URLs stored before they were checked at creation).
        return failed(f"{type(exc).__name__}: {exc}", "webhook attempt failed")
    except Exception as exc:  # one webhook must never stop the others' deliveries
        log.exception("webhook attempt failed unexpectedly", extra={"fields": _named(delivery)})
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500], elapsed(), None)


def _named(delivery: asyncpg.Record) -> dict[str, object]:
    """What identifies an attempt in a log line: never the secret or the body."""
    return {
        "webhook_id": delivery["webhook_id"],
        "delivery_id": delivery["delivery_id"],
        "url": delivery["url"],
        "attempt": delivery["attempts"] + 1,
    }


def retry_delay(attempt: int, schedule: list[int]) -> float | None:
    """Seconds until the next attempt after `attempt` failures, with ±10% jitter; None: give up."""
    if attempt > len(schedule):
        return None
    return schedule[attempt - 1] * random.uniform(0.9, 1.1)


def next_state(outcome: Outcome, attempts_before: int, schedule: list[int]) -> tuple[str, float | None]:
    """The delivery's state after this attempt, and for a retry the seconds until it."""
    if outcome.ok:
        return "succeeded", None
    delay = retry_delay(attempts_before + 1, schedule)
    return ("failed", None) if delay is None else ("pending", delay)


async def record(
    conn: Connection, delivery: asyncpg.Record, outcome: Outcome, schedule: list[int], *, lease_seconds: float = 60
) -> asyncpg.Record | None:
    """Records one attempt (a statement of its own, atomic without a transaction around it); once
    the delivery is done, leases and answers the next in its line. A delivery whose webhook was
    deleted meanwhile is gone, and so is the attempt's record."""
    state, delay = next_state(outcome, delivery["attempts"], schedule)
    return await conn.fetchrow(
        q.RECORD_ATTEMPT,
        delivery["delivery_id"],
        outcome.status_code,
        outcome.error,
        outcome.duration_ms,
        outcome.excerpt,
        state,
        delay,
        lease_seconds,
    )


async def deliver(
    pool: asyncpg.Pool,
    session: aiohttp.ClientSession,
    policy: AddressPolicy,
    box: SecretBox,
    delivery_ids: list[int] | None,
    *,
    source: str,
    schedule: list[int],
    timeout_seconds: float,
) -> tuple[list[Outcome], list[int]]:
    """Claims the given due deliveries (or any due) and sends each, then the rest of its line.
    Answers every attempt's outcome, and deliveries still waiting in line for another message."""
    lease = timeout_seconds + LEASE_MARGIN_SECONDS

    async def in_line(item: asyncpg.Record) -> tuple[list[Outcome], int | None]:
        outcomes: list[Outcome] = []
        while True:
            outcome = await send(session, policy, box, item, source=source)
            outcomes.append(outcome)
            following = await statement(
                pool,
                lambda conn: record(conn, item, outcome, schedule, lease_seconds=lease),  # noqa: B023
            )
            if following is None:
                return outcomes, None
            if len(outcomes) >= LINE_PER_MESSAGE:  # the rest of the line goes in another message
                await pool.execute(q.RELEASE, following["delivery_id"])
                return outcomes, following["delivery_id"]
            item = following

    claimed = await statement(
        pool, lambda conn: claim(conn, delivery_ids=delivery_ids, limit=CHUNK, timeout_seconds=timeout_seconds)
    )
    lines = await asyncio.gather(*(in_line(item) for item in claimed), return_exceptions=True)
    outcomes: list[Outcome] = []
    waiting: list[int] = []
    for line in lines:
        if isinstance(line, BaseException):  # the database failed: the lease runs out and it is sent again
            log.error("webhook attempt not recorded", extra={"fields": {"error": f"{type(line).__name__}: {line}"}})
            continue
        outcomes.extend(line[0])
        if line[1] is not None:
            waiting.append(line[1])
    return outcomes, waiting


async def disable_failing(conn: Connection, *, after_hours: float) -> int:
    rows = await conn.fetch(q.DISABLE_FAILING, after_hours * 3600)
    for row in rows:
        await outbox.record(
            conn,
            "webhook.disabled",
            f"webhooks/{row['id']}",
            {"id": row["id"], "failing_since": row["failing_since"].isoformat()},
        )
    return len(rows)
