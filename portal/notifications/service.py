"""An employee's notifications, their preferences and what they follow."""

from __future__ import annotations

import asyncpg

from portal.auth.caller import Caller
from portal.db import Connection
from portal.errors import NotFound
from portal.ideas.queries import IDEA_EXISTS
from portal.lookups import team_id_by_slug
from portal.notifications import queries as q
from portal.notifications.emails import unsubscribe_hash
from portal.notifications.kinds import KINDS
from portal.notifications.schemas import (
    FollowRead,
    FollowState,
    KindPreference,
    NotificationPage,
    NotificationQuery,
    NotificationRead,
    PreferencesWrite,
    ReadAll,
)
from portal.schemas import MAX_ID


def _read(row: asyncpg.Record) -> NotificationRead:
    idea = {"id": row["idea_id"], "title": row["idea_title"]} if row["idea_id"] is not None else None
    return NotificationRead.model_validate({**dict(row), "idea": idea})


async def list_notifications(conn: Connection, caller: Caller, query: NotificationQuery) -> NotificationPage:
    """Unread first, newest first."""
    me = caller.require_employee()
    read_flag, after = (query.cursor or f"0_{MAX_ID}").split("_")
    rows = await conn.fetch(q.LIST, me.id, read_flag == "1", int(after), query.limit + 1, query.unread)
    items = [_read(row) for row in rows[: query.limit]]
    last = items[-1] if len(rows) > query.limit else None
    next_cursor = f"{int(last.read_at is not None)}_{last.id}" if last else None
    return NotificationPage(items=items, next_cursor=next_cursor, unread_count=await unread_count(conn, caller))


async def unread_count(conn: Connection, caller: Caller) -> int:
    return await conn.fetchval(q.UNREAD_COUNT, caller.require_employee().id)


async def mark_read(conn: Connection, caller: Caller, *, notification_id: int) -> None:
    if await conn.fetchval(q.MARK_READ, notification_id, caller.require_employee().id) is None:
        raise NotFound(f"you have no notification {notification_id}")


async def mark_all_read(conn: Connection, caller: Caller, data: ReadAll) -> int:
    result = await conn.execute(q.MARK_ALL_READ, caller.require_employee().id, data.up_to)
    return int(result.split()[-1])


async def preferences(conn: Connection, caller: Caller) -> list[KindPreference]:
    chosen = {row["kind"]: row for row in await conn.fetch(q.PREFERENCES, caller.require_employee().id)}
    return [
        KindPreference(
            kind=kind,  # type: ignore[arg-type]
            description=description,
            portal=chosen[kind]["portal"] if kind in chosen else None,
            email=chosen[kind]["email"] if kind in chosen else None,
            slack=chosen[kind]["slack"] if kind in chosen else None,
        )
        for kind, description in KINDS.items()
    ]


async def save_preferences(conn: Connection, caller: Caller, data: PreferencesWrite) -> list[KindPreference]:
    me = caller.require_employee()
    for change in data.preferences:
        await conn.execute(q.SAVE_PREFERENCE, me.id, change.kind, change.portal, change.email, change.slack)
    return await preferences(conn, caller)


async def unsubscribe(conn: Connection, *, token: str) -> list[str]:
    """RFC 8058 one-click: email off for the kinds the email carried; answers them."""
    row = await conn.fetchrow(q.UNSUBSCRIBE_TARGET, unsubscribe_hash(token))
    if row is None:
        raise NotFound("this unsubscribe link is not known (it may be from an email that was never sent)")
    await conn.execute(q.EMAIL_OFF, row["recipient_id"], row["kinds"])
    return list(row["kinds"])


async def idea_follow_state(conn: Connection, caller: Caller, *, idea_id: int) -> FollowState:
    me = caller.require_employee()
    row = await conn.fetchrow(q.IDEA_FOLLOWING, idea_id, me.id)
    if row is None:
        raise NotFound(f"idea {idea_id} does not exist")
    return FollowState(following=row["reason"] is not None, reason=row["reason"])


async def follow_idea(conn: Connection, caller: Caller, *, idea_id: int, following: bool) -> FollowState:
    """Following an idea; unfollowing one silences even the author's, voters' and commenters' subscription."""
    me = caller.require_employee()
    if not await conn.fetchval(IDEA_EXISTS, idea_id):
        raise NotFound(f"idea {idea_id} does not exist")
    await conn.execute(q.SET_IDEA_FOLLOW, me.id, idea_id, following)
    return await idea_follow_state(conn, caller, idea_id=idea_id)


async def follow_team(conn: Connection, caller: Caller, *, slug: str, following: bool) -> None:
    me = caller.require_employee()
    team_id = await team_id_by_slug(conn, slug)
    await conn.execute(q.FOLLOW_TEAM if following else q.UNFOLLOW_TEAM, me.id, team_id)


async def follow_service(conn: Connection, caller: Caller, *, slug: str, following: bool) -> None:
    me = caller.require_employee()
    service_id = await conn.fetchval(q.SERVICE_ID, slug)
    if service_id is None:
        raise NotFound(f"service {slug!r} does not exist")
    await conn.execute(q.FOLLOW_SERVICE if following else q.UNFOLLOW_SERVICE, me.id, service_id)


async def follow_tag(conn: Connection, caller: Caller, *, tag: str, following: bool) -> None:
    me = caller.require_employee()
    await conn.execute(q.FOLLOW_TAG if following else q.UNFOLLOW_TAG, me.id, tag)


async def my_follows(conn: Connection, caller: Caller) -> list[FollowRead]:
    return [
        FollowRead.model_validate(dict(row)) for row in await conn.fetch(q.MY_FOLLOWS, caller.require_employee().id)
    ]
