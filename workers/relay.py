"""The outbox relay, run by the scheduler: hands committed events (portal.events.outbox) to what reacts to them, in
batches, exactly once, in feed order.

A batch is claimed, handled, and marked dispatched in one transaction: a worker killed halfway
rolls everything back and the batch is handled again in full later, so every reaction must be
(and is) idempotent. It takes only events the feed has numbered, in feed order, so webhooks and
notifications follow the feed's order. One relay runs at a time (a transaction-level advisory
lock; a relay that finds another running leaves the work to it): batches never overlap, and
their row locks are taken in the order portal.locks documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg

from portal import locks
from portal.chat import service as chat
from portal.db import Connection
from portal.events import queries as q
from portal.events.feed import RELAY_LOCK_ID
from portal.ideas import rankings
from portal.notifications import fanout
from portal.results import service as results
from portal.routing import service as routing
from portal.webhooks import delivery

# Edits that can change which teams an idea reaches (rules match tags and keywords).
ROUTING_FIELDS = {"title", "body", "tags", "services", "teams"}
# Events that change an idea's tallies: its votes, or the teams (and so the roles) it reaches.
VOTE_EVENTS = {"vote.cast", "vote.withdrawn"}
TALLY_EVENTS = VOTE_EVENTS | {"idea.routed", "routing.withdrawn"}


@dataclass
class Relayed:
    events: int = 0
    deliveries: list[int] = field(default_factory=list)
    chat_messages: int = 0  # team-channel messages to post
    routings: int = 0  # teams newly reached
    emails_due: int = 0  # notifications to email now
    busy: bool = False  # another relay was running: this one did nothing


def _idea_id(event: asyncpg.Record) -> int:
    data = event["data"]
    return int(data.get("idea_id") or data["id"])


async def relay_batch(conn: Connection, *, limit: int = 500) -> Relayed:
    """Relays the next batch of numbered events; the caller's transaction commits it."""
    if not await conn.fetchval(q.TRY_LOCK, RELAY_LOCK_ID):
        return Relayed(busy=True)
    batch = await conn.fetch(q.CLAIM_BATCH, limit)
    if not batch:
        return Relayed()
    to_route: list[int] = []
    to_tally: set[int] = set()
    to_rank: set[int] = set()
    for event in batch:
        if event["type"] == "idea.created" or (
            event["type"] == "idea.updated" and ROUTING_FIELDS & set(event["data"].get("changed", []))
        ):
            to_route.append(_idea_id(event))
        elif event["type"] in TALLY_EVENTS:
            to_tally.add(_idea_id(event))
            if event["type"] in VOTE_EVENTS:
                to_rank.add(_idea_id(event))
    # In the order portal.locks documents: the clock, then every idea routed or ranked, by id.
    await locks.hold_ranking_clock(conn)
    await locks.lock_ideas(conn, [*to_route, *to_rank])
    routed = await routing.route_ideas(conn, to_route)
    await rankings.refresh(conn, to_rank)
    if to_tally:
        await results.request_compilation(conn, sorted(to_tally))
    emails_due = await fanout.fan_out(conn, batch)
    ids = [event["id"] for event in batch]
    deliveries = await delivery.create_for_events(conn, ids)
    chat_messages = await chat.create_for_events(conn, ids)
    await conn.execute(q.MARK_DISPATCHED, ids)
    return Relayed(
        events=len(batch),
        deliveries=deliveries,
        chat_messages=len(chat_messages),
        routings=routed,
        emails_due=emails_due,
    )


async def has_pending(conn: Connection) -> bool:
    return await conn.fetchval(q.PENDING)
