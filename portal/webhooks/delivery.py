"""Sending webhook deliveries (Standard Webhooks headers, CloudEvent bodies) and recording them.

A delivery is leased before it is sent, so two workers never send it at once; a worker that
dies mid-send leaves a lease that expires, and the delivery is sent again with the same
webhook-id, which receivers use to drop duplicates.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass

import aiohttp
import asyncpg
from yarl import URL

from portal.db import Connection
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


async def send(
    session: aiohttp.ClientSession, policy: AddressPolicy, box: SecretBox, delivery: asyncpg.Record, *, source: str
) -> Outcome:
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    body = json.dumps(to_cloudevent(delivery, source), ensure_ascii=False, separators=(",", ":")).encode()
    message_id, timestamp = f"msg_{delivery['delivery_id']}", int(time.time())
    headers = {
        "content-type": CONTENT_TYPE,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(box.decrypt(delivery["secret_encrypted"]), message_id, timestamp, body),
        "user-agent": "IdeaPortal-Webhooks/1",
    }
    try:
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
        log.warning("webhook refused", extra={"fields": {**_named(delivery), "reason": str(exc)}})
        return Outcome(None, str(exc), elapsed(), None)
    except aiohttp.ClientConnectorError as exc:
        reason = str(exc.os_error) if isinstance(exc.os_error, BlockedAddress) else str(exc)
        log.warning("webhook connection failed", extra={"fields": {**_named(delivery), "reason": reason}})
        return Outcome(None, reason[:500], elapsed(), None)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        reason = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("webhook attempt failed", extra={"fields": {**_named(delivery), "reason": reason}})
        return Outcome(None, reason, elapsed(), None)


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


async def record(
    conn: Connection, deliveries: list[asyncpg.Record], outcomes: list[Outcome], schedule: list[int]
) -> None:
    """Records a batch of attempts with a handful of set-based statements."""
    await conn.execute(
        q.RECORD_ATTEMPTS,
        [d["delivery_id"] for d in deliveries],
        [o.status_code for o in outcomes],
        [o.error for o in outcomes],
        [o.duration_ms for o in outcomes],
        [o.excerpt for o in outcomes],
    )
    succeeded, later, delays, failed = [], [], [], []
    ok_hooks, failing_hooks = set(), set()
    for item, outcome in zip(deliveries, outcomes):
        if outcome.ok:
            succeeded.append(item["delivery_id"])
            ok_hooks.add(item["webhook_id"])
            continue
        failing_hooks.add(item["webhook_id"])
        delay = retry_delay(item["attempts"] + 1, schedule)
        if delay is None:
            failed.append(item["delivery_id"])
        else:
            later.append(item["delivery_id"])
            delays.append(delay)
    if succeeded:
        await conn.execute(q.SUCCEEDED, succeeded)
        await conn.execute(q.WEBHOOK_OK, sorted(ok_hooks - failing_hooks))
    if later:
        await conn.execute(q.RETRY_LATER, later, delays)
    if failed:
        await conn.execute(q.FAILED, failed)
    if failing_hooks:
        await conn.execute(q.WEBHOOK_FAILING, sorted(failing_hooks))


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
