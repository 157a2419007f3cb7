"""Notifications by Slack direct message: for the kinds each employee chose Slack for, gathered
like emails (one message per person per coalescing window, PORTAL_NOTIFICATION_WINDOW_SECONDS;
'daily' ones with the daily digest), in the person's language, each line linking to the portal.

Sent at most once, as emails are: a message is marked 'sending' just before it is posted, and one
whose answer never came (a timeout, a killed worker) is recorded 'unknown', not posted again. The
person is found by their address (users.lookupByEmail); someone without a Slack account gets
nothing there (the message is failed, saying so). A rate limit waits its Retry-After.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from portal.chat.cards import escape
from portal.config import Settings, public_base
from portal.db import Connection, statement
from portal.i18n import load_translations
from portal.notifications import queries as q
from portal.notifications import texts

log = logging.getLogger("portal.chat")
COMPOSE_BATCH = 200
SEND_BATCH = 50
LISTED = 20
NO_SLACK_ACCOUNT = {"users_not_found", "user_not_found", "account_inactive"}


async def compose(conn: Connection, *, window_seconds: float, limit: int = COMPOSE_BATCH) -> list[int]:
    """One message for each employee with Slack notifications due whose window is open."""
    recipients = [row["recipient_id"] for row in await conn.fetch(q.DUE_SLACK_RECIPIENTS, limit)]
    if not recipients:
        return []
    claimed = [row["employee_id"] for row in await conn.fetch(q.CLAIM_SLACK_WINDOWS, recipients, window_seconds)]
    if not claimed:
        return []
    return [row["id"] for row in await conn.fetch(q.CREATE_SLACK_MESSAGES, claimed)]


@dataclass
class Outgoing:
    id: int
    attempt: int
    address: str
    active: bool
    text: str
    blocks: list[dict[str, Any]]


async def lease(conn: Connection, ids: list[int] | None, settings: Settings) -> list[Outgoing]:
    limit = len(ids) if ids is not None else SEND_BATCH
    rows = await conn.fetch(q.LEASE_SLACK_MESSAGES, ids, limit, settings.notification_sending_timeout_seconds)
    if not rows:
        return []
    carried: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for n in await conn.fetch(q.SLACK_MESSAGE_NOTIFICATIONS, [row["id"] for row in rows]):
        carried[n["slack_message_id"]].append(dict(n))
    outgoing = []
    for row in sorted(rows, key=lambda row: row["id"]):
        if carried[row["id"]]:
            text, blocks = render(row, carried[row["id"]], settings)
            outgoing.append(Outgoing(row["id"], row["attempt"], row["address"], row["active"], text, blocks))
    return outgoing


def render(recipient: Any, notifications: list[dict[str, Any]], settings: Settings) -> tuple[str, list[dict[str, Any]]]:
    """The message in the recipient's language: one line per notification, each a link."""
    gettext = load_translations()[recipient["locale"] or settings.default_locale].gettext
    base = public_base(settings)
    lines = [f"• <{base}{texts.path(n)}|{escape(texts.sentence(n, gettext))}>" for n in notifications[:LISTED]]
    if len(notifications) > LISTED:
        lines.append(f"<{base}/notifications|…> (+{len(notifications) - LISTED})")
    text = texts.subject(notifications, gettext)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:2900]}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"<{base}/settings/notifications|{escape(gettext('Notification settings'))}>",
                }
            ],
        },
    ]
    return text, blocks


@dataclass(frozen=True)
class Outcome:
    error: str | None = None
    retry_in: float | None = None  # None with an error: give up
    counts: bool = True  # a rate limit is not an attempt
    unknown: bool = False  # the answer never came: not posted again


async def _post(slack: AsyncWebClient, item: Outgoing) -> Outcome:
    try:
        user = await slack.users_lookupByEmail(email=item.address)
    except SlackApiError as exc:
        return _failure(exc, posting=False)
    except (aiohttp.ClientError, SlackClientError, TimeoutError, OSError) as exc:
        return Outcome(f"{type(exc).__name__}: {exc}", retry_in=60)
    try:
        await slack.chat_postMessage(
            channel=str(user["user"]["id"]), text=item.text, blocks=item.blocks, unfurl_links=False
        )
    except SlackApiError as exc:
        return _failure(exc, posting=True)
    except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
        return Outcome(f"no answer: {type(exc).__name__}", unknown=True)
    except (aiohttp.ClientError, SlackClientError, OSError) as exc:
        return Outcome(f"{type(exc).__name__}: {exc}", retry_in=60)
    return Outcome()


def _failure(exc: SlackApiError, *, posting: bool) -> Outcome:
    error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
    if exc.response.status_code == 429 or error == "ratelimited":
        return Outcome(f"Slack: {error}", retry_in=float(exc.response.headers.get("Retry-After") or 1), counts=False)
    if error in NO_SLACK_ACCOUNT:
        return Outcome(f"no Slack account for this address ({error})")
    if exc.response.status_code >= 500:
        return Outcome(f"Slack: {error}", retry_in=60)
    return Outcome(f"Slack: {error}")


async def send(
    pool: asyncpg.Pool, slack: AsyncWebClient, outgoing: list[Outgoing], settings: Settings
) -> list[Outcome]:
    """Each message marked 'sending' just before it is posted and recorded just after."""
    outcomes: list[Outcome] = []
    for item in outgoing:
        if not item.active:
            outcome = Outcome("the recipient left the company")
        elif not await statement(pool, lambda conn: conn.fetchval(q.MARK_SLACK_SENDING, item.id, item.attempt)):  # noqa: B023
            continue  # another worker took it once this batch's lease ran out
        else:
            outcome = await _post(slack, item)
        await statement(pool, lambda conn: record(conn, item, outcome, settings))  # noqa: B023
        outcomes.append(outcome)
    return outcomes


async def record(conn: Connection, item: Outgoing, outcome: Outcome, settings: Settings) -> None:
    if outcome.error is None:
        await conn.execute(q.MARK_SLACK_SENT, item.id)
        return
    schedule = settings.notification_retry_schedule
    retry_in = outcome.retry_in
    if retry_in is not None and outcome.counts:
        retry_in = float(schedule[item.attempt - 1]) if item.attempt <= len(schedule) else None
    attempts = item.attempt if outcome.counts else item.attempt - 1
    await conn.execute(q.MARK_SLACK_FAILED, item.id, outcome.error[:1000], attempts, retry_in, outcome.unknown)
    log.warning("Slack message not sent", extra={"fields": {"slack_message_id": item.id, "error": outcome.error}})


async def sweep(conn: Connection, *, sending_timeout_seconds: float) -> tuple[list[int], int]:
    """Queued messages due for an attempt, and how many interrupted ones were given up."""
    abandoned = int((await conn.execute(q.ABANDON_SLACK_SENDING, sending_timeout_seconds)).split()[-1])
    return [row["id"] for row in await conn.fetch(q.DUE_SLACK_MESSAGES, 1000)], abandoned
