from __future__ import annotations

from portal.chat import service
from portal.chat.schemas import ChatRead, ChatWrite
from portal.http.call import Call
from portal.webhooks.addresses import AddressPolicy


async def get_chat(call: Call) -> ChatRead:
    """A team's Slack and Teams channels (its leads and admins)"""
    return await service.get_chat(call.conn, call.caller, slug=call.path["slug"])


async def put_chat(call: Call, body: ChatWrite) -> ChatRead:
    """Connect a team's Slack channel or Teams channel (null disconnects one; its leads and admins)"""
    return await service.connect(
        call.conn,
        call.caller,
        slug=call.path["slug"],
        data=body,
        encryption_key=call.settings.encryption_key,
        policy=AddressPolicy.from_settings(call.settings),
    )


async def delete_chat(call: Call) -> None:
    """Disconnect a team's channels (its leads and admins)"""
    await service.disconnect(call.conn, call.caller, slug=call.path["slug"])
