"""The live parts of the API process: the event stream for integrations (GET /events/stream) and
each page's stream of vote counts and unread notifications (GET /live), both fed by one poll of
the event feed per API process, fanned out to every open stream.

However many streams are open, a process reads the feed once per poll interval. Each stream
keeps its own position; positions are dense, so a stream that missed a batch (it was slow and
its queue was full, or it resumed from an old cursor) sees the gap and reads the missing
events from the database itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
from aiohttp import web

from portal.db import Connection
from portal.errors import RateLimited
from portal.events import feed
from portal.events.cloudevents import to_cloudevent
from portal.events.feed import CURSOR_PATTERN as FEED_CURSOR_PATTERN
from portal.events.schemas import StreamQuery
from portal.events.types import FULL_NAMES
from portal.http.call import Call
from portal.http.keys import POOL
from portal.http.view import View
from portal.loops import forever
from portal.notifications import queries as notification_queries
from portal.votes import service as votes

log = logging.getLogger("portal.live")
BATCH = 500
QUEUE_BATCHES = 64
# How soon a stream notices batches it missed while no new ones arrive.
GAP_CHECK_SECONDS = 1.0
Batch = list[asyncpg.Record]


class TooManyStreams(RateLimited):
    title, slug = "Too many open streams", "too-many-streams"

    def __init__(self, limit: int) -> None:
        super().__init__(5, f"at most {limit} event streams may be open per caller; close one first")


class Subscription:
    def __init__(self, hub: FeedHub, caller: str) -> None:
        self.hub = hub
        self.caller = caller
        self.queue: asyncio.Queue[Batch | None] = asyncio.Queue(QUEUE_BATCHES)

    def offer(self, batch: Batch | None) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a slow stream catches up from the database
            self.queue.put_nowait(batch)


# What a page is told: ("count", {idea id: votes}) or ("unread", the employee's unread count).
PageUpdate = tuple[str, Any]


class CountWatch:
    """A web page following the vote counts of the ideas it shows, and its reader's unread
    notification count."""

    def __init__(self, idea_ids: frozenset[int], employee_id: int | None = None) -> None:
        self.idea_ids = idea_ids
        self.employee_id = employee_id
        self.unread: int | None = None  # as last told
        self.queue: asyncio.Queue[PageUpdate | None] = asyncio.Queue(QUEUE_BATCHES)

    def offer(self, update: PageUpdate | None) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a later update carries the latest counts anyway
            self.queue.put_nowait(update)


VOTE_TYPES = ("vote.cast", "vote.withdrawn")


class FeedHub:
    def __init__(
        self, pool: asyncpg.Pool, *, poll_seconds: float, max_streams_per_caller: int, unread_poll_seconds: float = 1.0
    ) -> None:
        self.pool = pool
        self.poll_seconds = poll_seconds
        self.unread_poll_seconds = unread_poll_seconds
        self.max_streams = max_streams_per_caller
        self.head: int | None = None
        self.subscriptions: set[Subscription] = set()
        self.watches: set[CountWatch] = set()
        self.per_caller: Counter[str] = Counter()
        self.closed = False

    @contextlib.contextmanager
    def _counted(self, caller: str) -> Iterator[None]:
        """At most max_streams open streams per caller, of either kind."""
        if self.per_caller[caller] >= self.max_streams:
            raise TooManyStreams(self.max_streams)
        self.per_caller[caller] += 1
        try:
            yield
        finally:
            self.per_caller[caller] -= 1
            if not self.per_caller[caller]:
                del self.per_caller[caller]

    @contextlib.contextmanager
    def subscribe(self, caller: str) -> Iterator[Subscription]:
        with self._counted(caller):
            subscription = Subscription(self, caller)
            self.subscriptions.add(subscription)
            try:
                yield subscription
            finally:
                self.subscriptions.discard(subscription)

    @contextlib.contextmanager
    def watch_counts(
        self, caller: str, idea_ids: frozenset[int], employee_id: int | None = None
    ) -> Iterator[CountWatch]:
        with self._counted(caller):
            watch = CountWatch(idea_ids, employee_id)
            self.watches.add(watch)
            try:
                yield watch
            finally:
                self.watches.discard(watch)

    async def run(self) -> None:
        """Polls while anyone listens, until cancelled; survives database outages."""
        await asyncio.gather(
            forever("event stream poll", self.poll_if_listened, self.poll_seconds, log),
            forever("unread notifications poll", self.poll_unread, self.unread_poll_seconds, log),
        )

    async def poll_unread(self) -> None:
        """One query for the unread counts of every employee with a page open; a page hears when
        its reader's count changes."""
        readers = {watch.employee_id for watch in self.watches if watch.employee_id is not None}
        if not readers:
            return
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(notification_queries.UNREAD_COUNTS, sorted(readers))
        counts = {row["recipient_id"]: row["unread"] for row in rows}
        for watch in self.watches:
            if watch.employee_id is not None and counts.get(watch.employee_id, 0) != watch.unread:
                watch.unread = counts.get(watch.employee_id, 0)
                watch.offer(("unread", watch.unread))

    async def poll_if_listened(self) -> None:
        if self.subscriptions or any(watch.idea_ids for watch in self.watches):
            await self.poll()
        else:
            self.head = None  # nobody listening: start from the head when someone comes

    async def poll(self) -> None:
        async with self.pool.acquire() as conn:
            await feed.sequence(conn)  # the scheduler numbers events too; this keeps streams live without it
            if self.head is None:
                self.head = await feed.head(conn)
                return
            while True:
                rows, self.head = await feed.read(conn, after=self.head, types=None, limit=BATCH)
                if rows:
                    for subscription in self.subscriptions:
                        subscription.offer(rows)
                    await self._send_counts(conn, rows)
                if len(rows) < BATCH:
                    return

    async def _send_counts(self, conn: Connection, rows: Batch) -> None:
        """One query for the current counts of the voted ideas that any page is watching."""
        watched = frozenset().union(*(watch.idea_ids for watch in self.watches)) if self.watches else frozenset()
        voted = {row["data"]["idea_id"] for row in rows if row["type"] in VOTE_TYPES} & watched
        if not voted:
            return
        counts = await votes.counts(conn, sorted(voted))
        for watch in self.watches:
            mine = {idea_id: count for idea_id, count in counts.items() if idea_id in watch.idea_ids}
            if mine:
                watch.offer(("count", mine))

    def close(self) -> None:
        """Ends every open stream (on shutdown)."""
        self.closed = True
        for watch in self.watches:
            watch.offer(None)
        for subscription in self.subscriptions:
            subscription.offer(None)
            if subscription.queue.full():  # make room for the end-of-stream mark
                subscription.queue.get_nowait()
                subscription.offer(None)


