"""The pull feed and the SSE stream: CloudEvents, every event exactly once, resumable."""

from __future__ import annotations

import asyncio
import base64

import pytest
from cloudevents.v1.http import from_dict

from portal.errors import ValidationFailed
from portal.events import feed
from tests.factories import make_idea


async def _token(client, auth, scopes):
    created = await (
        await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "bi", "scopes": scopes})
    ).json()
    return {"Authorization": f"Bearer {created['token']}"}


async def _drain(client, headers, cursor=None, types=None) -> tuple[list[dict], str]:
    seen = []
    while True:
        params = {"limit": "7", **({"after": cursor} if cursor else {}), **({"types": types} if types else {})}
        page = await (await client.get("/api/v1/events", headers=headers, params=params)).json()
        seen += page["items"]
        if page["next_cursor"] == cursor or not page["items"]:
            return seen, page["next_cursor"]
        cursor = page["next_cursor"]


async def test_feed_items_are_cloudevents(client, auth):
    await make_idea(client, auth())
    bi = await _token(client, auth, ["events:read"])
    items, _ = await _drain(client, bi)
    event = from_dict(items[0])  # the CloudEvents SDK accepts it
    assert event["type"] == "ideaportal.idea.created" and event["specversion"] == "1.0"
    assert items[0]["subject"].startswith("ideas/") and items[0]["datacontenttype"] == "application/json"


async def test_feed_needs_the_events_scope(client, auth):
    bi = await _token(client, auth, ["ideas:read"])
    assert (await client.get("/api/v1/events", headers=bi)).status == 403


async def test_feed_filters_by_type(client, auth):
    idea = await make_idea(client, auth())
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth("v@example.com"))
    items, _ = await _drain(client, auth.admin, types="vote.cast")
    assert [i["type"] for i in items] == ["ideaportal.vote.cast"]


async def test_feed_resumes_from_a_cursor(client, auth):
    await make_idea(client, auth(), title="First idea")
    first, cursor = await _drain(client, auth.admin)
    await make_idea(client, auth(), title="Second idea")
    second, _ = await _drain(client, auth.admin, cursor)
    assert [e["data"]["title"] for e in second] == ["Second idea"]
    assert {e["id"] for e in first}.isdisjoint({e["id"] for e in second})


async def test_a_reader_following_the_cursor_under_concurrent_writers_sees_every_event_once(client, auth, db):
    writers = [auth(f"w{n}@example.com") for n in range(8)]
    stop = asyncio.Event()
    seen: list[str] = []

    async def write(headers):
        for n in range(12):
            await client.post("/api/v1/ideas", headers=headers, json={"title": f"Concurrent idea {n}"})

    async def read():
        cursor = None
        while True:
            finished = stop.is_set()
            items, cursor = await _drain(client, auth.admin, cursor)
            seen.extend(i["id"] for i in items)
            if finished:
                return
            await asyncio.sleep(0.01)

    reader = asyncio.create_task(read())
    await asyncio.gather(*(write(h) for h in writers))
    stop.set()
    await reader
    stored = [str(r["id"]) for r in await db.fetch("SELECT id FROM events")]
    assert len(seen) == len(set(seen))
    assert sorted(seen, key=int) == sorted(stored, key=int)


async def test_an_event_that_commits_late_comes_after_the_cursor_without_holding_back_others(
    client, auth, database_url
):
    from portal.db import connect

    await make_idea(client, auth(), title="Before the slow one")
    _, cursor = await _drain(client, auth.admin)
    slow = await connect(database_url)
    transaction = slow.transaction()
    await transaction.start()
    await slow.execute("INSERT INTO events (type, subject, data) VALUES ('test.slow', 'x', '{}')")
    await make_idea(client, auth(), title="Committed meanwhile")
    meanwhile, cursor = await _drain(client, auth.admin, cursor)
    await transaction.commit()
    await slow.close()
    late, _ = await _drain(client, auth.admin, cursor)
    assert [e["type"] for e in meanwhile] == ["ideaportal.idea.created"]
    assert [e["type"] for e in late] == ["ideaportal.test.slow"]


async def test_a_bad_cursor_is_422(client, auth):
    response = await client.get("/api/v1/events?after=zzz", headers=auth.admin)
    assert response.status == 422


async def test_sse_stream_sends_events_and_resumes_with_last_event_id(client, auth):
    await make_idea(client, auth(), title="Streamed idea one")
    await make_idea(client, auth(), title="Streamed idea two")

    async def first_event(headers):
        async with client.get("/api/v1/events/stream", headers=headers) as response:
            assert response.headers["Content-Type"].startswith("text/event-stream")
            block = b""
            while b"\n\n" not in block:
                block += await response.content.readany()
            return dict(line.split(": ", 1) for line in block.decode().split("\n\n")[0].splitlines())

    one = await first_event(auth.admin)
    two = await first_event({**auth.admin, "Last-Event-ID": one["id"]})
    assert "Streamed idea one" in one["data"] and "Streamed idea two" in two["data"]
    assert two["event"] == "ideaportal.idea.created"


async def test_filtering_the_feed_by_a_type_that_does_not_exist_is_422(client, auth):
    response = await client.get("/api/v1/events?types=idea.created,idea.exploded", headers=auth.admin)
    assert response.status == 422 and (await response.json())["errors"][0]["field"] == "query.types"


def test_a_feed_cursor_round_trips_and_old_cursors_name_their_event():
    assert feed.encode_cursor(123) == "p123" and feed.decode_cursor("p123") == feed.Cursor(position=123)
    assert feed.decode_cursor(base64.urlsafe_b64encode(b"p123").decode()) == feed.Cursor(position=123)
    old = base64.urlsafe_b64encode(b"9999.77").decode()
    assert feed.decode_cursor(old) == feed.Cursor(position=None, legacy_event_id=77)
    assert feed.decode_cursor(None) == feed.Cursor(position=0)


@pytest.mark.parametrize(
    "cursor",
    [
        "zzz",
        "p-1",
        "p" + "9" * 19,
        base64.urlsafe_b64encode(b"p-1").decode(),
        base64.urlsafe_b64encode(b"p" + b"9" * 30).decode(),
    ],
)
def test_bad_feed_cursors_are_refused(cursor):
    with pytest.raises(ValidationFailed):
        feed.decode_cursor(cursor)
