from __future__ import annotations

from portal.http.call import Call
from portal.notifications import service
from portal.notifications.schemas import (
    FollowRead,
    FollowState,
    KindPreference,
    Marked,
    NotificationPage,
    NotificationQuery,
    PreferencesWrite,
    ReadAll,
    UnreadCount,
)


async def list_notifications(call: Call, query: NotificationQuery) -> NotificationPage:
    """Your notifications: unread first, newest first"""
    return await service.list_notifications(call.conn, call.caller, query)


async def unread_count(call: Call) -> UnreadCount:
    """How many of your notifications are unread"""
    return UnreadCount(unread_count=await service.unread_count(call.conn, call.caller))


async def mark_read(call: Call) -> None:
    """Mark one of your notifications read (idempotent)"""
    await service.mark_read(call.conn, call.caller, **call.path)


async def mark_all_read(call: Call, body: ReadAll) -> Marked:
    """Mark all your notifications read (or those up to an id)"""
    return Marked(marked=await service.mark_all_read(call.conn, call.caller, body))


async def get_preferences(call: Call) -> list[KindPreference]:
    """What you hear about, and how: per kind, in the portal and by email"""
    return await service.preferences(call.conn, call.caller)


async def save_preferences(call: Call, body: PreferencesWrite) -> list[KindPreference]:
    """Choose instant, daily digest or off per kind, in the portal and by email"""
    return await service.save_preferences(call.conn, call.caller, body)


async def my_follows(call: Call) -> list[FollowRead]:
    """What you follow"""
    return await service.my_follows(call.conn, call.caller)


async def idea_follow_state(call: Call) -> FollowState:
    """Whether you hear about an idea, and why"""
    return await service.idea_follow_state(call.conn, call.caller, **call.path)


async def follow_idea(call: Call) -> FollowState:
    """Follow an idea (idempotent)"""
    return await service.follow_idea(call.conn, call.caller, **call.path, following=True)


async def unfollow_idea(call: Call) -> FollowState:
    """Unfollow an idea: nothing more about it, even as its author, voter or commenter (idempotent)"""
    return await service.follow_idea(call.conn, call.caller, **call.path, following=False)


async def follow_team(call: Call) -> None:
    """Follow a team's ideas (those routed to it) (idempotent)"""
    await service.follow_team(call.conn, call.caller, **call.path, following=True)


async def unfollow_team(call: Call) -> None:
    """Stop following a team's ideas (those routed to it) (idempotent)"""
    await service.follow_team(call.conn, call.caller, **call.path, following=False)


async def follow_service(call: Call) -> None:
    """Follow a service's ideas (idempotent)"""
    await service.follow_service(call.conn, call.caller, **call.path, following=True)


async def unfollow_service(call: Call) -> None:
    """Stop following a service's ideas (idempotent)"""
    await service.follow_service(call.conn, call.caller, **call.path, following=False)


async def follow_tag(call: Call) -> None:
    """Follow ideas with a tag (idempotent)"""
    await service.follow_tag(call.conn, call.caller, **call.path, following=True)


async def unfollow_tag(call: Call) -> None:
    """Stop following ideas with a tag (idempotent)"""
    await service.follow_tag(call.conn, call.caller, **call.path, following=False)
