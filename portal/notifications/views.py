from __future__ import annotations

from portal.http.call import Call
from portal.notifications import service
from portal.notifications.schemas import (
    FollowRead,
    FollowState,
    KindPreference,
    Marked,
    NotificationPage,
    UnreadCount,
)


async def list_notifications(call: Call) -> NotificationPage:
    return await service.list_notifications(call.conn, call.caller, call.query)


async def unread_count(call: Call) -> UnreadCount:
    return UnreadCount(unread_count=await service.unread_count(call.conn, call.caller))


async def mark_read(call: Call) -> None:
    await service.mark_read(call.conn, call.caller, **call.path)


async def mark_all_read(call: Call) -> Marked:
    return Marked(marked=await service.mark_all_read(call.conn, call.caller, call.body))


async def get_preferences(call: Call) -> list[KindPreference]:
    return await service.preferences(call.conn, call.caller)


async def save_preferences(call: Call) -> list[KindPreference]:
    return await service.save_preferences(call.conn, call.caller, call.body)


async def my_follows(call: Call) -> list[FollowRead]:
    return await service.my_follows(call.conn, call.caller)


async def idea_follow_state(call: Call) -> FollowState:
    return await service.idea_follow_state(call.conn, call.caller, **call.path)


async def follow_idea(call: Call) -> FollowState:
    return await service.follow_idea(call.conn, call.caller, **call.path, following=True)


async def unfollow_idea(call: Call) -> FollowState:
    return await service.follow_idea(call.conn, call.caller, **call.path, following=False)


async def follow_team(call: Call) -> None:
    await service.follow_team(call.conn, call.caller, **call.path, following=True)


async def unfollow_team(call: Call) -> None:
    await service.follow_team(call.conn, call.caller, **call.path, following=False)


async def follow_service(call: Call) -> None:
    await service.follow_service(call.conn, call.caller, **call.path, following=True)


async def unfollow_service(call: Call) -> None:
    await service.follow_service(call.conn, call.caller, **call.path, following=False)


async def follow_tag(call: Call) -> None:
    await service.follow_tag(call.conn, call.caller, **call.path, following=True)


async def unfollow_tag(call: Call) -> None:
    await service.follow_tag(call.conn, call.caller, **call.path, following=False)
