"""Posting team-channel messages, as webhook deliveries are sent (portal.webhooks.delivery): at
least once, one message per connection per event, in line per subject, each attempt recorded on
its own as soon as its answer is in.

- Slack: chat.postMessage, carrying the event's id in the message's metadata. An attempt whose
  answer never came (a timeout) is uncertain: the next one first looks for that id in the
  channel's recent history, so a post that did arrive is not posted again. An answer, a reopening
  or a status change updates the idea's message in place (chat.update).
- Microsoft Teams: the channel's Workflows webhook, through the webhooks' address guard. It has
  no idempotency key and no update: a retry after a timeout may post twice.
- A rate limit (HTTP 429, `ratelimited`) waits its Retry-After and does not count as an attempt.
- A channel that is gone or refuses the app (archived, deleted, the app not in it, a workflow
  deleted) disables its connection, and the team's leads are told (event chat.disabled).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

import aiohttp
import asyncpg
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from yarl import URL

from portal.chat import cards, service
from portal.chat import queries as q
from portal.db import Connection, transaction
from portal.webhooks.addresses import AddressPolicy, BlockedAddress
from portal.webhooks.delivery import retry_delay
from portal.webhooks.signing import SecretBox

log = logging.getLogger("portal.chat")
CHUNK = 100
ROUNDS = 50  # claim rounds one message runs before handing the rest to another
LEASE_MARGIN_SECONDS = 5
HISTORY_WINDOW = timedelta(minutes=10)  # how far back an uncertain post is looked for
# Slack errors that mean this channel will not take the app's messages until someone acts.
CHANNEL_GONE = {
    "channel_not_found",
    "is_archived",
    "not_in_channel",
    "restricted_action",
    "team_access_not_granted",
    "access_denied",
    "ekm_access_denied",
    "channel_type_not_supported",
}
TEAMS_GONE = {401: "refuses the portal", 403: "refuses the portal", 404: "is gone", 410: "is gone"}
METADATA_TYPE = "ideaportal_event"

State = Literal["sent", "skipped", "retry", "gone"]


@dataclass(frozen=True)
class Outcome:
    state: State
    error: str | None = None
    retry_after: float | None = None  # a rate limit's wait; it does not count as an attempt
    uncertain: bool = False
    post: tuple[str, str] | None = None  # (channel, ts) of the idea's message in Slack
    duration_ms: int = 0


@dataclass
class Channels:
    """What sending needs: the Slack client (None when no bot token is set), the guarded session
    for Teams webhooks, the key Teams URLs are encrypted with, and where portal links point."""

    slack: AsyncWebClient | None
    http: aiohttp.ClientSession
    policy: AddressPolicy
    box: SecretBox | None
    public_url: str
    schedule: list[int]
    timeout_seconds: float
    sent: list[tuple[str, str]] = field(default_factory=list)  # (kind, outcome) for metrics

    @property
    def lease_seconds(self) -> float:
        return self.timeout_seconds * 2 + LEASE_MARGIN_SECONDS


def slack_client(
    token: str | None, base_url: str, session: aiohttp.ClientSession, timeout: float
) -> AsyncWebClient | None:
    """slack_sdk's client on a shared session; retries are ours (recorded, spaced, resumable)."""
    if not token:
        return None
    seconds = max(1, math.ceil(timeout))  # slack_sdk takes whole seconds
    return AsyncWebClient(token=token, base_url=base_url, session=session, timeout=seconds, retry_handlers=[])


async def any_due(conn: Connection) -> bool:
    return await conn.fetchval(q.DUE)


@dataclass(frozen=True)
class Content:
    """One message's text, Slack blocks and Teams card; `update` when it changes the idea's
    existing Slack message rather than posting; None fields: nothing to post (the idea is gone)."""

    text: str
    blocks: list[dict[str, Any]]
    card: dict[str, Any]
    idea_id: int | None
    update: bool
    # For a reply in the idea's thread: the idea's own message as it stands now, updated beside it.
    refresh: tuple[str, list[dict[str, Any]]] | None = None


async def _content(conn: Connection, message: Mapping[str, Any], public_url: str) -> Content | None:
    data, type_ = message["data"], message["type"]
    if type_ == "digest.compiled":
        row = await conn.fetchrow(q.DIGEST_CARD, data["digest_id"])
        if row is None:
            return None
        digest = cards.DigestCard(
            row["team_name"], row["period_end"], row["content"], f"{public_url}/teams/{row['team']}/digests"
        )
        return Content(
            cards.digest_text(digest), cards.digest_blocks(digest), cards.digest_teams_card(digest), None, False
        )
    idea_id = int(data.get("idea_id") or data["id"])
    row = await conn.fetchrow(q.IDEA_CARD, idea_id, message["team_id"])
    if row is None:
        return None
    card = cards.IdeaCard.of(
        dict(row),
        headline=cards.headline(type_, data, row["team_name"], row["role"]),
        url=f"{public_url}/ideas/{idea_id}",
    )
    now = cards.refreshed(card)
    return Content(
        cards.text(card),
        cards.slack_blocks(card),
        cards.teams_card(card),
        idea_id,
        update=type_ in q.UPDATED,
        refresh=(cards.text(now), cards.slack_blocks(now)) if type_ != "idea.routed" else None,
    )


