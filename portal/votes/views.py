from __future__ import annotations

from portal.votes import service
from portal.votes.schemas import VoteState
from portal.web.spec import Call


async def cast_vote(call: Call) -> VoteState:
    return await service.cast_vote(call.conn, call.caller, idea_id=call.path["idea_id"])


async def withdraw_vote(call: Call) -> VoteState:
    return await service.withdraw_vote(call.conn, call.caller, idea_id=call.path["idea_id"])