class _Reader:
    """One stream's place in the feed: reads from the database while behind, else takes the
    hub's live batches."""

    def __init__(self, subscription: Subscription, after: int, types: list[str] | None) -> None:
        self.hub, self.position, self.types = subscription.hub, after, types
        self.target = subscription.hub.head  # read from the database up to here; None: to the end

    @property
    def behind(self) -> bool:
        return self.target is None or self.position < self.target

    async def page(self) -> list[asyncpg.Record]:
        async with self.hub.pool.acquire() as conn:
            rows, next_position = await feed.read(conn, after=self.position, types=self.types, limit=BATCH)
        if next_position == self.position or (self.target is None and len(rows) < BATCH):
            self.target = next_position
        self.position = next_position
        return rows

    def take(self, batch: Batch) -> list[asyncpg.Record]:
        """The wanted rows of a live batch; a gap before it is read from the database instead."""
        if batch[0]["feed_position"] > self.position + 1:
            self.target = batch[-1]["feed_position"]
            return []
        fresh = [row for row in batch if row["feed_position"] > self.position]
        self.position = max(self.position, batch[-1]["feed_position"])
        return [row for row in fresh if self.types is None or row["type"] in self.types]

    def notice_dropped(self) -> None:
        """Batches this stream was too slow to queue are still below the hub's head."""
        if self.hub.head is not None and self.hub.head > self.position:
            self.target = self.hub.head


