from __future__ import annotations

import asyncio
import json

from aiohttp import web

from portal.db import unit_of_work
from portal.events import feed
from portal.events.cloudevents import to_cloudevent
from portal.events.schemas import EventQuery, StreamQuery
from portal.web.http import json_response, parse_query
from portal.web.keys import POOL, SETTINGS

STREAM_POLL_SECONDS = 0.25
STREAM_HEARTBEAT_SECONDS = 15.0
STREAM_BATCH = 500


async def list_events(request: web.Request) -> web.Response:
    query = parse_query(request, EventQuery)
    after = feed.decode_cursor(query.after)
    async with unit_of_work(request.app[POOL]) as conn:
        rows, position = await feed.read(conn, after=after, types=query.type_list(), limit=query.limit)
    source = request.app[SETTINGS].event_source
    return json_response({"items": [to_cloudevent(row, source) for row in rows],
                          "next_cursor": feed.encode_cursor(*position)})


async def stream_events(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events; each event's id is its feed cursor, so Last-Event-ID resumes exactly."""
    query = parse_query(request, StreamQuery)
    resume = request.headers.get("Last-Event-ID") or query.after
    position = feed.decode_cursor(resume, "header.Last-Event-ID" if request.headers.get("Last-Event-ID")
                                  else "query.after")
    types, source = query.type_list(), request.app[SETTINGS].event_source
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    try:
        await _stream(request, response, position, types, source)
    except ConnectionResetError:  # the client went away
        pass
    return response


async def _stream(request: web.Request, response: web.StreamResponse, position: tuple[str, int],
                  types: list[str] | None, source: str) -> None:
    idle = 0.0
    while True:
        async with request.app[POOL].acquire() as conn:
            rows, _ = await feed.read(conn, after=position, types=types, limit=STREAM_BATCH)
        for row in rows:
            position = (row["txid"], row["id"])
            event = to_cloudevent(row, source)
            await response.write(
                f"id: {feed.encode_cursor(*position)}\nevent: {event['type']}\n"
                f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
        if rows:
            idle = 0.0
            continue
        await asyncio.sleep(STREAM_POLL_SECONDS)
        idle += STREAM_POLL_SECONDS
        if idle >= STREAM_HEARTBEAT_SECONDS:
            await response.write(b": keep-alive\n\n")
            idle = 0.0
