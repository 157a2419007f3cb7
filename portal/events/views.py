from __future__ import annotations

from portal.events import feed
from portal.events.cloudevents import to_cloudevent
from portal.events.schemas import EventPage, EventQuery, EventTypeRead
from portal.events.types import EVENT_TYPES, TYPE_PREFIX
from portal.http.call import Call
from portal.http.keys import POOL


async def list_event_types(call: Call) -> list[EventTypeRead]:
    """Every event type, as webhooks and the feed name it"""
    return [EventTypeRead(type=TYPE_PREFIX + name, description=text) for name, text in EVENT_TYPES.items()]


async def list_events(call: Call, query: EventQuery) -> EventPage:
    """The event feed (CloudEvents), replayable from any cursor (admins, events:read tokens)"""
    query = query
    with_voters = feed.require_reader(call.caller)
    cursor = feed.decode_cursor(query.after)
    async with call.request.app[POOL].acquire() as conn:
        # Number what has committed so far, so a pull reader never waits for the scheduler.
        await feed.sequence(conn)
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            after = await feed.resolve(conn, cursor)
            rows, position = await feed.read(conn, after=after, types=query.type_list(), limit=query.limit)
    source = call.settings.event_source
    return EventPage.model_validate(
        {
            "items": [to_cloudevent(row, source, with_voters=with_voters) for row in rows],
            "next_cursor": feed.encode_cursor(position),
        }
    )
