from __future__ import annotations

import json

from aiohttp import web

from portal.events import feed
from portal.events.cloudevents import to_cloudevent
from portal.events.hub import follow
from portal.events.schemas import EventPage, EventTypeRead
from portal.events.types import EVENT_TYPES, TYPE_PREFIX
from portal.web.keys import HUB, POOL
from portal.web.spec import Call


async def list_event_types(call: Call) -> list[EventTypeRead]:
    return [EventTypeRead(type=TYPE_PREFIX + name, description=text) for name, text in EVENT_TYPES.items()]


async def list_events(call: Call) -> EventPage:
    query = call.query
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


async def stream_events(call: Call) -> web.StreamResponse:
    """Server-Sent Events; each message's id is its feed cursor, so Last-Event-ID resumes exactly."""
    request, query, settings = call.request, call.query, call.settings
    with_voters = feed.require_reader(call.caller)
    last_event_id = request.headers.get("Last-Event-ID")
    cursor = feed.decode_cursor(
        last_event_id or query.after, "header.Last-Event-ID" if last_event_id else "query.after"
    )
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