def _slack_failure(exc: SlackApiError) -> Outcome:
    error = str(exc.response.get("error") or "") if isinstance(exc.response.data, dict) else ""
    status = exc.response.status_code
    if status == 429 or error == "ratelimited":
        retry_after = float(exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after") or 1)
        return Outcome("retry", f"rate limited for {retry_after:g} s", retry_after=retry_after)
    if error in CHANNEL_GONE:
        return Outcome("gone", f"Slack: {error}")
    return Outcome("retry", f"Slack: {error or f'HTTP {status}'}")


async def _find_posted(slack: AsyncWebClient, channel: str, message: Mapping[str, Any]) -> str | None:
    """The ts of this event's post if an earlier, uncertain attempt did post it."""
    oldest = (message["occurred_at"] - HISTORY_WINDOW).timestamp()
    history = await slack.conversations_history(
        channel=channel, oldest=f"{oldest:.6f}", limit=200, include_all_metadata=True
    )
    for posted in history.get("messages") or []:
        metadata = posted.get("metadata") or {}
        if (
            metadata.get("event_type") == METADATA_TYPE
            and metadata.get("event_payload", {}).get("event_id") == message["event_id"]
        ):
            return str(posted["ts"])
    return None


async def _refresh(slack: AsyncWebClient, post: Mapping[str, Any], text: str, blocks: list[dict[str, Any]]) -> bool:
    """Updates the idea's message in place; False when it was deleted in Slack meanwhile."""
    try:
        await slack.chat_update(channel=post["channel"], ts=post["ts"], text=text, blocks=blocks)
    except SlackApiError as exc:
        if exc.response.get("error") == "message_not_found":
            return False
        raise
    return True


async def _send_slack(
    channels: Channels, message: Mapping[str, Any], content: Content, post: Mapping[str, Any] | None
) -> Outcome:
    slack = channels.slack
    if slack is None:
        return Outcome("retry", "PORTAL_SLACK_BOT_TOKEN is not set")
    channel = message["slack_channel"]
    if content.update:
        if post is None:
            return Outcome("skipped", "no message of this idea in the channel to update")
        if content.refresh is None or not await _refresh(slack, post, *content.refresh):
            return Outcome("skipped", "the idea's message was deleted in Slack")
        return Outcome("sent")
    if message["uncertain"]:
        found = await _find_posted(slack, channel, message)
        if found is not None:
            return Outcome("sent", post=(channel, found) if message["type"] == "idea.routed" else None)
    thread = (
        post["ts"] if post is not None and message["type"] != "idea.routed" and post["channel"] == channel else None
    )
    answer = await slack.chat_postMessage(
        channel=channel,
        text=content.text,
        blocks=content.blocks,
        thread_ts=thread,
        reply_broadcast=True if thread else None,
        unfurl_links=False,
        metadata={"event_type": METADATA_TYPE, "event_payload": {"event_id": message["event_id"]}},
    )
    ts = str(answer["ts"])
    if post is not None and thread and content.refresh:
        try:  # the reply is posted: a failure here must not post it again (the next update refreshes)
            await _refresh(slack, post, *content.refresh)
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            log.warning(
                "the idea's message was not refreshed", extra={"fields": {**_named(message), "error": str(exc)}}
            )
    return Outcome(
        "sent", post=(str(answer.get("channel") or channel), ts) if message["type"] == "idea.routed" else None
    )


async def _send_teams(channels: Channels, message: Mapping[str, Any], content: Content) -> Outcome:
    if channels.box is None:
        return Outcome("retry", "PORTAL_ENCRYPTION_KEY is not set: the Teams URL cannot be read")
    url = channels.box.decrypt(message["teams_url_encrypted"])
    channels.policy.check_literal(URL(url).host or "")
    body = json.dumps(content.card, ensure_ascii=False).encode()
    async with channels.http.post(
        url, data=body, headers={"content-type": "application/json"}, allow_redirects=False
    ) as response:
        await response.content.read(4096)
        if 200 <= response.status < 300:
            return Outcome("sent")
        if response.status == 429:
            retry_after = float(response.headers.get("Retry-After") or 1)
            return Outcome("retry", f"rate limited for {retry_after:g} s", retry_after=retry_after)
        if response.status in TEAMS_GONE:
            return Outcome("gone", f"the Teams workflow {TEAMS_GONE[response.status]} (HTTP {response.status})")
        return Outcome("retry", f"Teams: HTTP {response.status}")


async def send(
    channels: Channels, message: Mapping[str, Any], content: Content, post: Mapping[str, Any] | None
) -> Outcome:
    """One attempt. Never raises: whatever goes wrong is this message's failed attempt."""
    started = time.perf_counter()
    try:
        if message["kind"] == "slack":
            outcome = await _send_slack(channels, message, content, post)
        else:
            outcome = await _send_teams(channels, message, content)
    except SlackApiError as exc:
        outcome = _slack_failure(exc)
    except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
        # The post may have arrived: the next attempt looks for it first (Slack).
        outcome = Outcome("retry", f"no answer: {type(exc).__name__}", uncertain=not content.update)
    except BlockedAddress as exc:
        outcome = Outcome("retry", str(exc))
    except aiohttp.ClientConnectorError as exc:
        outcome = Outcome("retry", str(exc.os_error) if isinstance(exc.os_error, BlockedAddress) else str(exc))
    except (aiohttp.ClientError, SlackClientError, OSError, ValueError) as exc:
        outcome = Outcome("retry", f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # one channel must never stop the others' messages
        log.exception("chat message failed unexpectedly", extra={"fields": _named(message)})
        outcome = Outcome("retry", f"{type(exc).__name__}: {exc}")
    elapsed = int((time.perf_counter() - started) * 1000)
    if outcome.state in ("retry", "gone"):
        log.warning(
            "chat message not posted", extra={"fields": {**_named(message), "error": outcome.error, "ms": elapsed}}
        )
    return Outcome(outcome.state, outcome.error, outcome.retry_after, outcome.uncertain, outcome.post, elapsed)


def _named(message: Mapping[str, Any]) -> dict[str, object]:
    """What identifies an attempt in a log line: never a Teams URL (it carries its signature)."""
    return {
        "connection_id": message["connection_id"],
        "kind": message["kind"],
        "message_id": message["message_id"],
        "event_id": message["event_id"],
        "attempt": message["attempts"] + 1,
    }


async def record(conn: Connection, message: Mapping[str, Any], outcome: Outcome, schedule: list[int]) -> str:
    """Records one attempt in the caller's transaction; answers the message's state now."""
    counts = outcome.retry_after is None
    if outcome.state == "gone":
        await conn.execute(q.RECORD_ATTEMPT, message["message_id"], "failed", None, True, False, outcome.error)
        await service.disable(conn, message["connection_id"], outcome.error or "the channel refuses the app")
        return "failed"
    if outcome.state == "retry":
        delay = (
            outcome.retry_after if outcome.retry_after is not None else retry_delay(message["attempts"] + 1, schedule)
        )
        state = "failed" if delay is None else "pending"
    else:
        delay, state = None, outcome.state
    await conn.execute(q.RECORD_ATTEMPT, message["message_id"], state, delay, counts, outcome.uncertain, outcome.error)
    if outcome.post is not None and message.get("idea_id") is not None:
        await conn.execute(
            q.SAVE_POST, message["connection_id"], message["idea_id"], *outcome.post, message["event_id"]
        )
    return state


async def _one(pool: asyncpg.Pool, channels: Channels, claimed: asyncpg.Record) -> str:
    message = dict(claimed)
    async with pool.acquire() as conn:
        content = await _content(conn, message, channels.public_url)
        idea_id = content.idea_id if content else None
        found = await conn.fetchrow(q.POST_OF, message["connection_id"], idea_id) if idea_id else None
    post = dict(found) if found is not None else None
    if content is None:
        outcome = Outcome("skipped", "its idea or digest no longer exists")
    else:
        outcome = await send(channels, message, content, post)
    state = await transaction(
        pool, lambda conn: record(conn, {**message, "idea_id": idea_id}, outcome, channels.schedule)
    )
    channels.sent.append((message["kind"], "rate_limited" if outcome.retry_after is not None else state))
    return state


async def deliver(pool: asyncpg.Pool, channels: Channels) -> bool:
    """Posts what is due, round after round (each round takes the next message of every line),
    until nothing is due. Answers whether messages are left for another run."""
    for _ in range(ROUNDS):
        claimed = await pool.fetch(q.CLAIM, CHUNK, channels.lease_seconds)
        if not claimed:
            return False
        results = await asyncio.gather(*(_one(pool, channels, m) for m in claimed), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):  # the database failed: the lease runs out, it is sent again
                log.error(
                    "chat attempt not recorded", extra={"fields": {"error": f"{type(result).__name__}: {result}"}}
                )
    return True