async def follow(
    subscription: Subscription, *, after: int, types: list[str] | None, heartbeat_seconds: float
) -> AsyncIterator[asyncpg.Record | None]:
    """Every event after the position, in order, then live ones as they come; None is a
    heartbeat (nothing was sent for a while). Ends when the hub closes."""
    reader = _Reader(subscription, after, types)
    quiet = 0.0  # seconds since this stream last sent anything
    while True:
        if reader.behind:
            rows = await reader.page()
        else:
            try:
                batch = await asyncio.wait_for(subscription.queue.get(), GAP_CHECK_SECONDS)
            except TimeoutError:
                quiet += GAP_CHECK_SECONDS
                reader.notice_dropped()
                if not reader.behind and quiet >= heartbeat_seconds:
                    quiet = 0.0
                    yield None
                continue
            if batch is None:
                return
            rows = reader.take(batch)
        for row in rows:
            quiet = 0.0
            yield row


# One message of the event stream (text/event-stream); `: keep-alive` comments come between.
SSE_MESSAGE = {
    "type": "object",
    "description": "One Server-Sent Event: its id (the feed cursor, sent back as Last-Event-ID to "
    "resume), its event type, and the CloudEvent as JSON. Comments (`: keep-alive`) come when idle.",
    "required": ["id", "event", "data"],
    "properties": {
        "id": {"type": "string", "pattern": FEED_CURSOR_PATTERN},
        "event": {"type": "string", "enum": FULL_NAMES},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {"$ref": "#/components/schemas/CloudEvent"},
        },
    },
}


HUB = web.AppKey("hub", FeedHub)


async def stream_events(call: Call, query: StreamQuery) -> web.StreamResponse:
    """Live events as Server-Sent Events; resume with Last-Event-ID (admins, events:read tokens)

    Server-Sent Events; each message's id is its feed cursor, so Last-Event-ID resumes exactly.
    """
    request, query, settings = call.request, query, call.settings
    with_voters = feed.require_reader(call.caller)
    last_event_id = request.headers.get("Last-Event-ID")
    if last_event_id:
        cursor = feed.decode_cursor(last_event_id, "Last-Event-ID", location="header")
    else:
        cursor = feed.decode_cursor(query.after)
    hub = request.app[HUB]
    with hub.subscribe(call.caller.label) as subscription:
        async with request.app[POOL].acquire() as conn:
            after = await feed.resolve(conn, cursor)
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        )
        await response.prepare(request)
        try:
            async for row in follow(
                subscription, after=after, types=query.type_list(), heartbeat_seconds=settings.stream_heartbeat_seconds
            ):
                if row is None:
                    await response.write(b": keep-alive\n\n")
                    continue
                event = to_cloudevent(row, settings.event_source, with_voters=with_voters)
                await response.write(
                    f"id: {feed.encode_cursor(row['feed_position'])}\nevent: {event['type']}\n"
                    f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()
                )
        except ConnectionResetError:  # the client went away
            pass
    return response


LIVE_MAX_IDEAS = 100


def _page_update(view: View, update: tuple[str, Any]) -> bytes:
    kind, value = update
    if kind == "unread":
        message = {"unread_count": value, "text": view.formats.number(value)}
        return f"event: unread\ndata: {json.dumps(message)}\n\n".encode()
    lines = []
    for idea_id, count in value.items():
        message = {"idea_id": idea_id, "vote_count": count, "vote_count_text": view.formats.number(count)}
        lines.append(f"event: count\ndata: {json.dumps(message)}\n\n")
    return "".join(lines).encode()


async def live_counts(view: View) -> web.StreamResponse:
    """Server-sent events with the vote counts of the ideas a page shows as they change, and the
    reader's unread notification count."""
    raw = view.request.query.get("ideas", "")
    idea_ids = frozenset(int(part) for part in raw.split(",")[:LIVE_MAX_IDEAS] if part.isdecimal() and len(part) < 19)
    hub = view.request.app[HUB]
    with hub.watch_counts(view.caller.label, idea_ids, view.employee.id) as watch:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        )
        await response.prepare(view.request)
        try:
            while not hub.closed:
                try:
                    update = await asyncio.wait_for(watch.queue.get(), view.settings.stream_heartbeat_seconds)
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                if update is None:
                    break
                await response.write(_page_update(view, update))
        except ConnectionResetError:
            pass
    return response
